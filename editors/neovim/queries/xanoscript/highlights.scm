; XanoScript highlights for Neovim (nvim-treesitter capture names).
; Adapted from tree-sitter-xanoscript/queries/highlights.scm. Later patterns win.

; Literals
(string) @string

(raw_string) @string

(escape_sequence) @string.escape

(regex) @string.regexp

[
  (expression_literal)
  (raw_expression)
] @string.special

(number) @number

(timestamp) @string.special

(boolean) @boolean

[
  (null)
  (now)
] @constant.builtin

(comment) @comment @spell

; Objects: `query "path" verb=GET {`, `table user {`
(object
  kind: (dotted_name) @keyword.type)

(object
  name: [
    (identifier)
    (string)
    (path)
  ] @type.definition)

(inline_attribute
  key: (identifier) @property)

(inline_attribute
  value: (identifier) @constant)

; Clauses and attributes: `auth = "user"`, `field_name = "id"`
(attribute
  key: (identifier) @property)

(field_list
  kind: _ @keyword)

; Statements: `db.get user { ... } as $user`
(statement
  name: (dotted_name) @function.builtin)

(statement
  name: (dotted_name
    .
    (identifier) @keyword.conditional .)
  (#any-of? @keyword.conditional "conditional" "if" "elseif" "else" "switch" "case" "default"))

(statement
  name: (dotted_name
    .
    (identifier) @keyword.repeat .)
  (#any-of? @keyword.repeat "foreach" "for" "each" "while" "break" "continue"))

(statement
  name: (dotted_name
    .
    (identifier) @keyword.exception .)
  (#any-of? @keyword.exception "try_catch" "try" "catch" "finally" "throw" "precondition"))

(statement
  name: (dotted_name
    .
    (identifier) @keyword.return .)
  (#eq? @keyword.return "return"))

(statement
  name: (dotted_name
    .
    (identifier) @keyword .)
  (#any-of? @keyword "group" "stack"))

(statement
  argument: [
    (identifier)
    (path)
  ] @type)

(statement
  disabled: "!" @comment)

"as" @keyword

"break" @keyword.repeat

; Field declarations: `text name? filters=trim { sensitive = true }`
(field_declaration
  type: (identifier) @type.builtin)

(field_declaration
  name: (identifier) @variable.member)

"filters" @keyword

(table_link_filter
  "@" @operator)

; Expressions
(variable) @variable

((variable) @variable.builtin
  (#any-of? @variable.builtin
    "$input" "$auth" "$env" "$db" "$var" "$this" "$index" "$parent" "$result" "$output" "$response"
    "$error" "$toolset" "$args" "$$"))

(member_expression
  property: (identifier) @variable.member)

(pair
  key: [
    (identifier)
    (dotted_name)
  ] @property)

(filter
  name: (identifier) @function.call)

(tagged_literal
  tag: (identifier) @type.builtin)

; Operators and punctuation
[
  "=" "==" "!=" "===" "!==" "<" "<=" ">" ">=" "!~" "@>" "+" "-" "*" "/" "%" "~" "&" "&&" "||"
  "??" "?" "?:" ":" "!" ".." "..." "|"
] @operator

[
  "in" "contains" "includes" "overlaps" "like" "ilike" "between" "search"
  "not in" "not contains" "not includes" "not overlaps" "not like" "not ilike" "not between"
] @keyword.operator

[
  "{" "}" "[" "]" "(" ")"
] @punctuation.bracket

[
  "," "."
] @punctuation.delimiter
