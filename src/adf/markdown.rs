//! ADF → CommonMark (plus GitHub tables and strikethrough): the blocks.
//!
//! Lists indent their continuation lines to the marker width, two adjacent lists alternate their
//! marker so they stay two lists, panels become quotes with a bold label, and table cells stay
//! on one line (`<br>`). Inline content, escaping and marks live in [`inline`]. Links keep only
//! `http`, `https` and `mailto` targets.

mod inline;

use self::inline::{Breaks, Context, destination, escape, inline_md, longest_run};
use super::model::{Block, Cell, Media, Task};
use super::safe_href;
use super::text::block_text;

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
            (Some(Block::List { ordered: a, .. }), Block::List { ordered: b, .. }) if a == b => {
                !previous_alt
            }
            (
                Some(Block::List { ordered: false, .. } | Block::Tasks(_) | Block::Decisions(_)),
                Block::Tasks(_) | Block::Decisions(_),
            ) => !previous_alt,
            (Some(Block::Tasks(_) | Block::Decisions(_)), Block::List { ordered: false, .. }) => {
                !previous_alt
            }
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
            out.push_str(if tight && interrupts && after_paragraph {
                "\n"
            } else {
                "\n\n"
            });
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
            if text.is_empty() {
                hashes
            } else {
                format!("{hashes} {text}")
            }
        }
        Block::List {
            ordered,
            start,
            items,
        } => {
            let items = items.iter().enumerate().map(|(i, item)| {
                let marker = if *ordered {
                    format!(
                        "{}{} ",
                        start.saturating_add(i as u64),
                        if alt { ')' } else { '.' }
                    )
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
            .map(|item| {
                indent(
                    &format!("◆ {}", inline_md(item, Breaks::Hard, Context::Body)),
                    bullet(alt),
                )
            })
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

fn quote(body: &str) -> String {
    body.split('\n')
        .map(|line| {
            if line.is_empty() {
                ">".to_owned()
            } else {
                format!("> {line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn code_block(language: &str, text: &str) -> String {
    let fence = "`".repeat(longest_run(text, '`').max(2) + 1);
    // A backtick in the info string would end a backtick fence's opening line.
    let language: String = language
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control() && *c != '`')
        .collect();
    let text = text.strip_suffix('\n').unwrap_or(text);
    if text.is_empty() {
        format!("{fence}{language}\n{fence}")
    } else {
        format!("{fence}{language}\n{text}\n{fence}")
    }
}

fn table_md(rows: &[Vec<Cell>]) -> String {
    const MAX_SPANNED_COLUMNS: usize = 256;
    let widest_row = rows.iter().map(Vec::len).max().unwrap_or(0);
    let spanned = rows
        .iter()
        .map(|row| row.iter().map(|cell| cell.colspan as usize).sum::<usize>())
        .max()
        .unwrap_or(0);
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
        let cells: Vec<String> = cells
            .into_iter()
            .map(|c| {
                if c.is_empty() {
                    " ".to_owned()
                } else {
                    format!(" {c} ")
                }
            })
            .collect();
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
        Block::Paragraph(content) | Block::Heading { content, .. } => {
            inline_md(content, Breaks::Html, Context::Cell)
        }
        other => escape(&block_text(other), Context::Cell, false).replace('\n', "<br>"),
    });
    parts
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("<br>")
}

pub(super) fn media_md(media: &Media) -> String {
    match media.url.as_deref().and_then(safe_href) {
        Some(url) => format!(
            "![{}]({})",
            escape(&media.alt, Context::Body, false),
            destination(url)
        ),
        None if media.alt.trim().is_empty() => escape("[attachment]", Context::Body, true),
        None => escape(
            &format!("[attachment: {}]", media.alt.trim()),
            Context::Body,
            true,
        ),
    }
}

pub(super) fn card_md(url: &str) -> String {
    match safe_href(url) {
        Some(href) if !href.contains(|c: char| c.is_whitespace() || c == '<' || c == '>') => {
            format!("<{href}>")
        }
        Some(href) => format!(
            "[{}]({})",
            escape(href, Context::Body, false),
            destination(href)
        ),
        None => escape(url, Context::Body, true),
    }
}
