; Scopes and definitions (nvim-treesitter's locals captures).
; Every object is a scope: its inputs and stack variables are visible to the whole object.
(object) @local.scope

; `var $total { ... }` defines `$total`.
(statement
  name: (dotted_name) @_name
  argument: (variable) @local.definition.var
  (#eq? @_name "var"))

; `... as $user` defines `$user`; `each as $item` too.
(statement
  alias: (variable) @local.definition.var)

(field_declaration
  name: (identifier) @local.definition.parameter)

(variable) @local.reference
