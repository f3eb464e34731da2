; Every object is a scope: its inputs and stack variables are visible to the whole object.
(object) @local.scope

; `var $total { ... }` defines `$total`.
(statement
  name: (dotted_name) @_name
  argument: (variable) @local.definition
  (#eq? @_name "var"))

; `... as $user` defines `$user`; `each as $item` too.
(statement
  alias: (variable) @local.definition)

(field_declaration
  name: (identifier) @local.definition)

(variable) @local.reference
