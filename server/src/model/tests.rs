use super::*;

fn model(src: &str) -> SourceFile {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_xanoscript::LANGUAGE.into())
        .unwrap();
    let tree = parser.parse(src, None).unwrap();
    lower(tree.root_node(), src)
}

const ENDPOINT: &str = r#"// Change the note on an order.
query "orders/{order_id}" verb=PATCH {
  api_group = "shop"
  auth = "user"
  input {
    int order_id filters=min:1
    text? note? {
      sensitive = false
    }
  }
  stack {
    db.get order {
      field_name = "id"
      field_value = $input.order_id
    } as $order
    !debug.log { value = $input }
    conditional {
      if ($order.user_id != $auth.id) {
        throw { name = "x" }
      }
    }
  }
  response = {id: $order.id, note: $input.note|trim}
}
"#;

#[test]
fn lowers_an_endpoint() {
    let file = model(ENDPOINT);
    assert_eq!(file.objects.len(), 1);
    assert_eq!(file.comments.len(), 1);
    let q = &file.objects[0];
    assert_eq!(q.kind.value, "query");
    assert_eq!(q.name.as_ref().unwrap().value, "orders/{order_id}");
    assert_eq!(q.header("verb").unwrap().value.kind_word(), Some("PATCH"));
    assert_eq!(
        q.attribute("auth").unwrap().value.string_value(),
        Some("user")
    );

    let input = q.fields("input").unwrap();
    assert_eq!(input.fields.len(), 2);
    let note = &input.fields[1];
    assert_eq!(note.name.as_ref().unwrap().value, "note");
    assert!(note.nullable && note.optional);
    assert_eq!(
        note.attribute("sensitive").unwrap().value.as_bool(),
        Some(false)
    );
    assert_eq!(input.fields[0].filters[0].name.value, "min");

    let stack = q.stack().unwrap();
    let names: Vec<_> = stack
        .walk_statements()
        .iter()
        .map(|s| s.name.value.as_str())
        .collect();
    assert_eq!(names, ["db.get", "debug.log", "conditional", "if", "throw"]);
    let get = stack.statements().next().unwrap();
    assert_eq!(get.target_name().unwrap().value, "order");
    assert_eq!(get.alias_name(), Some("order"));
    let value = &get.attribute("field_value").unwrap().value;
    let var = value.as_var().unwrap();
    assert_eq!(
        (var.root.as_str(), var.first_field()),
        ("input", Some("order_id"))
    );
    assert!(stack.statements().nth(1).unwrap().disabled);

    let response = &q.attribute("response").unwrap().value;
    let note = response.get("note").unwrap();
    assert!(
        matches!(&note.kind, ExprKind::Filtered { filters, .. } if filters[0].name.value == "trim")
    );
    assert_eq!(
        &ENDPOINT[response.span.clone()],
        "{id: $order.id, note: $input.note|trim}"
    );
}

#[test]
fn flattens_variable_paths() {
    let file = model(
        "function f {\n  stack {\n    var $a { value = $env.$http_headers[\"x\"].y.0 }\n  }\n  response = null\n}\n",
    );
    let stack = file.objects[0].stack().unwrap();
    let value = &stack
        .statements()
        .next()
        .unwrap()
        .attribute("value")
        .unwrap()
        .value;
    let var = value.as_var().unwrap();
    assert_eq!(var.root, "env");
    assert_eq!(var.first_field(), Some("$http_headers"));
    assert_eq!(var.segments.len(), 4);
}

#[test]
fn reads_triple_quoted_blocks() {
    let src = "function f {\n  description = \"\"\"\n    line one\n      indented\n    \"\"\"\n  stack {\n  }\n  response = null\n}\n";
    let file = model(src);
    let d = file.objects[0].attribute("description").unwrap();
    assert_eq!(d.value.string_value(), Some("line one\n  indented"));
}

#[test]
fn keeps_complete_parts_of_a_broken_file() {
    let src = "function f {\n  stack {\n    var $a { value = 1 }\n    var $b { value = \n  }\n  response = $a\n}\n";
    let file = model(src);
    let stack = file.objects[0].stack().unwrap();
    assert!(stack.statements().any(|s| {
        s.first_expr()
            .and_then(|e| e.as_var())
            .is_some_and(|v| v.root == "a")
    }));
}

#[test]
fn deep_nesting_is_cut_off_without_overflow() {
    let depth = 20_000;
    let src = format!(
        "function f {{\n  response = {}1{}\n}}\n",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    let file = model(&src);
    assert_eq!(file.objects.len(), 1);
}

/// Three objects; edits in each of them, between them, and ones that break the file.
#[test]
fn reusing_objects_gives_the_model_of_a_fresh_lowering() {
    let old = format!(
        "// notes\n{ENDPOINT}\nfunction \"a/b\" {{\n  input {{\n    text name\n  }}\n  stack {{\n    var $x {{ value = [1, {{k: $input.name|trim}}] }}\n  }}\n  response = $x\n}}\n\ntable user {{\n  auth = true\n  schema {{\n    int id\n  }}\n}}\n"
    );
    let edits: Vec<(usize, usize, &str)> = [
        ("note", "x"),
        ("notes", ""),
        ("$input.name", "$input.name.first"),
        ("int id", "int id\n    text email"),
        ("}\n\ntable", "}\n// between\ntable"),
        ("response = $x", "response = $x ?? {"),
        ("table user", "table people"),
        // Inside the blocks of an object: nested statements, a new one, one taken away.
        ("field_value = $input.order_id", "field_value = $input.id"),
        ("name = \"x\"", "name = \"xy\""),
        ("    !debug.log", "    var $y { value = 1 }\n    !debug.log"),
        ("    !debug.log { value = $input }\n", ""),
        ("text? note? {", "text? note? filters=trim {"),
    ]
    .iter()
    .map(|(find, with)| {
        let at = old.find(find).unwrap();
        (at, at + find.len(), *with)
    })
    .collect();
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_xanoscript::LANGUAGE.into())
        .unwrap();
    let old_tree = parser.parse(&old, None).unwrap();
    let previous = lower(old_tree.root_node(), &old);
    assert_eq!(previous.objects.len(), 3);
    for (start, end, with) in edits {
        let new = format!("{}{with}{}", &old[..start], &old[end..]);
        let tree = parser.parse(&new, None).unwrap();
        let reused = lower_reusing(tree.root_node(), &new, &old, &previous);
        let fresh = lower(tree.root_node(), &new);
        assert_eq!(
            format!("{reused:?}"),
            format!("{fresh:?}"),
            "after replacing {start}..{end} with {with:?}"
        );
    }
}
