use tree_sitter::{Node, Parser};
fn dump(node: Node, src: &[u8], depth: usize) {
    let lang = tree_sitter::Language::new(tree_sitter_xanoscript::LANGUAGE);
    let text = node.utf8_text(src).unwrap_or("");
    let t: String = text.chars().take(20).collect();
    let mut exp = Vec::new();
    if node.child_count() == 0 || node.is_error() {
        if let Some(mut it) = lang.lookahead_iterator(node.next_parse_state()) {
            for s in it.iter_names() { exp.push(s); }
        }
    }
    println!("{}{} [{:?}] state={} next={} missing={} err={} {:?} next_expects={:?}", "  ".repeat(depth), node.kind(), node.byte_range(), node.parse_state(), node.next_parse_state(), node.is_missing(), node.is_error(), t, exp.iter().take(15).collect::<Vec<_>>());
    let mut c = node.walk();
    for ch in node.children(&mut c) { dump(ch, src, depth + 1); }
}
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let src = std::fs::read(&path).unwrap();
    let mut p = Parser::new();
    p.set_language(&tree_sitter_xanoscript::LANGUAGE.into()).unwrap();
    let tree = p.parse(&src, None).unwrap();
    dump(tree.root_node(), &src, 0);
}
