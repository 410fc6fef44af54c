//! Inline content → Markdown: escaping, code spans, and marks opened and closed as a stack.
//!
//! The longest-lived mark is opened outermost (the prosemirror-markdown strategy), so
//! overlapping marks nest. Where delimiters touch text or each other (Thai and Japanese do not
//! space words), the result is checked by parsing it back, with `_` and HTML-tag fallbacks.

use super::{card_md, media_md};
use crate::adf::model::{Inline, Marks};
use crate::adf::safe_href;
use crate::adf::text::emoji_text;

/// Where inline content sits: it decides what needs escaping and how breaks are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Context {
    Body,
    Heading,
    Cell,
}

/// How a `hardBreak` is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Breaks {
    /// Backslash + newline (CommonMark hard break).
    Hard,
    /// A space (headings cannot break).
    Space,
    /// `<br>` (GFM table cells are one line).
    Html,
}

/// A Markdown delimiter pair, opened and closed around text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Delim<'a> {
    Link { href: &'a str, title: &'a str },
    Strong,
    Em,
    Strike,
}

/// How an emphasis delimiter is spelled. `*` is the default; `_` and HTML tags are fallbacks
/// for the rare transitions where `*` runs would touch and CommonMark would pair them wrongly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Star,
    Underscore,
    Html,
}

impl Delim<'_> {
    fn opener(&self, style: Style) -> &'static str {
        match (self, style) {
            (Delim::Link { .. }, _) => "[",
            (Delim::Strong, Style::Star) => "**",
            (Delim::Strong, Style::Underscore) => "__",
            (Delim::Strong, Style::Html) => "<strong>",
            (Delim::Em, Style::Star) => "*",
            (Delim::Em, Style::Underscore) => "_",
            (Delim::Em, Style::Html) => "<em>",
            (Delim::Strike, Style::Html) => "<del>",
            (Delim::Strike, _) => "~~",
        }
    }

    fn closer(&self, style: Style) -> String {
        match (self, style) {
            (Delim::Link { href, title }, _) if title.trim().is_empty() => {
                format!("]({})", destination(href))
            }
            (Delim::Link { href, title }, _) => {
                let title = title
                    .replace(['\n', '\r'], " ")
                    .replace('\\', "\\\\")
                    .replace('"', "\\\"");
                format!("]({} \"{title}\")", destination(href))
            }
            (Delim::Strong, Style::Html) => "</strong>".to_owned(),
            (Delim::Em, Style::Html) => "</em>".to_owned(),
            (Delim::Strike, Style::Html) => "</del>".to_owned(),
            (other, style) => other.opener(style).to_owned(),
        }
    }
}

fn delims(marks: &Marks) -> Vec<Delim<'_>> {
    let mut out = Vec::new();
    if let Some(link) = &marks.link
        && let Some(href) = safe_href(&link.href)
    {
        out.push(Delim::Link {
            href,
            title: &link.title,
        });
    }
    if marks.strong {
        out.push(Delim::Strong);
    }
    if marks.em {
        out.push(Delim::Em);
    }
    if marks.strike {
        out.push(Delim::Strike);
    }
    out
}

/// One piece of inline output and the delimiters it sits in.
struct Run<'a> {
    delims: Vec<Delim<'a>>,
    piece: Piece<'a>,
}

enum Piece<'a> {
    /// Text to escape; surrounding whitespace is moved outside the delimiters.
    Text(&'a str),
    /// Text to escape as one unit (mentions, emoji, status, dates).
    Atom(String),
    /// A code span's content.
    Code(&'a str),
    /// Finished Markdown (autolinks, images).
    Markup(String),
    Break,
}

impl Run<'_> {
    /// Whitespace-only text changes no marks: it joins whatever is open around it.
    fn is_blank(&self) -> bool {
        matches!(self.piece, Piece::Text(text) if text.trim().is_empty())
    }
}

fn runs(inlines: &[Inline]) -> Vec<Run<'_>> {
    inlines
        .iter()
        .map(|inline| match inline {
            Inline::Text { text, marks } if marks.code => Run {
                delims: delims(marks),
                piece: Piece::Code(text),
            },
            Inline::Text { text, marks } => Run {
                delims: delims(marks),
                piece: Piece::Text(text),
            },
            Inline::Break => Run {
                delims: Vec::new(),
                piece: Piece::Break,
            },
            Inline::Mention { id, name } => Run {
                delims: Vec::new(),
                piece: Piece::Atom(Inline::mention_label(id, name)),
            },
            Inline::Emoji { short_name, text } => Run {
                delims: Vec::new(),
                piece: Piece::Atom(emoji_text(short_name, text).to_owned()),
            },
            Inline::Status { text, .. } => Run {
                delims: Vec::new(),
                piece: Piece::Atom(format!("[{}]", text.trim().to_uppercase())),
            },
            Inline::Date(date) => Run {
                delims: Vec::new(),
                piece: Piece::Atom(date.clone()),
            },
            Inline::Card(url) => Run {
                delims: Vec::new(),
                piece: Piece::Markup(card_md(url)),
            },
            Inline::Media(media) => Run {
                delims: Vec::new(),
                piece: Piece::Markup(media_md(media)),
            },
        })
        .collect()
}

/// Which delimiters get a fallback spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `*`, `**`, `~~` everywhere.
    Stars,
    /// `_`, `__` where an opener touches the text (or a closer) before it.
    TouchingUnderscore,
    /// HTML tags where an opener touches what is before it.
    TouchingHtml,
    /// HTML tags for every emphasis: unambiguous, the reference.
    Html,
}

/// Renders inline content, opening and closing delimiters as marks begin and end.
///
/// A delimiter that touches text on both sides (common in Thai and Japanese, which do not
/// space words) or another delimiter can be paired differently by a CommonMark parser. Such
/// content is parsed back and compared with its all-HTML rendering; the first spelling that
/// parses the same wins: `*`, then `_` at the touching points, then HTML tags there, then
/// HTML tags throughout.
pub(super) fn inline_md(inlines: &[Inline], breaks: Breaks, context: Context) -> String {
    let runs = runs(inlines);
    let (stars, ambiguous) = render_runs(&runs, breaks, context, Mode::Stars);
    if !ambiguous {
        return stars;
    }
    let html = render_runs(&runs, breaks, context, Mode::Html).0;
    let reference = crate::adf::from_markdown(&html);
    if crate::adf::from_markdown(&stars) == reference {
        return stars;
    }
    for mode in [Mode::TouchingUnderscore, Mode::TouchingHtml] {
        let candidate = render_runs(&runs, breaks, context, mode).0;
        if crate::adf::from_markdown(&candidate) == reference {
            return candidate;
        }
    }
    html
}

/// Renders runs in `mode`; also says whether any delimiter touched text or another delimiter.
fn render_runs(runs: &[Run<'_>], breaks: Breaks, context: Context, mode: Mode) -> (String, bool) {
    let mut out = String::new();
    let mut active: Vec<(Delim<'_>, Style)> = Vec::new();
    let mut pending_space = String::new();
    let mut ambiguous = false;
    for (i, run) in runs.iter().enumerate() {
        if run.is_blank() {
            if let Piece::Text(text) = run.piece {
                pending_space.push_str(text);
            }
            continue;
        }
        // Close from the first open delimiter this run does not want.
        let keep = active
            .iter()
            .position(|(d, _)| !run.delims.contains(d))
            .unwrap_or(active.len());
        let mut closed_emphasis = false;
        while active.len() > keep {
            if let Some((delim, style)) = active.pop() {
                closed_emphasis |= !matches!(delim, Delim::Link { .. });
                out.push_str(&delim.closer(style));
            }
        }
        let (leading, core, trailing) = match &run.piece {
            Piece::Text(text) => {
                let core = text.trim_matches(is_md_space);
                let start = text.len() - text.trim_start_matches(is_md_space).len();
                (&text[..start], core, &text[start + core.len()..])
            }
            _ => ("", "", ""),
        };
        pending_space.push_str(leading);
        if !pending_space.is_empty() && !at_line_start(&out) {
            out.push_str(&pending_space);
            closed_emphasis = false;
        }
        pending_space.clear();
        if let Piece::Break = run.piece {
            while let Some((delim, style)) = active.pop() {
                out.push_str(&delim.closer(style));
            }
            match breaks {
                Breaks::Hard if !at_line_start(&out) => out.push_str("\\\n"),
                Breaks::Hard => {}
                Breaks::Space => pending_space.push(' '),
                Breaks::Html => out.push_str("<br>"),
            }
            continue;
        }
        // A closer followed directly by more content may pair with what follows.
        ambiguous |= closed_emphasis;
        // Open what is missing, longest-lived first, so that it closes last.
        let mut opening: Vec<&Delim<'_>> = run
            .delims
            .iter()
            .filter(|d| !active.iter().any(|(a, _)| a == *d))
            .collect();
        opening.sort_by_key(|delim| std::cmp::Reverse(lifetime(&runs[i..], delim)));
        for delim in opening {
            let touching = !matches!(delim, Delim::Link { .. })
                && !out.is_empty()
                && !out.ends_with(char::is_whitespace);
            ambiguous |= touching;
            let style = match mode {
                Mode::Html => Style::Html,
                Mode::TouchingUnderscore if touching => Style::Underscore,
                Mode::TouchingHtml if touching => Style::Html,
                _ => Style::Star,
            };
            out.push_str(delim.opener(style));
            active.push((delim.clone(), style));
        }
        let line_start = at_line_start(&out);
        match &run.piece {
            Piece::Text(_) => out.push_str(&escape(core, context, line_start)),
            Piece::Atom(text) => out.push_str(&escape(text, context, line_start)),
            Piece::Code(text) => out.push_str(&code_span(text, context)),
            Piece::Markup(markup) => out.push_str(markup),
            Piece::Break => {}
        }
        pending_space.push_str(trailing);
    }
    while let Some((delim, style)) = active.pop() {
        out.push_str(&delim.closer(style));
    }
    (out, ambiguous)
}

/// How many runs from the start of `runs` keep `delim` open.
fn lifetime(runs: &[Run<'_>], delim: &Delim<'_>) -> usize {
    runs.iter()
        .take_while(|run| run.is_blank() || run.delims.contains(delim))
        .count()
}

fn is_md_space(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn at_line_start(out: &str) -> bool {
    out.is_empty() || out.ends_with('\n')
}

fn code_span(text: &str, context: Context) -> String {
    let text = if context == Context::Cell {
        text.replace('|', "\\|")
    } else {
        text.to_owned()
    };
    let ticks = "`".repeat(longest_run(&text, '`') + 1);
    let needs_pad = text.starts_with('`')
        || text.ends_with('`')
        || (text.starts_with(' ') && text.ends_with(' ') && !text.trim().is_empty());
    let pad = if needs_pad { " " } else { "" };
    format!("{ticks}{pad}{text}{pad}{ticks}")
}

/// Escapes text so that CommonMark renders it literally.
///
/// Always-special characters are backslash-escaped everywhere; characters that only matter at
/// the start of a line (`#`, `-`, `+`, `=`, `>`, `1.`) only there, to keep the output readable.
pub(super) fn escape(text: &str, context: Context, line_start: bool) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let text = if line_start {
        text.trim_start_matches(is_md_space)
    } else {
        text
    };
    // Headings and table cells hold one line of inline content: no block syntax to guard.
    let line_start = line_start && context == Context::Body;
    let digits = if line_start {
        text.bytes().take_while(u8::is_ascii_digit).count()
    } else {
        0
    };
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let first = i == 0 && line_start;
        let escape = match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '|' | '~' => true,
            '#' => first || context == Context::Heading,
            '-' | '+' | '=' | '>' => first,
            '.' | ')' => digits > 0 && i == digits,
            '&' => chars
                .peek()
                .is_some_and(|(_, next)| next.is_ascii_alphanumeric() || *next == '#'),
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub(super) fn longest_run(text: &str, wanted: char) -> usize {
    let (mut longest, mut current) = (0, 0);
    for c in text.chars() {
        current = if c == wanted { current + 1 } else { 0 };
        longest = longest.max(current);
    }
    longest
}

/// A link destination: parentheses and backslashes are backslash-escaped (the parser gives
/// back the exact URL); spaces and angle brackets, invalid in a URL anyway, are percent-encoded.
pub(super) fn destination(href: &str) -> String {
    let mut out = String::with_capacity(href.len());
    for c in href.chars() {
        match c {
            '(' | ')' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' ' => out.push_str("%20"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            c if c.is_control() || c.is_whitespace() => {
                let mut buf = [0; 4];
                for byte in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{byte:02X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_marks_every_always_special_character() {
        assert_eq!(
            escape(r"a*b_c`d[e]f<g>h|i~j\k", Context::Body, false),
            r"a\*b\_c\`d\[e\]f\<g>h\|i\~j\\k"
        );
    }

    #[test]
    fn escape_only_touches_line_start_characters_at_line_start() {
        assert_eq!(
            escape("# not a heading", Context::Body, true),
            r"\# not a heading"
        );
        assert_eq!(
            escape("issue #12 - done", Context::Body, false),
            "issue #12 - done"
        );
        assert_eq!(
            escape("1. not a list", Context::Body, true),
            r"1\. not a list"
        );
        assert_eq!(escape("2024) x", Context::Body, true), r"2024\) x");
        assert_eq!(
            escape("> not a quote", Context::Body, true),
            r"\> not a quote"
        );
    }

    #[test]
    fn escape_protects_entities_but_not_plain_ampersands() {
        assert_eq!(
            escape("R & D &amp; &#35;", Context::Body, false),
            r"R & D \&amp; \&#35;"
        );
    }

    #[test]
    fn code_span_uses_a_longer_fence_than_its_content() {
        assert_eq!(code_span("a`b", Context::Body), "``a`b``");
        assert_eq!(code_span("`x`", Context::Body), "`` `x` ``");
        assert_eq!(code_span("a|b", Context::Cell), r"`a\|b`");
    }

    #[test]
    fn destination_escapes_characters_that_would_end_it() {
        assert_eq!(
            destination("https://x.test/a b(c)\\"),
            r"https://x.test/a%20b\(c\)\\"
        );
    }
}
