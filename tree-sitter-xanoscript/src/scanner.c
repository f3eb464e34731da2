// External scanner for XanoScript: significant newlines and triple-quoted blocks.
//
// Newlines end attributes, statements and fields, but a line that starts with `|` continues
// the expression above it (`$value\n  |trim`). That needs a look-ahead past the newline that a
// regular token cannot express. Triple-quoted blocks (`"""`, `'''`, ```) end at the first line
// whose trimmed text starts with the delimiter, which a regular expression cannot say either.
//
// The scanner keeps no state, so serialize/deserialize are trivial.

#include "tree_sitter/parser.h"

#include <stdbool.h>

enum TokenType {
  NEWLINE,
  RAW_STRING,
  RAW_EXPRESSION,
  ERROR_SENTINEL,
};

void *tree_sitter_xanoscript_external_scanner_create(void) { return NULL; }
void tree_sitter_xanoscript_external_scanner_destroy(void *payload) { (void)payload; }
unsigned tree_sitter_xanoscript_external_scanner_serialize(void *payload, char *buffer) {
  (void)payload;
  (void)buffer;
  return 0;
}
void tree_sitter_xanoscript_external_scanner_deserialize(void *payload, const char *buffer,
                                                         unsigned length) {
  (void)payload;
  (void)buffer;
  (void)length;
}

static inline void skip(TSLexer *lexer) { lexer->advance(lexer, true); }
static inline void advance(TSLexer *lexer) { lexer->advance(lexer, false); }

static inline bool is_blank(int32_t c) { return c == ' ' || c == '\t' || c == '\f' || c == '\r'; }

// Scans the rest of a triple-quoted block after its opening delimiter: the delimiter must end
// its line; the block ends at the first line whose first non-blank characters are the delimiter.
static bool scan_triple_body(TSLexer *lexer, int32_t quote) {
  while (is_blank(lexer->lookahead)) advance(lexer);
  if (lexer->lookahead != '\n') return false;
  advance(lexer);
  for (;;) {
    while (is_blank(lexer->lookahead)) advance(lexer);
    if (lexer->eof(lexer)) return false;
    if (lexer->lookahead == quote) {
      unsigned count = 0;
      while (count < 3 && lexer->lookahead == quote) {
        advance(lexer);
        count++;
      }
      if (count == 3) {
        lexer->mark_end(lexer);
        return true;
      }
    }
    while (lexer->lookahead != '\n') {
      if (lexer->eof(lexer)) return false;
      advance(lexer);
    }
    advance(lexer);
  }
}

bool tree_sitter_xanoscript_external_scanner_scan(void *payload, TSLexer *lexer,
                                                  const bool *valid_symbols) {
  (void)payload;
  bool recovering = valid_symbols[ERROR_SENTINEL];
  bool newline_valid = valid_symbols[NEWLINE];

  while (is_blank(lexer->lookahead) || lexer->lookahead == 0xFEFF) skip(lexer);

  if (lexer->lookahead == '\n') {
    if (!newline_valid && !recovering) {
      // Plain whitespace here; skip it and look for a triple-quoted block after it.
      while (is_blank(lexer->lookahead) || lexer->lookahead == '\n') skip(lexer);
    } else {
      lexer->result_symbol = NEWLINE;
      while (lexer->lookahead == '\n') {
        advance(lexer);
        lexer->mark_end(lexer);
        while (is_blank(lexer->lookahead)) advance(lexer);
      }
      // A line that starts with `|` continues the expression: the newline is whitespace.
      if (lexer->lookahead == '|') return false;
      return true;
    }
  }

  if (lexer->lookahead == '"' || lexer->lookahead == '\'' || lexer->lookahead == '`') {
    int32_t quote = lexer->lookahead;
    bool want = quote == '`' ? valid_symbols[RAW_EXPRESSION] : valid_symbols[RAW_STRING];
    if (!want) return false;
    for (int i = 0; i < 3; i++) {
      if (lexer->lookahead != quote) return false;
      advance(lexer);
    }
    if (!scan_triple_body(lexer, quote)) return false;
    lexer->result_symbol = quote == '`' ? RAW_EXPRESSION : RAW_STRING;
    return true;
  }

  return false;
}
