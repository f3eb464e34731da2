[
  (block)
  (field_list)
  (object_literal)
  (array_literal)
  (parenthesized_expression)
] @indent

[
  "}"
  "]"
  ")"
] @outdent
