/**
 * @file XanoScript grammar for tree-sitter.
 *
 * The grammar is generic where the language is generic:
 *   - an object is   `kind [name] [key=value ...] { body }`
 *   - a statement is `[!]name.space [arguments ...] [{ body }] [as $target]`
 *   - an attribute is `key = expression`
 * so that new object kinds and new `ns.name` statements parse without a grammar change.
 * Their meaning (which clause is required, where `if` may appear) belongs to the model.
 *
 * Newlines are significant: they end attributes, statements and fields, and separate entries
 * of object and array literals. The external scanner (src/scanner.c) emits `_newline` only where
 * the grammar can use one and never before a line that starts with `|` (a filter continuation);
 * everywhere else a newline is plain whitespace.
 */

/// <reference types="tree-sitter-cli/dsl" />
// @ts-check

const PREC = {
  ternary: 1,
  coalesce: 2,
  or: 3,
  and: 4,
  compare: 5,
  range: 6,
  additive: 7,
  multiplicative: 8,
  unary: 9,
  filter: 10,
  postfix: 11,
};

// Words that are keywords somewhere in the grammar. Keywords in XanoScript are contextual:
// wherever a name is expected these words are names again (`text search?`, `{as: "x"}`).
const NAME_KEYWORDS = [
  'as',
  'input',
  'schema',
  'output',
  'filters',
  'in',
  'contains',
  'includes',
  'overlaps',
  'like',
  'ilike',
  'between',
  'search',
];

const STATEMENT_KEYWORDS = NAME_KEYWORDS.filter((k) => !['as', 'input', 'schema', 'output'].includes(k));

// Operators that only mean something in database expressions, with their negated forms.
const WORD_OPERATORS = ['in', 'contains', 'includes', 'overlaps', 'like', 'ilike', 'between', 'search'];
const NEGATED_WORD_OPERATORS = ['in', 'contains', 'includes', 'overlaps', 'like', 'ilike', 'between'];

const COMPARISON_OPERATORS = ['==', '!=', '===', '!==', '<', '<=', '>', '>=', '!~', '@>'];

/**
 * Binary operators over `operand`, one alternative per precedence level.
 * Used twice: for full expressions and for filter arguments (which cannot hold a filter).
 *
 * @param {GrammarSymbols<string>} $
 * @param {RuleOrLiteral} operand
 */
function binaryOperators($, operand) {
  const negated = NEGATED_WORD_OPERATORS.map((w) =>
    alias(token(prec(1, seq('not', /[ \t]+/, w))), `not ${w}`),
  );
  const levels = [
    [PREC.coalesce, '??'],
    [PREC.or, '||'],
    [PREC.and, '&&'],
    [PREC.compare, choice(...COMPARISON_OPERATORS, ...WORD_OPERATORS, ...negated)],
    [PREC.range, '..'],
    [PREC.additive, choice('+', '-', '~', '&')],
    [PREC.multiplicative, choice('*', '/', '%')],
  ];
  return choice(
    ...levels.map(([p, operator]) =>
      prec.left(
        /** @type {number} */ (p),
        seq(
          field('left', operand),
          field('operator', /** @type {RuleOrLiteral} */ (operator)),
          // Database expressions glue a `?` to the operator to make it null-safe: `==?`, `not in?`.
          optional(field('null_safe', alias(token.immediate('?'), '?'))),
          field('right', operand),
        ),
      ),
    ),
  );
}

/**
 * Items separated by commas and/or newlines, with optional leading and trailing separators.
 *
 * @param {GrammarSymbols<string>} $
 * @param {RuleOrLiteral} rule
 */
function separated($, rule) {
  // One repetition step per item with its separator, as in `lines()`.
  return seq(repeat(choice($._separator, seq(rule, $._separator))), optional(rule));
}

/**
 * Items on their own lines, with blank lines anywhere.
 *
 * @param {GrammarSymbols<string>} $
 * @param {RuleOrLiteral} rule
 */
function lines($, rule) {
  // Each item and its newline form one repetition step, and a blank line another, so every
  // step starts in a state with the same lookaheads. Incremental reparsing can then reuse the
  // steps after an edit instead of re-lexing the first token of each line.
  return seq(repeat(choice($._newline, seq(rule, $._newline))), optional(rule));
}

module.exports = grammar({
  name: 'xanoscript',

  // No `word` token: with keyword extraction tree-sitter reuses a node that starts with an
  // identifier only in the very parse state it was built in, which after an edit in a long
  // `stack` is almost never the case, and every later line would be lexed again.

  externals: ($) => [
    $._newline,
    $.raw_string,
    $.raw_expression,
    // Never used by the grammar: valid only while the parser recovers from an error.
    $._error_sentinel,
  ],

  extras: ($) => [/[ \t\r\n\f\uFEFF]/, $.comment],

  supertypes: ($) => [],

  inline: ($) => [],

  conflicts: ($) => [],

  rules: {
    source_file: ($) => lines($, $.object),

    // ---------------------------------------------------------------- objects

    object: ($) =>
      seq(
        field('kind', $.dotted_name),
        optional(field('name', $._object_name)),
        repeat(field('attribute', $.inline_attribute)),
        field('body', $.block),
      ),

    _object_name: ($) => choice($._name, $.string, $.path),

    // `verb=GET` after an object or statement head.
    inline_attribute: ($) =>
      seq(
        field('key', $._name),
        '=',
        field('value', choice($._name, $.string, $.number, $.boolean)),
      ),

    // ---------------------------------------------------------------- blocks

    // Items stand on their own lines; `var $a { value = 1 }` is the one-line form.
    // Several attributes on one line (`{ field_name = "id" field_value = $id }`) are tolerated.
    block: ($) =>
      seq('{', lines($, choice(repeat1($.attribute), $.statement, $.field_list)), '}'),

    attribute: ($) => seq(field('key', $._name), '=', field('value', $._expression)),

    statement: ($) =>
      seq(
        optional(field('disabled', '!')),
        field('name', $.dotted_name),
        repeat(field('argument', $._statement_argument)),
        optional(
          choice(
            seq($._binding, optional(field('body', $.block))),
            seq(field('body', $.block), optional($._binding)),
          ),
        ),
        // `case ("a") { ... } break`
        optional(field('break', 'break')),
      ),

    // `as $record|get:"id":null` filters the result before binding it.
    _binding: ($) =>
      seq(
        'as',
        field('alias', choice($._assignable, $.identifier)),
        repeat(field('filter', $.filter)),
      ),

    _statement_argument: ($) =>
      choice(
        $._argument_name,
        $.string,
        $.path,
        $.number,
        $._assignable,
        $.parenthesized_expression,
        alias(seq('(', ')'), $.parenthesized_expression),
        $.inline_attribute,
      ),

    // Statement targets are rooted in a variable: `var.update $cfg.limits[0]`.
    _assignable: ($) =>
      choice(
        $.variable,
        alias($.assignable_member, $.member_expression),
        alias($.assignable_subscript, $.subscript_expression),
      ),

    assignable_member: ($) =>
      seq(field('object', $._assignable), token.immediate('.'), field('property', $._property)),

    assignable_subscript: ($) =>
      seq(
        field('object', $._assignable),
        optional(token.immediate('.')),
        token.immediate('['),
        field('index', $._expression),
        ']',
      ),

    // The first word never is `input`, `schema` or `output`: those open a field list.
    dotted_name: ($) =>
      seq(
        choice($.identifier, alias(choice(...STATEMENT_KEYWORDS), $.identifier)),
        repeat(seq(token.immediate('.'), $._name)),
      ),

    // ---------------------------------------------------------------- field declarations

    // `input { ... }`, `schema { ... }`, `output { ... }`: one field per line.
    field_list: ($) =>
      seq(
        field('kind', choice('input', 'schema', 'output')),
        optional(seq('{', lines($, $.field_declaration), '}')),
      ),

    field_declaration: ($) =>
      seq(
        field('type', $.identifier),
        optional(field('array', $.array_type)),
        optional(
          seq(
            optional(field('nullable', '?')),
            field('name', $._field_name),
            optional(field('optional', '?')),
          ),
        ),
        optional(seq('=', field('default', $._default_value))),
        optional(seq('filters', '=', field('filters', $.field_filters))),
        optional(field('body', $.block)),
      ),

    array_type: ($) =>
      seq(
        token.immediate('['),
        optional(field('min', $.number)),
        optional(seq(':', optional(field('max', $.number)))),
        ']',
      ),

    _default_value: ($) =>
      choice(
        $.string,
        $.raw_string,
        $.number,
        $.unary_expression,
        $.boolean,
        $.null,
        $.now,
        $.identifier,
        $.object_literal,
        $.array_literal,
        $.timestamp,
      ),

    field_filters: ($) => seq($._field_filter, repeat(seq('|', $._field_filter))),

    _field_filter: ($) => choice(alias($.field_filter, $.filter), $.table_link_filter),

    field_filter: ($) =>
      seq(
        optional(field('disabled', '!')),
        field('name', $.identifier),
        repeat(seq(':', field('argument', $._field_filter_argument))),
      ),

    _field_filter_argument: ($) =>
      choice(
        $.string,
        $.number,
        alias($._negative_number, $.unary_expression),
        $.regex,
        $.identifier,
        $.boolean,
      ),

    _negative_number: ($) => seq(field('operator', '-'), field('argument', $.number)),

    // Legacy table link: `filters=@:dbo=12`.
    table_link_filter: ($) => seq('@', ':', field('name', $.identifier), '=', field('value', $.number)),

    regex: (_) => token(seq('/', repeat1(choice(/[^/\\\n]/, /\\./)), '/', /[a-z]*/)),

    // ---------------------------------------------------------------- expressions

    _expression: ($) =>
      choice(
        $._primary,
        $.unary_expression,
        $.binary_expression,
        $.ternary_expression,
        $.filter_expression,
      ),

    _primary: ($) =>
      choice(
        $.variable,
        $.member_expression,
        $.subscript_expression,
        $.parenthesized_expression,
        $.string,
        $.raw_string,
        $.expression_literal,
        $.raw_expression,
        $.tagged_literal,
        $.number,
        $.timestamp,
        $.boolean,
        $.null,
        $.now,
        $.object_literal,
        $.array_literal,
        $.identifier,
      ),

    unary_expression: ($) =>
      prec(PREC.unary, seq(field('operator', choice('!', '-')), field('argument', $._expression))),

    binary_expression: ($) => binaryOperators($, $._expression),

    ternary_expression: ($) =>
      choice(
        prec.right(
          PREC.ternary,
          seq(
            field('condition', $._expression),
            '?',
            field('consequence', $._expression),
            ':',
            field('alternative', $._expression),
          ),
        ),
        prec.right(
          PREC.ternary,
          seq(field('condition', $._expression), '?:', field('alternative', $._expression)),
        ),
      ),

    // `$value|trim|get:"a":null` — filters bind tighter than any operator.
    filter_expression: ($) =>
      prec.right(PREC.filter, seq(field('value', $._primary), repeat1(field('filter', $.filter)))),

    // Inside a ternary, `:` after a filter name starts an argument, as in Xano.
    filter: ($) =>
      prec.right(
        seq(
          '|',
          optional(field('disabled', '!')),
          field('name', $._name),
          repeat(seq(':', field('argument', $._filter_argument))),
        ),
      ),

    // A filter argument runs to the next `:` or `|`; it may hold operators but no filter or
    // ternary unless parenthesized.
    _filter_argument: ($) =>
      choice(
        $._primary,
        alias($.filter_argument_unary, $.unary_expression),
        alias($.filter_argument_binary, $.binary_expression),
      ),

    filter_argument_unary: ($) =>
      prec(PREC.unary, seq(field('operator', choice('!', '-')), field('argument', $._primary))),

    filter_argument_binary: ($) => binaryOperators($, $._filter_argument),

    member_expression: ($) =>
      prec(
        PREC.postfix,
        seq(
          field('object', $._primary),
          token.immediate('.'),
          field('property', $._property),
        ),
      ),

    // `$rows[0]`, `$map["key"]` and the exporter's `$x.["key"]`.
    subscript_expression: ($) =>
      prec(
        PREC.postfix,
        seq(
          field('object', $._primary),
          optional(token.immediate('.')),
          token.immediate('['),
          field('index', $._expression),
          ']',
        ),
      ),

    parenthesized_expression: ($) => seq('(', $._expression, ')'),

    object_literal: ($) => seq('{', separated($, choice($.pair, $.spread_element)), '}'),

    pair: ($) =>
      seq(
        optional(field('disabled', '!')),
        field('key', choice($._name, alias($.dotted_key, $.dotted_name), $.string, $._assignable)),
        ':',
        field('value', $._expression),
      ),

    dotted_key: ($) => seq($._name, repeat1(seq(token.immediate('.'), $._name))),

    array_literal: ($) => seq('[', separated($, choice($._expression, $.spread_element)), ']'),

    spread_element: ($) => seq('...', $._expression),

    // `!int "5"`, `!text "[1,2]"`: a cast of a string literal.
    tagged_literal: ($) => seq('!', field('tag', $.identifier), field('value', $.string)),

    // `$env.$remote_ip`: built-in environment names carry their own `$`.
    // `$rows.0.id` occurs in exported code beside `$rows[0].id`.
    _property: ($) => choice($._name, alias($.variable, $.identifier), $.number),

    _separator: ($) => choice(',', $._newline),

    // ---------------------------------------------------------------- names and tokens

    _name: ($) => choice($.identifier, alias(choice(...NAME_KEYWORDS), $.identifier)),

    // A statement argument never is `as` (that starts the binding).
    _argument_name: ($) =>
      choice($.identifier, alias(choice(...NAME_KEYWORDS.filter((k) => k !== 'as')), $.identifier)),

    // A field may be called almost anything, but `text filters=trim` has no name.
    _field_name: ($) =>
      choice($.identifier, alias(choice(...NAME_KEYWORDS.filter((k) => k !== 'filters')), $.identifier)),

    identifier: (_) => /[A-Za-z_][A-Za-z0-9_]*/,

    variable: (_) => token(seq('$', choice(/[A-Za-z_][A-Za-z0-9_]*/, '$'))),

    // Unquoted names with `/` segments: `users/list`, `orders/{order_id}/items`.
    path: (_) =>
      token(
        seq(
          /[A-Za-z0-9_-]+/,
          repeat1(seq('/', choice(/[A-Za-z0-9_-]+/, seq('{', /[A-Za-z0-9_]+/, '}')))),
        ),
      ),

    string: ($) =>
      choice(
        seq('"', repeat(choice(alias(token.immediate(prec(1, /[^"\\]+/)), $.string_content), $.escape_sequence)), '"'),
        seq("'", repeat(choice(alias(token.immediate(prec(1, /[^'\\]+/)), $.string_content), $.escape_sequence)), "'"),
      ),

    escape_sequence: (_) => token.immediate(/\\(.|\r?\n)/),

    // `` `$input|pick:($raw|keys)` `` — an expression stored verbatim.
    expression_literal: (_) => token(seq('`', repeat(choice(/[^`\\]/, /\\./)), '`')),

    number: (_) => /\d+(\.\d+)?/,

    // Schedules: `2026-01-05 06:30:00+0000` is one token although it holds a space.
    timestamp: (_) => /\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d([+-]\d\d:?\d\d|Z)?/,

    boolean: (_) => choice('true', 'false'),
    null: (_) => 'null',
    now: (_) => 'now',

    comment: (_) => token(seq('//', /[^\r\n]*/)),
  },
});
