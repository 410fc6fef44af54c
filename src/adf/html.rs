//! ADF → HTML that is safe to insert into a page.
//!
//! Every text and attribute value is escaped; the only attributes written are fixed class
//! names, `href` (http, https, mailto only), `title`, `src`/`alt` on external images, numeric
//! spans, and `data-*` values that are escaped or validated. No `style`, no script, no event
//! handler can be produced from any input.

use super::model::{Block, Cell, Inline, Marks, Media, Script, Task};
use super::safe_href;
use super::text::emoji_text;

/// Renders parsed blocks (see [`crate::adf::to_html`]).
pub(crate) fn render(blocks: &[Block]) -> String {
    let mut out = String::new();
    blocks_html(blocks, &mut out);
    out
}

fn blocks_html(blocks: &[Block], out: &mut String) {
    for block in blocks {
        block_html(block, out);
    }
}

fn block_html(block: &Block, out: &mut String) {
    match block {
        Block::Paragraph(content) => {
            out.push_str("<p>");
            inline_html(content, out);
            out.push_str("</p>");
        }
        Block::Heading { level, content } => {
            let level = (*level).clamp(1, 6);
            out.push_str(&format!("<h{level}>"));
            inline_html(content, out);
            out.push_str(&format!("</h{level}>"));
        }
        Block::List {
            ordered: false,
            items,
            ..
        } => {
            out.push_str("<ul>");
            list_items(items, out);
            out.push_str("</ul>");
        }
        Block::List {
            ordered: true,
            start,
            items,
        } => {
            if *start == 1 {
                out.push_str("<ol>");
            } else {
                out.push_str(&format!("<ol start=\"{start}\">"));
            }
            list_items(items, out);
            out.push_str("</ol>");
        }
        Block::Tasks(tasks) => tasks_html(tasks, out),
        Block::Decisions(items) => {
            out.push_str("<ul class=\"adf-decision-list\">");
            for item in items {
                out.push_str("<li class=\"adf-decision\">");
                inline_html(item, out);
                out.push_str("</li>");
            }
            out.push_str("</ul>");
        }
        Block::Code { language, text } => {
            let language: String = language
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '-'))
                .collect();
            if language.is_empty() {
                out.push_str("<pre><code>");
            } else {
                out.push_str(&format!("<pre><code class=\"language-{language}\">"));
            }
            escape_into(text.strip_suffix('\n').unwrap_or(text), out);
            out.push_str("</code></pre>");
        }
        Block::Quote(content) => {
            out.push_str("<blockquote>");
            blocks_html(content, out);
            out.push_str("</blockquote>");
        }
        Block::Panel { kind, content } => {
            out.push_str(&format!(
                "<div class=\"adf-panel adf-panel-{}\">",
                kind.as_str()
            ));
            blocks_html(content, out);
            out.push_str("</div>");
        }
        Block::Table(rows) => table_html(rows, out),
        Block::Media(media) => {
            out.push_str("<div class=\"adf-media-group\">");
            for item in media {
                media_html(item, out);
            }
            out.push_str("</div>");
        }
        Block::Card(url) => {
            out.push_str("<p>");
            card_html(url, out);
            out.push_str("</p>");
        }
        Block::Rule => out.push_str("<hr>"),
        Block::Expand { title, content } => {
            out.push_str("<details class=\"adf-expand\"><summary>");
            escape_into(title, out);
            out.push_str("</summary>");
            blocks_html(content, out);
            out.push_str("</details>");
        }
        Block::Group(content) => blocks_html(content, out),
    }
}

fn list_items(items: &[Vec<Block>], out: &mut String) {
    for item in items {
        out.push_str("<li>");
        // A lone paragraph renders tight, like most editors (and Jira) do.
        match item.as_slice() {
            [Block::Paragraph(content)] => inline_html(content, out),
            blocks => blocks_html(blocks, out),
        }
        out.push_str("</li>");
    }
}

fn tasks_html(tasks: &[Task], out: &mut String) {
    out.push_str("<ul class=\"adf-task-list\">");
    for task in tasks {
        match task {
            Task::Item { done, content } => {
                if *done {
                    out.push_str("<li class=\"adf-task adf-task-done\"><input type=\"checkbox\" disabled checked> ");
                } else {
                    out.push_str("<li class=\"adf-task\"><input type=\"checkbox\" disabled> ");
                }
                inline_html(content, out);
                out.push_str("</li>");
            }
            Task::Nested(inner) => {
                out.push_str("<li class=\"adf-task-nested\">");
                tasks_html(inner, out);
                out.push_str("</li>");
            }
        }
    }
    out.push_str("</ul>");
}

fn table_html(rows: &[Vec<Cell>], out: &mut String) {
    out.push_str("<table><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let tag = if cell.header { "th" } else { "td" };
            out.push('<');
            out.push_str(tag);
            if cell.colspan > 1 {
                out.push_str(&format!(" colspan=\"{}\"", cell.colspan));
            }
            if cell.rowspan > 1 {
                out.push_str(&format!(" rowspan=\"{}\"", cell.rowspan));
            }
            out.push('>');
            match cell.content.as_slice() {
                [Block::Paragraph(content)] => inline_html(content, out),
                blocks => blocks_html(blocks, out),
            }
            out.push_str(&format!("</{tag}>"));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
}

fn media_html(media: &Media, out: &mut String) {
    if let Some(url) = media
        .url
        .as_deref()
        .and_then(safe_href)
        .filter(|url| !url.starts_with("mailto"))
    {
        out.push_str("<img src=\"");
        escape_into(url, out);
        out.push_str("\" alt=\"");
        escape_into(&media.alt, out);
        out.push_str("\" loading=\"lazy\" referrerpolicy=\"no-referrer\">");
        return;
    }
    out.push_str("<span class=\"adf-media\" data-media-id=\"");
    escape_into(&media.id, out);
    out.push_str("\">");
    escape_into(
        if media.alt.trim().is_empty() {
            "[attachment]"
        } else {
            media.alt.trim()
        },
        out,
    );
    out.push_str("</span>");
}

fn card_html(url: &str, out: &mut String) {
    match safe_href(url) {
        Some(href) => {
            out.push_str("<a class=\"adf-card\" href=\"");
            escape_into(href, out);
            out.push_str("\" rel=\"nofollow noopener noreferrer\">");
            escape_into(href, out);
            out.push_str("</a>");
        }
        None => escape_into(url, out),
    }
}

fn inline_html(inlines: &[Inline], out: &mut String) {
    for inline in inlines {
        match inline {
            Inline::Text { text, marks } => text_html(text, marks, out),
            Inline::Break => out.push_str("<br>"),
            Inline::Mention { id, name } => {
                out.push_str("<span class=\"adf-mention\" data-account-id=\"");
                escape_into(id, out);
                out.push_str("\">");
                escape_into(&Inline::mention_label(id, name), out);
                out.push_str("</span>");
            }
            Inline::Emoji { short_name, text } => {
                out.push_str("<span class=\"adf-emoji\" data-short-name=\"");
                escape_into(short_name, out);
                out.push_str("\">");
                escape_into(emoji_text(short_name, text), out);
                out.push_str("</span>");
            }
            Inline::Status { text, color } => {
                let color = match color.as_str() {
                    c @ ("neutral" | "purple" | "blue" | "red" | "yellow" | "green") => c,
                    _ => "neutral",
                };
                out.push_str(&format!("<span class=\"adf-status adf-status-{color}\">"));
                escape_into(&text.to_uppercase(), out);
                out.push_str("</span>");
            }
            Inline::Date(date) => {
                out.push_str("<time datetime=\"");
                escape_into(date, out);
                out.push_str("\">");
                escape_into(date, out);
                out.push_str("</time>");
            }
            Inline::Card(url) => card_html(url, out),
            Inline::Media(media) => media_html(media, out),
        }
    }
}

/// `#rgb`, `#rgba`, `#rrggbb` or `#rrggbbaa` (any 3 to 8 hex digits, as the contract says).
fn valid_color(color: &str) -> bool {
    color.strip_prefix('#').is_some_and(|hex| {
        (3..=8).contains(&hex.len()) && hex.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

fn text_html(text: &str, marks: &Marks, out: &mut String) {
    let mut closers: Vec<&str> = Vec::new();
    if let Some(link) = &marks.link
        && let Some(href) = safe_href(&link.href)
    {
        out.push_str("<a href=\"");
        escape_into(href, out);
        out.push('"');
        if !link.title.trim().is_empty() {
            out.push_str(" title=\"");
            escape_into(&link.title, out);
            out.push('"');
        }
        out.push_str(" rel=\"nofollow noopener noreferrer\">");
        closers.push("</a>");
    }
    let simple = [
        (marks.strong, "<strong>", "</strong>"),
        (marks.em, "<em>", "</em>"),
        (marks.strike, "<s>", "</s>"),
        (marks.underline, "<u>", "</u>"),
        (marks.script == Some(Script::Sub), "<sub>", "</sub>"),
        (marks.script == Some(Script::Sup), "<sup>", "</sup>"),
    ];
    for (on, open, close) in simple {
        if on {
            out.push_str(open);
            closers.push(close);
        }
    }
    for (color, attribute) in [
        (&marks.color, "data-color"),
        (&marks.background, "data-background-color"),
    ] {
        if let Some(color) = color.as_deref().filter(|c| valid_color(c)) {
            out.push_str(&format!("<span {attribute}=\"{color}\">"));
            closers.push("</span>");
        }
    }
    if marks.code {
        out.push_str("<code>");
        closers.push("</code>");
    }
    escape_into(text, out);
    for closer in closers.into_iter().rev() {
        out.push_str(closer);
    }
}

/// Escapes for both element content and double- or single-quoted attribute values.
fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\r' => {}
            // NUL and other controls are invalid in HTML text; tabs and newlines are fine.
            c if c.is_control() && !matches!(c, '\n' | '\t') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_color_accepts_only_short_hex_forms() {
        assert!(valid_color("#fff"));
        assert!(valid_color("#FF5630"));
        assert!(valid_color("#ff563080"));
        assert!(!valid_color("#ff"));
        assert!(!valid_color("#ff5630801"));
        assert!(!valid_color("red"));
        assert!(!valid_color("#fff\" onmouseover=\"x"));
    }

    #[test]
    fn escape_into_neutralises_markup_and_quotes() {
        let mut out = String::new();
        escape_into("<a href='x'>\"&\"</a>", &mut out);
        assert_eq!(out, "&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;");
    }
}
