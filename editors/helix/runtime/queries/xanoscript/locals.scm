; Scopes and definitions (Helix: `@local.definition.<highlight>` colours the references too).
; Every object is a scope: its inputs and stack variables are visible to the whole object.
(object) @local.scope

; `var $total { ... }` defines `$total`.
(statement
  name: (dotted_name) @_name
  argument: (variable) @local.definition.variable
  (#eq? @_name "var"))

; `... as $user` defines `$user`; `each as $item` too.
(statement
  alias: (variable) @local.definition.variable)

(variable) @local.reference
