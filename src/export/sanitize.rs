//! Validation of the few data values a template interprets rather than prints (colours, URLs,
//! code languages), and line-break hints for long tokens. Pure string functions.

use std::borrow::Cow;

/// A `#rgb`/`#rrggbb` colour, normalised to `#rrggbb`; anything else is dropped.
pub(crate) fn hex_color(raw: &str) -> Option<String> {
    let hex = raw.trim().strip_prefix('#').unwrap_or(raw.trim());
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    match hex.len() {
        6 => Some(format!("#{}", hex.to_ascii_lowercase())),
        3 => Some(hex.chars().fold(String::from("#"), |mut s, c| {
            s.push(c.to_ascii_lowercase());
            s.push(c.to_ascii_lowercase());
            s
        })),
        _ => None,
    }
}

/// Links survive only with a scheme a PDF reader opens harmlessly.
pub(crate) fn safe_url(raw: &str) -> Option<String> {
    let url = raw.trim();
    let scheme = url.split_once(':')?.0.to_ascii_lowercase();
    (matches!(scheme.as_str(), "http" | "https" | "mailto")
        && url.len() <= 2048
        && !url.chars().any(char::is_control))
    .then(|| url.to_owned())
}

/// Code block languages go to typst's syntax highlighter: keep a plain identifier only.
pub(crate) fn code_language(raw: &str) -> Option<String> {
    let lang = raw.trim().to_ascii_lowercase();
    (lang.len() <= 32
        && lang
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+#-_.".contains(&b)))
    .then_some(lang)
}

/// Inserts zero-width spaces into long unbroken ASCII runs (URLs, paths, hashes) so they wrap
/// inside table cells instead of running off the page: typst does not break inside a word.
/// Scripts without spaces (Thai, CJK) are left alone; typst segments them itself.
pub(crate) fn soft_wrap(text: &str, threshold: usize) -> Cow<'_, str> {
    const ZWSP: char = '\u{200b}';
    if !text
        .split_whitespace()
        .any(|t| t.chars().count() > threshold)
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for piece in text.split_inclusive(char::is_whitespace) {
        if piece.trim_end().chars().count() <= threshold {
            out.push_str(piece);
            continue;
        }
        let mut run = 0;
        for c in piece.chars() {
            out.push(c);
            if c.is_whitespace() {
                run = 0;
            } else if "/\\.-_?&=,;:|@#+".contains(c) {
                out.push(ZWSP);
                run = 0;
            } else if c.is_ascii() {
                run += 1;
                if run >= 20 {
                    out.push(ZWSP);
                    run = 0;
                }
            } else {
                run = 0;
            }
        }
    }
    Cow::Owned(out)
}
