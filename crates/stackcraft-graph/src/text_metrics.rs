//! Text widths for layout, without a font file: per-character advances of DejaVu Sans (the
//! first font the SVG asks for), rounded up, so boxes are never narrower than their text
//! when the viewer falls back to a narrower sans-serif font.

/// Width in pixels of `text` at `size` pixels.
pub fn width(text: &str, size: f64, bold: bool) -> f64 {
    let em: f64 = text.chars().map(advance).sum();
    em * size * if bold { 1.1 } else { 1.0 }
}

/// Advance of one character, in em.
fn advance(c: char) -> f64 {
    match c {
        'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' => 0.3,
        ' ' | 'f' | 't' | 'r' | 'I' | '(' | ')' | '[' | ']' | '/' => 0.42,
        'm' | 'w' | 'M' | 'W' | '@' => 0.98,
        'A'..='Z' => 0.78,
        '0'..='9' => 0.66,
        'a'..='z' => 0.64,
        _ => 0.7,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn wider_text_measures_wider() {
        assert!(super::width("Database", 13.0, false) > super::width("Api", 13.0, false));
        assert!(super::width("Api", 13.0, true) > super::width("Api", 13.0, false));
    }
}
