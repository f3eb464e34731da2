[
  (block)
  (field_list)
  (object_literal)
  (array_literal)
  (parenthesized_expression)
] @indent.begin

[
  "}"
  "]"
  ")"
] @indent.branch @indent.end

(comment) @indent.auto
