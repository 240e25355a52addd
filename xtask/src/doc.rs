//! Turns schema descriptions into doc comments that rustdoc renders as plain prose: no code
//! blocks (indentation is dropped, fences are escaped), no intra-doc links (`[x]` not followed
//! by `(url)` is escaped), no HTML (`<`, `>` become entities), bare URLs wrapped in `<...>`.

/// The lines of a doc comment (without the `///`), empty when there is nothing to say.
pub fn lines(text: &str) -> Vec<String> {
    let text = text.replace("\r\n", "\n").replace(['\r', '\t'], " ");
    let mut out: Vec<String> = Vec::new();
    for raw in text.split('\n') {
        let line = raw.trim();
        if line.is_empty() {
            if out.last().is_some_and(|l| !l.is_empty()) {
                out.push(String::new());
            }
            continue;
        }
        out.push(escape_line(line));
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out
}

/// Emits `///` lines at the given indentation.
pub fn emit(out: &mut String, indent: &str, text: &str) {
    for l in lines(text) {
        if l.is_empty() {
            out.push_str(&format!("{indent}///\n"));
        } else {
            out.push_str(&format!("{indent}/// {l}\n"));
        }
    }
}

fn escape_line(line: &str) -> String {
    let mut line = line.to_owned();
    if line.starts_with("```") || line.starts_with("~~~") {
        line.insert(0, '\\');
    }
    // Markdown headings, block quotes and thematic breaks would only confuse the summary line.
    if line.starts_with('#') {
        line.insert(0, '\\');
    }
    // Code spans are kept verbatim when the backticks are balanced.
    let parts: Vec<&str> = line.split('`').collect();
    let balanced = parts.len() % 2 == 1;
    let mut s = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            s.push('`');
        }
        if balanced && i % 2 == 1 {
            s.push_str(part);
        } else {
            s.push_str(&escape_prose(part));
        }
    }
    s
}

/// Escapes text outside code spans.
fn escape_prose(text: &str) -> String {
    let html = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let chars: Vec<char> = html.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '[' => {
                // Keep `[text](url)` links; escape every other bracket.
                let close = chars[i + 1..].iter().position(|&c| c == ']' || c == '[');
                match close {
                    Some(off)
                        if chars[i + 1 + off] == ']'
                            && chars.get(i + 2 + off) == Some(&'(')
                            && link_end(&chars, i + 2 + off).is_some() =>
                    {
                        let end = link_end(&chars, i + 2 + off).unwrap();
                        let text: String = chars[i + 1..i + 1 + off].iter().collect();
                        let url: String = chars[i + 3 + off..end].iter().collect();
                        out.push('[');
                        out.push_str(&text);
                        out.push_str("](");
                        out.push_str(&url);
                        out.push(')');
                        i = end + 1;
                        continue;
                    }
                    _ => out.push_str("\\["),
                }
            }
            ']' => out.push_str("\\]"),
            'h' if starts_url(&chars, i) => {
                let mut end = i;
                while end < chars.len()
                    && !chars[end].is_whitespace()
                    && !matches!(chars[end], ')' | '(' | '"' | '\'' | ',' | '[' | ']' | '&')
                {
                    end += 1;
                }
                while end > i && matches!(chars[end - 1], '.' | ':' | ';' | '!' | '?') {
                    end -= 1;
                }
                let url: String = chars[i..end].iter().collect();
                out.push('<');
                out.push_str(&url);
                out.push('>');
                i = end;
                continue;
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// `(` at `open` starts a link target `(http...)`: returns the index of its `)`.
fn link_end(chars: &[char], open: usize) -> Option<usize> {
    if !starts_url(chars, open + 1) && chars.get(open + 1) != Some(&'#') {
        return None;
    }
    let close = chars[open + 1..].iter().position(|&c| c == ')')?;
    let url = &chars[open + 1..open + 1 + close];
    if url.iter().any(|c| c.is_whitespace()) {
        return None;
    }
    Some(open + 1 + close)
}

fn starts_url(chars: &[char], i: usize) -> bool {
    let rest: String = chars[i..chars.len().min(i + 8)].iter().collect();
    rest.starts_with("http://") || rest.starts_with("https://")
}

#[cfg(test)]
mod tests {
    use super::lines;

    #[test]
    fn escapes() {
        assert_eq!(
            lines("  See [the guide](https://x.y/z) or [this] <b>.\n\n\n    code"),
            vec![
                "See [the guide](https://x.y/z) or \\[this\\] &lt;b&gt;.".to_owned(),
                String::new(),
                "code".to_owned()
            ]
        );
        assert_eq!(
            lines("Go to https://a.b/c. And `<x>`"),
            vec!["Go to <https://a.b/c>. And `<x>`".to_owned()]
        );
        assert_eq!(lines("[#/foo](#bar)"), vec!["[#/foo](#bar)".to_owned()]);
    }
}
