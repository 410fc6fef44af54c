//! ADF → plain text, for search indexes, notifications and the `text` GraphQL field.
//!
//! Blocks are separated by a blank line, list items and table rows sit on their own lines,
//! table cells are tab-separated. No escaping: the output is not markup.

use super::model::{Block, Inline, Media, Task};

/// Renders a document (see [`crate::adf::to_text`]).
pub(crate) fn render(blocks: &[Block]) -> String {
    blocks_text(blocks, "\n\n")
}

fn blocks_text(blocks: &[Block], separator: &str) -> String {
    let mut out = String::new();
    for block in blocks {
        let rendered = block_text(block);
        if rendered.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push_str(separator);
        }
        out.push_str(&rendered);
    }
    out
}

/// One block as plain text, without a trailing newline.
pub(crate) fn block_text(block: &Block) -> String {
    match block {
        Block::Paragraph(content) | Block::Heading { content, .. } => inline_text(content),
        Block::List {
            ordered,
            start,
            items,
        } => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let marker = if *ordered {
                    format!("{}. ", start.saturating_add(i as u64))
                } else {
                    "- ".to_owned()
                };
                indent(&blocks_text(item, "\n"), &marker)
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Block::Tasks(tasks) => tasks_text(tasks),
        Block::Decisions(items) => items
            .iter()
            .map(|item| indent(&inline_text(item), "◆ "))
            .collect::<Vec<_>>()
            .join("\n"),
        Block::Code { text, .. } => text.trim_end_matches('\n').to_owned(),
        Block::Quote(content) | Block::Panel { content, .. } | Block::Group(content) => {
            blocks_text(content, "\n\n")
        }
        Block::Table(rows) => rows
            .iter()
            .map(|row| {
                row.iter()
                    .map(|cell| blocks_text(&cell.content, " ").replace(['\n', '\t'], " "))
                    .collect::<Vec<_>>()
                    .join("\t")
            })
            .collect::<Vec<_>>()
            .join("\n"),
        Block::Media(media) => media.iter().map(media_label).collect::<Vec<_>>().join("\n"),
        Block::Card(url) => url.clone(),
        Block::Rule => "---".to_owned(),
        Block::Expand { title, content } => {
            let body = blocks_text(content, "\n\n");
            match (title.trim().is_empty(), body.is_empty()) {
                (true, _) => body,
                (false, true) => title.clone(),
                (false, false) => format!("{title}\n{body}"),
            }
        }
    }
}

fn tasks_text(tasks: &[Task]) -> String {
    tasks
        .iter()
        .map(|task| match task {
            Task::Item { done, content } => {
                indent(&inline_text(content), if *done { "[x] " } else { "[ ] " })
            }
            Task::Nested(inner) => indent(&tasks_text(inner), "    "),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Prefixes the first line with `marker` and aligns the following lines under its text.
fn indent(body: &str, marker: &str) -> String {
    let pad = " ".repeat(marker.chars().count());
    let mut out = String::new();
    for (i, line) in body.split('\n').enumerate() {
        if i == 0 {
            out.push_str(if line.is_empty() {
                marker.trim_end()
            } else {
                marker
            });
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

/// Inline content as plain text; breaks become newlines.
pub(crate) fn inline_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    for inline in inlines {
        match inline {
            Inline::Text { text, .. } => out.push_str(text),
            Inline::Break => out.push('\n'),
            Inline::Mention { id, name } => out.push_str(&Inline::mention_label(id, name)),
            Inline::Emoji { short_name, text } => out.push_str(emoji_text(short_name, text)),
            Inline::Status { text, .. } => out.push_str(text),
            Inline::Date(date) => out.push_str(date),
            Inline::Card(url) => out.push_str(url),
            Inline::Media(media) => out.push_str(&media_label(media)),
        }
    }
    out
}

/// The emoji's own character(s) when known, otherwise its `:short_name:`.
pub(crate) fn emoji_text<'a>(short_name: &'a str, text: &'a str) -> &'a str {
    if text.trim().is_empty() {
        short_name
    } else {
        text
    }
}

/// What stands in for an attachment in text: its alt text, URL, or a neutral placeholder.
pub(crate) fn media_label(media: &Media) -> String {
    if !media.alt.trim().is_empty() {
        media.alt.clone()
    } else if let Some(url) = &media.url {
        url.clone()
    } else {
        "[attachment]".to_owned()
    }
}
