//! Names of grammar symbols in words a person reading an error understands.
//!
//! The parse table knows which tokens may come next in every state; this module turns such a set
//! into a short phrase like "`=`, `?`, `filters` or a line break".

use tree_sitter::Language;

/// Tokens that can begin a value; a state expecting a value expects all of them, and listing
/// them one by one would bury the useful alternatives.
const VALUE_STARTS: &[&str] = &[
    "identifier",
    "variable",
    "number",
    "timestamp",
    "\"",
    "'",
    "raw_string",
    "expression_literal",
    "raw_expression",
    "true",
    "false",
    "null",
    "now",
    "!",
    "-",
    "(",
    "[",
    "{",
];

/// Nonterminals whose presence in a state's lookahead means "a value may come here".
const VALUE_RULES: &[&str] = &[
    "_expression",
    "_primary",
    "_filter_argument",
    "_default_value",
];

/// Operators of binary and ternary expressions; several of them are summed up as "an operator".
const OPERATORS: &[&str] = &[
    "??",
    "||",
    "&&",
    "==",
    "!=",
    "===",
    "!==",
    "<",
    "<=",
    ">",
    ">=",
    "!~",
    "@>",
    "..",
    "+",
    "-",
    "~",
    "&",
    "*",
    "/",
    "%",
    "?:",
    "in",
    "contains",
    "includes",
    "overlaps",
    "like",
    "ilike",
    "between",
    "search",
    "not in",
    "not contains",
    "not includes",
    "not overlaps",
    "not like",
    "not ilike",
    "not between",
];

/// How many alternatives an "expected …" list shows at most.
const MAX_EXPECTED: usize = 4;

/// The human name of a token, as used in "expected X" and "unexpected X".
///
/// Returns `None` for symbols that mean nothing to a person (hidden helpers, comments).
pub fn token_phrase(kind: &str) -> Option<String> {
    let phrase = match kind {
        "identifier" | "_name" | "_field_name" | "_argument_name" => "a name",
        "_newline" => "a line break",
        "variable" | "_assignable" => "a variable such as `$x`",
        "string" | "string_content" | "raw_string" => "a string",
        "number" => "a number",
        "path" => "a path such as `users/list`",
        "regex" => "a regular expression",
        "timestamp" => "a timestamp",
        "expression_literal" | "raw_expression" => "an expression literal",
        "end" => "the end of the file",
        "comment" | "escape_sequence" | "ERROR" | "_error_sentinel" => return None,
        kind if VALUE_RULES.contains(&kind) => "a value",
        kind if kind.starts_with('_') || kind.contains("_repeat") => return None,
        kind if kind.chars().any(|c| c.is_ascii_punctuation()) || is_word(kind) => {
            return Some(format!("`{kind}`"));
        }
        kind => return Some(kind.replace('_', " ")),
    };
    Some(phrase.to_owned())
}

fn is_bracket(token: &str) -> bool {
    matches!(token, "{" | "[" | "(")
}

fn is_word(kind: &str) -> bool {
    !kind.is_empty()
        && kind
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == ' ' || c == '_')
}

/// Whether the parser expects a value (an expression) in `state`.
pub fn state_wants_value(language: &Language, state: u16) -> bool {
    state != 0
        && language.lookahead_iterator(state).is_some_and(|lookahead| {
            lookahead
                .filter_map(|symbol| language.node_kind_for_id(symbol))
                .any(|name| VALUE_RULES.contains(&name))
        })
}

/// The tokens the parser accepts in `state`, as a short phrase, or `None` when the state is
/// unknown (0) or nothing useful remains after filtering.
pub fn expected_phrase(language: &Language, state: u16) -> Option<String> {
    if state == 0 {
        return None;
    }
    let lookahead = language.lookahead_iterator(state)?;
    // The first nonterminal is the start rule, so every symbol below it is a token.
    let token_count = language.id_for_node_kind("source_file", true);
    let mut tokens = Vec::new();
    let mut wants_value = false;
    for symbol in lookahead {
        let Some(name) = language.node_kind_for_id(symbol) else {
            continue;
        };
        if token_count != 0 && symbol >= token_count {
            wants_value |= VALUE_RULES.contains(&name);
            continue;
        }
        if !tokens.contains(&name) {
            tokens.push(name);
        }
    }
    phrase_for_tokens(&tokens, wants_value)
}

/// Ranks, merges and joins the names of expected tokens.
fn phrase_for_tokens(tokens: &[&str], wants_value: bool) -> Option<String> {
    let wants_name = tokens.contains(&"identifier");
    // Without a value rule in the state, several kinds of literal still amount to "a value"; the
    // brackets then keep their own meaning (a block, a call) and stay listed.
    let literal_starts = VALUE_STARTS
        .iter()
        .filter(|start| !is_bracket(start) && tokens.contains(start))
        .count();
    let brackets_are_values = wants_value;
    let wants_value = wants_value || literal_starts >= 4;
    // Where a name may stand, word operators are names too.
    let operator_count = tokens
        .iter()
        .filter(|t| OPERATORS.contains(t) && !(wants_name && is_word(t)))
        .count();

    let mut entries: Vec<(u8, String)> = Vec::new();
    let mut push = |rank: u8, phrase: String| {
        if !entries.iter().any(|(_, p)| *p == phrase) {
            entries.push((rank, phrase));
        }
    };
    if wants_value {
        push(2, "a value".to_owned());
    }
    if operator_count >= 3 {
        push(0, "an operator".to_owned());
    }
    for &token in tokens {
        if wants_value
            && VALUE_STARTS.contains(&token)
            && (brackets_are_values || !is_bracket(token))
        {
            continue;
        }
        if operator_count >= 3 && OPERATORS.contains(&token) && !(wants_name && is_word(token)) {
            continue;
        }
        // Keywords are contextual: where a name may stand, they are names too.
        if wants_name && token != "identifier" && is_word(token) {
            continue;
        }
        let phrase = match token {
            "\"" | "'" => "a string".to_owned(),
            token => match token_phrase(token) {
                Some(phrase) => phrase,
                None => continue,
            },
        };
        let rank = match token {
            "{" | "[" | "(" => 4,
            "}" | "]" | ")" => 5,
            "end" => 6,
            "_newline" => 3,
            t if t.chars().all(|c| c.is_ascii_punctuation()) => 0,
            t if is_word(t)
                && !t.contains('_')
                && token_phrase(t).is_some_and(|p| p.starts_with('`')) =>
            {
                1
            }
            _ => 2,
        };
        push(rank, phrase);
    }
    entries.sort_by_key(|(rank, _)| *rank);
    entries.truncate(MAX_EXPECTED);
    let phrases: Vec<String> = entries.into_iter().map(|(_, phrase)| phrase).collect();
    join_alternatives(&phrases)
}

/// "a", "a or b", "a, b or c".
fn join_alternatives(phrases: &[String]) -> Option<String> {
    match phrases {
        [] => None,
        [only] => Some(only.clone()),
        [init @ .., last] => Some(format!("{} or {last}", init.join(", "))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_get_human_names() {
        assert_eq!(token_phrase("}").as_deref(), Some("`}`"));
        assert_eq!(token_phrase("identifier").as_deref(), Some("a name"));
        assert_eq!(token_phrase("_newline").as_deref(), Some("a line break"));
        assert_eq!(
            token_phrase("variable").as_deref(),
            Some("a variable such as `$x`")
        );
        assert_eq!(token_phrase("string").as_deref(), Some("a string"));
        assert_eq!(token_phrase("number").as_deref(), Some("a number"));
        assert_eq!(token_phrase("_expression").as_deref(), Some("a value"));
        assert_eq!(token_phrase("filters").as_deref(), Some("`filters`"));
        assert_eq!(token_phrase("not in").as_deref(), Some("`not in`"));
        assert_eq!(token_phrase("_binding"), None);
        assert_eq!(token_phrase("block_repeat1"), None);
        assert_eq!(token_phrase("comment"), None);
    }

    #[test]
    fn lists_are_ranked_merged_and_short() {
        let phrase = phrase_for_tokens(&["=", "{", "}", "filters", "?", "_newline"], false);
        assert_eq!(
            phrase.as_deref(),
            Some("`=`, `?`, `filters` or a line break")
        );
        let phrase = phrase_for_tokens(&["+", "-", "*", "/", "_newline", "}"], false);
        assert_eq!(phrase.as_deref(), Some("an operator, a line break or `}`"));
        let phrase = phrase_for_tokens(&["identifier", "as", "in", "{"], false);
        assert_eq!(phrase.as_deref(), Some("a name or `{`"));
        assert_eq!(phrase_for_tokens(&["comment"], false), None);
    }
}
