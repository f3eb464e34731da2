//! Text into HTML: escaping, and the Markdown that messages (code spans, bold) and rule
//! documentation (headings, lists, code blocks) are written in. Everything not Markdown is
//! escaped, so no finding can inject markup into the page.

/// Escapes text for an element's content or a quoted attribute.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// One line of Markdown: `code` spans and **bold**; the rest escaped.
pub fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('`') {
            // A run of backticks opens a span that the same run closes (CommonMark).
            let ticks = 1 + after.len() - after.trim_start_matches('`').len();
            let fence = &rest[..ticks];
            if let Some(end) = rest[ticks..].find(fence) {
                let code = rest[ticks..ticks + end].trim_matches(' ');
                out.push_str("<code>");
                out.push_str(&esc(code));
                out.push_str("</code>");
                rest = &rest[ticks + end + ticks..];
                continue;
            }
            out.push_str(&esc(fence));
            rest = &rest[ticks..];
            continue;
        }
        if let Some(after) = rest.strip_prefix("**")
            && let Some(end) = after.find("**")
            && end > 0
        {
            out.push_str("<strong>");
            out.push_str(&inline(&after[..end]));
            out.push_str("</strong>");
            rest = &after[end + 2..];
            continue;
        }
        let next = rest[1..].find(['`', '*']).map_or(rest.len(), |i| i + 1);
        out.push_str(&esc(&rest[..next]));
        rest = &rest[next..];
    }
    out
}

/// Markdown as plain text, for `title` tooltips: the backticks and stars left out, escaped.
pub fn plain(text: &str) -> String {
    esc(&text.replace("**", "").replace('`', ""))
}

/// A rule's documentation: `##` headings, paragraphs, `-` lists (continued by indented
/// lines) and fenced code blocks.
pub fn blocks(doc: &str) -> String {
    let mut out = String::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut items: Vec<String> = Vec::new();
    let mut code: Option<Vec<&str>> = None;
    let flush = |out: &mut String, paragraph: &mut Vec<&str>, items: &mut Vec<String>| {
        if !paragraph.is_empty() {
            out.push_str("<p>");
            out.push_str(&inline(&paragraph.join(" ")));
            out.push_str("</p>\n");
            paragraph.clear();
        }
        if !items.is_empty() {
            out.push_str("<ul>");
            for item in items.drain(..) {
                out.push_str("<li>");
                out.push_str(&inline(&item));
                out.push_str("</li>");
            }
            out.push_str("</ul>\n");
        }
    };
    for line in doc.lines() {
        if let Some(lines) = &mut code {
            if line.trim_start().starts_with("```") {
                out.push_str("<pre class=\"doc-code\"><code>");
                out.push_str(&esc(&lines.join("\n")));
                out.push_str("</code></pre>\n");
                code = None;
            } else {
                lines.push(line);
            }
            continue;
        }
        if line.trim_start().starts_with("```") {
            flush(&mut out, &mut paragraph, &mut items);
            code = Some(Vec::new());
        } else if let Some(title) = line.strip_prefix("## ") {
            flush(&mut out, &mut paragraph, &mut items);
            out.push_str("<h4>");
            out.push_str(&inline(title));
            out.push_str("</h4>\n");
        } else if let Some(item) = line.strip_prefix("- ") {
            if !paragraph.is_empty() {
                let mut none = Vec::new();
                flush(&mut out, &mut paragraph, &mut none);
            }
            items.push(item.to_string());
        } else if line.trim().is_empty() {
            flush(&mut out, &mut paragraph, &mut items);
        } else if line.starts_with("  ")
            && let Some(last) = items.last_mut()
        {
            last.push(' ');
            last.push_str(line.trim());
        } else {
            if !items.is_empty() {
                let mut none = Vec::new();
                flush(&mut out, &mut none, &mut items);
            }
            paragraph.push(line.trim());
        }
    }
    if let Some(lines) = code {
        out.push_str("<pre class=\"doc-code\"><code>");
        out.push_str(&esc(&lines.join("\n")));
        out.push_str("</code></pre>\n");
    }
    flush(&mut out, &mut paragraph, &mut items);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_render_and_markup_is_escaped() {
        assert_eq!(
            inline("add `auth = \"user\"` to <b>"),
            "add <code>auth = &quot;user&quot;</code> to &lt;b&gt;"
        );
        assert_eq!(inline("a ``x ` y`` b"), "a <code>x ` y</code> b");
        assert_eq!(inline("an ` alone"), "an ` alone");
        assert_eq!(inline("**bold** *x*"), "<strong>bold</strong> *x*");
        assert_eq!(inline("`<script>`"), "<code>&lt;script&gt;</code>");
    }

    #[test]
    fn documentation_blocks() {
        let html =
            blocks("## Fix\nRequire `auth`:\n```xs\nauth = \"user\"\n```\n- one\n  more\n- two\n");
        assert_eq!(
            html,
            "<h4>Fix</h4>\n<p>Require <code>auth</code>:</p>\n<pre class=\"doc-code\"><code>auth = &quot;user&quot;</code></pre>\n<ul><li>one more</li><li>two</li></ul>\n"
        );
    }
}
