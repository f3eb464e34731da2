; Endpoints, functions, tables and every other object are definitions an outline can list.
(object
  kind: (dotted_name) @_kind
  name: (_) @name
  (#eq? @_kind "function")) @definition.function

(object
  kind: (dotted_name) @_kind
  name: (_) @name
  (#any-of? @_kind "query" "api_group" "table" "task" "middleware" "addon" "tool" "agent")) @definition.module

; `function.run "name"` calls a function.
(statement
  name: (dotted_name) @_call
  argument: [(string) (identifier) (path)] @name
  (#any-of? @_call "function.run" "function.call" "addon.call" "task.call" "tool.call" "middleware.call")) @reference.call

(statement
  name: (dotted_name) @_db
  argument: [(string) (identifier)] @name
  (#match? @_db "^db\\.")) @reference.table
