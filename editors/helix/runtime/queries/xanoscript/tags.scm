; The symbol picker (`<space>s`): `@name` is what it shows, `@definition.*` the whole item.
(object
  kind: (dotted_name) @_kind
  name: (_) @name
  (#eq? @_kind "function")) @definition.function

(object
  kind: (dotted_name) @_kind
  name: (_) @name
  (#any-of? @_kind "query" "api_group" "task" "middleware" "addon" "tool" "agent")) @definition.module

(object
  kind: (dotted_name) @_kind
  name: (_) @name
  (#eq? @_kind "table")) @definition.struct
