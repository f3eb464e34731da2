; `mat`/`mit`: a whole object (endpoint, function, table ...) or its body.
(object
  body: (block) @class.inside) @class.around

; `maf`/`mif`: a statement with a body (`db.get user { ... } as $u`, `if (...) { ... }`).
(statement
  body: (block) @function.inside) @function.around

; `maT`/`miT`: a `test "name" { ... }` clause.
(statement
  name: (dotted_name) @_name
  body: (block) @test.inside
  (#eq? @_name "test")) @test.around

; `mae`: an attribute or an object-literal entry.
[
  (attribute)
  (pair)
] @entry.around

(pair
  value: (_) @entry.inside)

(attribute
  value: (_) @entry.inside)

; `maa`: an input field.
(field_declaration) @parameter.around

(comment) @comment.inside

(comment)+ @comment.around
