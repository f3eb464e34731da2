; Literals
(string) @string

(raw_string) @string

(escape_sequence) @string.escape

(regex) @string.regexp

(expression_literal) @string.special

(raw_expression) @string.special

(number) @number

(timestamp) @number

(boolean) @boolean

[
  (null)
  (now)
] @constant.builtin

(comment) @comment

; Objects: `query "path" verb=GET {`, `table user {`
(object
  kind: (dotted_name) @keyword)

(object
  name: (identifier) @type)

(object
  name: (string) @type)

(object
  name: (path) @type)

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
    (identifier) @keyword.control)
  (#any-of? @keyword.control
    "conditional" "if" "elseif" "else" "switch" "case" "default" "foreach" "for" "each" "while"
    "try_catch" "try" "catch" "finally" "break" "continue" "return" "throw" "precondition" "group"
    "stack"))

(statement
  argument: (identifier) @type)

(statement
  argument: (path) @type)

(statement
  disabled: "!" @comment.unused)

[
  "as"
  "break"
] @keyword

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
  (#match? @variable.builtin "^\\$(input|auth|env|db|var|this|index|parent|result|output|response|error|toolset|args|\\$)$"))

(member_expression
  property: (identifier) @property)

(pair
  key: (identifier) @property)

(pair
  key: (dotted_name) @property)

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
