//! ADF → CommonMark (plus GitHub tables and strikethrough).
//!
//! Text is escaped so that it renders literally; marks are opened and closed like a stack, with
//! the longest-lived mark outermost (the prosemirror-markdown strategy), so overlapping marks
//! nest correctly. Links keep only `http`, `https` and `mailto` targets.

use super::model::{Block, Cell, Inline, Marks, Media, Task};
use super::safe_href;
use super::text::{block_text, emoji_text};

/// Renders parsed blocks (see [`crate::adf::to_markdown`]).
pub(crate) fn render(blocks: &[Block]) -> String {
    join_blocks(blocks, false)
}

/// Joins blocks with blank lines; `tight` keeps a list directly under the paragraph before it
/// (list items), and two adjacent lists alternate their marker so they stay two lists.
fn join_blocks(blocks: &[Block], tight: bool) -> String {
    let mut out = String::new();
    let mut previous: Option<&Block> = None;
    let mut previous_alt = false;
    for block in blocks {
        let alt = match (previous, block) {
            (Some(Block::List { ordered: a, .. }), Block::List { ordered: b, .. }) if a == b => !previous_alt,
            (Some(Block::List { ordered: false, .. } | Block::Tasks(_) | Block::Decisions(_)), Block::Tasks(_) | Block::Decisions(_)) => !previous_alt,
            (Some(Block::Tasks(_) | Block::Decisions(_)), Block::List { ordered: false, .. }) => !previous_alt,
            _ => false,
        };
        let rendered = block_md(block, alt);
        if rendered.is_empty() {
            continue;
        }
        if !out.is_empty() {
            let interrupts = match block {
                Block::List { ordered, start, .. } => !*ordered || *start == 1,
                Block::Tasks(_) | Block::Decisions(_) => true,
                _ => false,
            };
            let after_paragraph = matches!(previous, Some(Block::Paragraph(_)));
            out.push_str(if tight && interrupts && after_paragraph { "\n" } else { "\n\n" });
        }
        out.push_str(&rendered);
        previous = Some(block);
        previous_alt = alt;
    }
    out
}

fn block_md(block: &Block, alt: bool) -> String {
    match block {
        Block::Paragraph(content) => inline_md(content, Breaks::Hard, Context::Body),
        Block::Heading { level, content } => {
            let hashes = "#".repeat(usize::from(*level));
            let text = inline_md(content, Breaks::Space, Context::Heading);
            if text.is_empty() { hashes } else { format!("{hashes} {text}") }
        }
        Block::List { ordered, start, items } => {
            let items = items.iter().enumerate().map(|(i, item)| {
                let marker = if *ordered {
                    format!("{}{} ", start.saturating_add(i as u64), if alt { ')' } else { '.' })
                } else {
                    bullet(alt).to_owned()
                };
                indent(&join_blocks(item, true), &marker)
            });
            items.collect::<Vec<_>>().join("\n")
        }
        Block::Tasks(tasks) => tasks_md(tasks, alt),
        Block::Decisions(items) => items
            .iter()
            .map(|item| indent(&format!("◆ {}", inline_md(item, Breaks::Hard, Context::Body)), bullet(alt)))
            .collect::<Vec<_>>()
            .join("\n"),
        Block::Code { language, text } => code_block(language, text),
        Block::Quote(content) => quote(&join_blocks(content, false)),
        Block::Panel { kind, content } => {
            let label = format!("**{}:**", kind.label());
            let body = join_blocks(content, false);
            let body = match content.first() {
                _ if body.is_empty() => label,
                Some(Block::Paragraph(_)) => format!("{label} {body}"),
                _ => format!("{label}\n\n{body}"),
            };
            quote(&body)
        }
        Block::Table(rows) => table_md(rows),
        Block::Media(media) => media.iter().map(media_md).collect::<Vec<_>>().join("\n\n"),
        Block::Card(url) => card_md(url),
        Block::Rule => "---".to_owned(),
        Block::Expand { title, content } => {
            let body = join_blocks(content, false);
            let title = escape(title.trim(), Context::Body, true);
            match (title.is_empty(), body.is_empty()) {
                (true, _) => body,
                (false, true) => format!("**{title}**"),
                (false, false) => format!("**{title}**\n\n{body}"),
            }
        }
        Block::Group(content) => join_blocks(content, false),
    }
}

fn bullet(alt: bool) -> &'static str {
    if alt { "* " } else { "- " }
}

fn tasks_md(tasks: &[Task], alt: bool) -> String {
    let mut lines = Vec::new();
    for task in tasks {
        match task {
            Task::Item { done, content } => {
                let body = inline_md(content, Breaks::Hard, Context::Body);
                let marker = format!("{}[{}] ", bullet(alt), if *done { 'x' } else { ' ' });
                lines.push(indent(&body, &marker));
            }
            // A nested task list hangs under the item before it.
            Task::Nested(inner) => lines.push(indent(&tasks_md(inner, alt), "  ")),
        }
    }
    lines.join("\n")
}

/// Prefixes the first line with `marker` and indents the rest to the marker's width.
fn indent(body: &str, marker: &str) -> String {
    let pad = " ".repeat(marker.chars().count());
    let mut out = String::new();
    for (i, line) in body.split('\n').enumerate() {
        if i == 0 {
            out.push_str(if line.is_empty() { marker.trim_end() } else { marker });
        } else {
            out.push('\n');
            if !line.is_empty() {
                out.push_str(&pad);
            }
        }
        out.push_str(line);
    }
    out
}

fn quote(body: &str) -> String {
    body.split('\n').map(|line| if line.is_empty() { ">".to_owned() } else { format!("> {line}") }).collect::<Vec<_>>().join("\n")
}

fn longest_run(text: &str, wanted: char) -> usize {
    let (mut longest, mut current) = (0, 0);
    for c in text.chars() {
        current = if c == wanted { current + 1 } else { 0 };
        longest = longest.max(current);
    }
    longest
}

fn code_block(language: &str, text: &str) -> String {
    let fence = "`".repeat(longest_run(text, '`').max(2) + 1);
    // A backtick in the info string would end a backtick fence's opening line.
    let language: String = language.chars().filter(|c| !c.is_whitespace() && !c.is_control() && *c != '`').collect();
    let text = text.strip_suffix('\n').unwrap_or(text);
    if text.is_empty() { format!("{fence}{language}\n{fence}") } else { format!("{fence}{language}\n{text}\n{fence}") }
}

fn table_md(rows: &[Vec<Cell>]) -> String {
    const MAX_SPANNED_COLUMNS: usize = 256;
    let widest_row = rows.iter().map(Vec::len).max().unwrap_or(0);
    let spanned = rows.iter().map(|row| row.iter().map(|cell| cell.colspan as usize).sum::<usize>()).max().unwrap_or(0);
    let columns = widest_row.max(spanned.min(MAX_SPANNED_COLUMNS));
    if columns == 0 {
        return String::new();
    }
    let render_row = |row: &[Cell]| {
        let mut cells = Vec::with_capacity(columns);
        for cell in row {
            cells.push(cell_md(&cell.content));
            for _ in 1..cell.colspan {
                if cells.len() >= columns {
                    break;
                }
                cells.push(String::new());
            }
        }
        cells.resize(columns, String::new());
        let cells: Vec<String> = cells.into_iter().map(|c| if c.is_empty() { " ".to_owned() } else { format!(" {c} ") }).collect();
        format!("|{}|", cells.join("|"))
    };
    let mut lines = Vec::with_capacity(rows.len() + 1);
    let mut rows = rows.iter();
    lines.push(rows.next().map_or_else(String::new, |row| render_row(row)));
    lines.push(format!("|{}", " --- |".repeat(columns)));
    lines.extend(rows.map(|row| render_row(row)));
    lines.join("\n")
}

/// A cell holds one line: paragraphs joined by `<br>`, other blocks as escaped text.
fn cell_md(blocks: &[Block]) -> String {
    let parts = blocks.iter().map(|block| match block {
        Block::Paragraph(content) | Block::Heading { content, .. } => inline_md(content, Breaks::Html, Context::Cell),
        other => escape(&block_text(other), Context::Cell, false).replace('\n', "<br>"),
    });
    parts.filter(|part| !part.is_empty()).collect::<Vec<_>>().join("<br>")
}

fn media_md(media: &Media) -> String {
    match media.url.as_deref().and_then(safe_href) {
        Some(url) => format!("![{}]({})", escape(&media.alt, Context::Body, false), destination(url)),
        None if media.alt.trim().is_empty() => escape("[attachment]", Context::Body, true),
        None => escape(&format!("[attachment: {}]", media.alt.trim()), Context::Body, true),
    }
}

fn card_md(url: &str) -> String {
    match safe_href(url) {
        Some(href) if !href.contains(|c: char| c.is_whitespace() || c == '<' || c == '>') => format!("<{href}>"),
        Some(href) => format!("[{}]({})", escape(href, Context::Body, false), destination(href)),
        None => escape(url, Context::Body, true),
    }
}

/// A link destination: parentheses and backslashes are backslash-escaped (the parser gives
/// back the exact URL); spaces and angle brackets, invalid in a URL anyway, are percent-encoded.
fn destination(href: &str) -> String {
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

/// Where inline content sits: it decides what needs escaping and how breaks are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    Body,
    Heading,
    Cell,
}

/// How a `hardBreak` is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Breaks {
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
            (Delim::Link { href, title }, _) if title.trim().is_empty() => format!("]({})", destination(href)),
            (Delim::Link { href, title }, _) => {
                let title = title.replace(['\n', '\r'], " ").replace('\\', "\\\\").replace('"', "\\\"");
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
        out.push(Delim::Link { href, title: &link.title });
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
            Inline::Text { text, marks } if marks.code => Run { delims: delims(marks), piece: Piece::Code(text) },
            Inline::Text { text, marks } => Run { delims: delims(marks), piece: Piece::Text(text) },
            Inline::Break => Run { delims: Vec::new(), piece: Piece::Break },
            Inline::Mention { id, name } => Run { delims: Vec::new(), piece: Piece::Atom(Inline::mention_label(id, name)) },
            Inline::Emoji { short_name, text } => {
                Run { delims: Vec::new(), piece: Piece::Atom(emoji_text(short_name, text).to_owned()) }
            }
            Inline::Status { text, .. } => {
                Run { delims: Vec::new(), piece: Piece::Atom(format!("[{}]", text.trim().to_uppercase())) }
            }
            Inline::Date(date) => Run { delims: Vec::new(), piece: Piece::Atom(date.clone()) },
            Inline::Card(url) => Run { delims: Vec::new(), piece: Piece::Markup(card_md(url)) },
            Inline::Media(media) => Run { delims: Vec::new(), piece: Piece::Markup(media_md(media)) },
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
fn inline_md(inlines: &[Inline], breaks: Breaks, context: Context) -> String {
    let runs = runs(inlines);
    let (stars, ambiguous) = render_runs(&runs, breaks, context, Mode::Stars);
    if !ambiguous {
        return stars;
    }
    let html = render_runs(&runs, breaks, context, Mode::Html).0;
    let reference = super::from_markdown(&html);
    if super::from_markdown(&stars) == reference {
        return stars;
    }
    for mode in [Mode::TouchingUnderscore, Mode::TouchingHtml] {
        let candidate = render_runs(&runs, breaks, context, mode).0;
        if super::from_markdown(&candidate) == reference {
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
        let keep = active.iter().position(|(d, _)| !run.delims.contains(d)).unwrap_or(active.len());
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
        let mut opening: Vec<&Delim<'_>> = run.delims.iter().filter(|d| !active.iter().any(|(a, _)| a == *d)).collect();
        opening.sort_by_key(|delim| std::cmp::Reverse(lifetime(&runs[i..], delim)));
        for delim in opening {
            let touching = !matches!(delim, Delim::Link { .. }) && !out.is_empty() && !out.ends_with(char::is_whitespace);
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
    runs.iter().take_while(|run| run.is_blank() || run.delims.contains(delim)).count()
}

fn is_md_space(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn at_line_start(out: &str) -> bool {
    out.is_empty() || out.ends_with('\n')
}

fn code_span(text: &str, context: Context) -> String {
    let text = if context == Context::Cell { text.replace('|', "\\|") } else { text.to_owned() };
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
fn escape(text: &str, context: Context, line_start: bool) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let text = if line_start { text.trim_start_matches(is_md_space) } else { text };
    // Headings and table cells hold one line of inline content: no block syntax to guard.
    let line_start = line_start && context == Context::Body;
    let digits = if line_start { text.bytes().take_while(u8::is_ascii_digit).count() } else { 0 };
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let first = i == 0 && line_start;
        let escape = match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '|' | '~' => true,
            '#' => first || context == Context::Heading,
            '-' | '+' | '=' | '>' => first,
            '.' | ')' => digits > 0 && i == digits,
            '&' => chars.peek().is_some_and(|(_, next)| next.is_ascii_alphanumeric() || *next == '#'),
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_marks_every_always_special_character() {
        assert_eq!(escape(r"a*b_c`d[e]f<g>h|i~j\k", Context::Body, false), r"a\*b\_c\`d\[e\]f\<g>h\|i\~j\\k");
    }

    #[test]
    fn escape_only_touches_line_start_characters_at_line_start() {
        assert_eq!(escape("# not a heading", Context::Body, true), r"\# not a heading");
        assert_eq!(escape("issue #12 - done", Context::Body, false), "issue #12 - done");
        assert_eq!(escape("1. not a list", Context::Body, true), r"1\. not a list");
        assert_eq!(escape("2024) x", Context::Body, true), r"2024\) x");
        assert_eq!(escape("> not a quote", Context::Body, true), r"\> not a quote");
    }

    #[test]
    fn escape_protects_entities_but_not_plain_ampersands() {
        assert_eq!(escape("R & D &amp; &#35;", Context::Body, false), r"R & D \&amp; \&#35;");
    }

    #[test]
    fn code_span_uses_a_longer_fence_than_its_content() {
        assert_eq!(code_span("a`b", Context::Body), "``a`b``");
        assert_eq!(code_span("`x`", Context::Body), "`` `x` ``");
        assert_eq!(code_span("a|b", Context::Cell), r"`a\|b`");
    }

    #[test]
    fn destination_escapes_characters_that_would_end_it() {
        assert_eq!(destination("https://x.test/a b(c)\\"), r"https://x.test/a%20b\(c\)\\");
    }
}
