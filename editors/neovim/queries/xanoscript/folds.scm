[
  (block)
  (field_list)
  (object_literal)
  (array_literal)
  (raw_string)
  (raw_expression)
] @fold
