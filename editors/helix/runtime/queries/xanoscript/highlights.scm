; XanoScript highlights for Helix (Helix theme scopes). Later patterns win.
; Adapted from tree-sitter-xanoscript/queries/highlights.scm.

; Literals
(string) @string

(raw_string) @string

(escape_sequence) @constant.character.escape

(regex) @string.regexp

[
  (expression_literal)
  (raw_expression)
] @string.special

[
  (number)
  (timestamp)
] @constant.numeric

(boolean) @constant.builtin.boolean

[
  (null)
  (now)
] @constant.builtin

(comment) @comment

; Objects: `query "path" verb=GET {`, `table user {`
(object
  kind: (dotted_name) @keyword.storage.type)

(object
  name: [
    (identifier)
    (string)
    (path)
  ] @type)

(inline_attribute
  key: (identifier) @variable.other.member)

(inline_attribute
  value: (identifier) @constant)

; Clauses and attributes: `auth = "user"`, `field_name = "id"`
(attribute
  key: (identifier) @variable.other.member)

(field_list
  kind: _ @keyword)

; Statements: `db.get user { ... } as $user`
(statement
  name: (dotted_name) @function.builtin)

(statement
  name: (dotted_name
    .
    (identifier) @keyword.control.conditional .)
  (#any-of? @keyword.control.conditional "conditional" "if" "elseif" "else" "switch" "case" "default"))

(statement
  name: (dotted_name
    .
    (identifier) @keyword.control.repeat .)
  (#any-of? @keyword.control.repeat "foreach" "for" "each" "while" "break" "continue"))

(statement
  name: (dotted_name
    .
    (identifier) @keyword.control.exception .)
  (#any-of? @keyword.control.exception "try_catch" "try" "catch" "finally" "throw" "precondition"))

(statement
  name: (dotted_name
    .
    (identifier) @keyword.control.return .)
  (#eq? @keyword.control.return "return"))

(statement
  name: (dotted_name
    .
    (identifier) @keyword.control .)
  (#any-of? @keyword.control "group" "stack"))

(statement
  argument: [
    (identifier)
    (path)
  ] @type)

(statement
  disabled: "!" @comment)

"as" @keyword

"break" @keyword.control.repeat

; Field declarations: `text name? filters=trim { sensitive = true }`
(field_declaration
  type: (identifier) @type.builtin)

(field_declaration
  name: (identifier) @variable.other.member)

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
  property: (identifier) @variable.other.member)

(pair
  key: [
    (identifier)
    (dotted_name)
  ] @variable.other.member)

(filter
  name: (identifier) @function)

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
