//! ADF JSON → [`model`](super::model) blocks, forgiving by design.
//!
//! Accepts anything Jira (or a caller) may send: unknown node types, missing or mistyped
//! fields, nulls, inline nodes where blocks belong and the reverse. Nesting deeper than
//! [`MAX_DEPTH`] is replaced by its plain text, collected without recursion, so no input can
//! overflow the stack and no text is silently lost.

use serde_json::Value;

use super::model::{Block, Cell, Inline, Link, Marks, Media, PanelKind, Script, Task};

/// The deepest ADF nesting rendered structurally; deeper subtrees become plain text.
pub(crate) const MAX_DEPTH: usize = 64;

/// Parses a document (or a bare node, a content array, or a plain string) into blocks.
pub(crate) fn parse(doc: &Value) -> Vec<Block> {
    match doc {
        Value::String(text) => parse(&super::from_plain_text(text)),
        Value::Array(nodes) => blocks(nodes, 0),
        Value::Object(_) if node_type(doc) == "doc" => blocks(children(doc), 1),
        Value::Object(_) => blocks(std::slice::from_ref(doc), 0),
        _ => Vec::new(),
    }
}

/// The node's `type`, or `""`.
pub(crate) fn node_type(node: &Value) -> &str {
    node.get("type").and_then(Value::as_str).unwrap_or("")
}

fn children(node: &Value) -> &[Value] {
    node.get("content")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// A string attribute; numbers and booleans are accepted and printed.
fn attr(node: &Value, key: &str) -> String {
    match node.get("attrs").and_then(|attrs| attrs.get(key)) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

fn attr_u64(node: &Value, key: &str) -> Option<u64> {
    match node.get("attrs").and_then(|attrs| attrs.get(key))? {
        Value::Number(n) => n.as_u64().or_else(|| n.as_f64().map(|f| f.max(0.0) as u64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

const INLINE_TYPES: &[&str] = &[
    "text",
    "hardBreak",
    "mention",
    "emoji",
    "status",
    "date",
    "inlineCard",
    "mediaInline",
    "placeholder",
    "inlineExtension",
];

/// Block types that may wrap inline content directly; anything else unknown is a container.
fn is_inline(node: &Value) -> bool {
    match node {
        Value::String(_) => true,
        Value::Object(_) => {
            let kind = node_type(node);
            INLINE_TYPES.contains(&kind)
                || (!is_known_block(kind)
                    && node.get("content").and_then(Value::as_array).is_none())
        }
        _ => false,
    }
}

fn is_known_block(kind: &str) -> bool {
    matches!(
        kind,
        "doc"
            | "paragraph"
            | "heading"
            | "bulletList"
            | "orderedList"
            | "listItem"
            | "taskList"
            | "taskItem"
            | "decisionList"
            | "decisionItem"
            | "codeBlock"
            | "blockquote"
            | "panel"
            | "table"
            | "tableRow"
            | "tableHeader"
            | "tableCell"
            | "mediaSingle"
            | "mediaGroup"
            | "media"
            | "blockCard"
            | "embedCard"
            | "rule"
            | "expand"
            | "nestedExpand"
    )
}

fn blocks(nodes: &[Value], depth: usize) -> Vec<Block> {
    let mut out = Vec::new();
    let mut pending: Vec<Inline> = Vec::new();
    for node in nodes {
        if is_inline(node) {
            inline_into(node, depth, &mut pending);
            continue;
        }
        let loose = trimmed(std::mem::take(&mut pending));
        if !loose.is_empty() {
            out.push(Block::Paragraph(loose));
        }
        block_into(node, depth, &mut out);
    }
    let loose = trimmed(pending);
    if !loose.is_empty() {
        out.push(Block::Paragraph(loose));
    }
    out
}

/// Drops breaks at either end: they render as stray backslashes or empty lines.
fn trimmed(mut inlines: Vec<Inline>) -> Vec<Inline> {
    while inlines.last() == Some(&Inline::Break) {
        inlines.pop();
    }
    let leading = inlines
        .iter()
        .take_while(|inline| **inline == Inline::Break)
        .count();
    inlines.drain(..leading);
    inlines
}

fn block_into(node: &Value, depth: usize, out: &mut Vec<Block>) {
    if !node.is_object() {
        return;
    }
    if depth >= MAX_DEPTH {
        let content = trimmed(plain(&flatten_text(node)));
        if !content.is_empty() {
            out.push(Block::Paragraph(content));
        }
        return;
    }
    let inner = depth + 1;
    let block = match node_type(node) {
        "paragraph" => Block::Paragraph(trimmed(inlines(children(node), inner))),
        "heading" => Block::Heading {
            level: attr_u64(node, "level").unwrap_or(1).clamp(1, 6) as u8,
            content: trimmed(inlines(children(node), inner)),
        },
        "bulletList" | "orderedList" => Block::List {
            ordered: node_type(node) == "orderedList",
            start: attr_u64(node, "order").unwrap_or(1).min(999_000_000),
            items: list_items(children(node), inner),
        },
        "listItem" => Block::List {
            ordered: false,
            start: 1,
            items: list_items(std::slice::from_ref(node), depth),
        },
        "taskList" => Block::Tasks(tasks(children(node), inner)),
        "taskItem" => Block::Tasks(tasks(std::slice::from_ref(node), depth)),
        "decisionList" => Block::Decisions(decisions(children(node), inner)),
        "decisionItem" => Block::Decisions(decisions(std::slice::from_ref(node), depth)),
        "codeBlock" => Block::Code {
            language: attr(node, "language"),
            text: flatten_text(node),
        },
        "blockquote" => Block::Quote(blocks(children(node), inner)),
        "panel" => Block::Panel {
            kind: PanelKind::parse(&attr(node, "panelType")),
            content: blocks(children(node), inner),
        },
        "table" => Block::Table(table_rows(children(node), inner)),
        "tableRow" | "tableHeader" | "tableCell" => {
            Block::Table(table_rows(std::slice::from_ref(node), depth))
        }
        "mediaSingle" | "mediaGroup" | "media" => {
            let mut media = Vec::new();
            let mut captions = Vec::new();
            collect_media(node, &mut media, &mut captions, inner);
            out.push(Block::Media(media));
            out.extend(captions.into_iter().map(Block::Paragraph));
            return;
        }
        "blockCard" | "embedCard" => Block::Card(card_url(node)),
        "rule" => Block::Rule,
        "expand" | "nestedExpand" => Block::Expand {
            title: attr(node, "title"),
            content: blocks(children(node), inner),
        },
        _ => Block::Group(blocks(children(node), inner)),
    };
    out.push(block);
}

fn list_items(nodes: &[Value], depth: usize) -> Vec<Vec<Block>> {
    let mut items: Vec<Vec<Block>> = Vec::new();
    for node in nodes {
        match node_type(node) {
            "listItem" if depth < MAX_DEPTH => items.push(blocks(children(node), depth + 1)),
            // A list directly inside a list (seen in hand-written ADF) belongs to the item before.
            "bulletList" | "orderedList" if !items.is_empty() => {
                if let Some(last) = items.last_mut() {
                    block_into(node, depth, last);
                }
            }
            _ => {
                let item = blocks(std::slice::from_ref(node), depth);
                if !item.is_empty() {
                    items.push(item);
                }
            }
        }
    }
    items
}

fn tasks(nodes: &[Value], depth: usize) -> Vec<Task> {
    let mut out = Vec::new();
    for node in nodes {
        if depth >= MAX_DEPTH {
            out.push(Task::Item {
                done: false,
                content: plain(&flatten_text(node)),
            });
            continue;
        }
        match node_type(node) {
            "taskList" => out.push(Task::Nested(tasks(children(node), depth + 1))),
            _ => out.push(Task::Item {
                done: attr(node, "state").eq_ignore_ascii_case("DONE"),
                content: inlines(children(node), depth + 1),
            }),
        }
    }
    out
}

fn decisions(nodes: &[Value], depth: usize) -> Vec<Vec<Inline>> {
    nodes
        .iter()
        .map(|node| inlines(children(node), depth + 1))
        .collect()
}

fn table_rows(nodes: &[Value], depth: usize) -> Vec<Vec<Cell>> {
    let mut rows = Vec::new();
    for node in nodes {
        match node_type(node) {
            "tableRow" => rows.push(
                children(node)
                    .iter()
                    .map(|cell| table_cell(cell, depth + 1))
                    .collect(),
            ),
            _ => rows.push(vec![table_cell(node, depth)]),
        }
    }
    rows
}

fn table_cell(node: &Value, depth: usize) -> Cell {
    let span = |key| attr_u64(node, key).unwrap_or(1).clamp(1, 1000) as u32;
    let content = match node_type(node) {
        "tableHeader" | "tableCell" => blocks(children(node), depth + 1),
        _ => blocks(std::slice::from_ref(node), depth + 1),
    };
    Cell {
        header: node_type(node) == "tableHeader",
        colspan: span("colspan"),
        rowspan: span("rowspan"),
        content,
    }
}

fn collect_media(
    node: &Value,
    media: &mut Vec<Media>,
    captions: &mut Vec<Vec<Inline>>,
    depth: usize,
) {
    match node_type(node) {
        "media" | "mediaInline" => media.push(media_of(node)),
        "caption" => captions.push(inlines(children(node), depth)),
        _ if depth < MAX_DEPTH => {
            for child in children(node) {
                collect_media(child, media, captions, depth + 1);
            }
        }
        _ => {}
    }
}

fn media_of(node: &Value) -> Media {
    let url = attr(node, "url");
    Media {
        id: attr(node, "id"),
        alt: attr(node, "alt"),
        url: (!url.is_empty()).then_some(url),
    }
}

fn card_url(node: &Value) -> String {
    let url = attr(node, "url");
    if !url.is_empty() {
        return url;
    }
    let data = node.get("attrs").and_then(|attrs| attrs.get("data"));
    ["url", "name"]
        .iter()
        .find_map(|key| data.and_then(|d| d.get(key)).and_then(Value::as_str))
        .unwrap_or_default()
        .to_owned()
}

fn inlines(nodes: &[Value], depth: usize) -> Vec<Inline> {
    let mut out = Vec::new();
    for node in nodes {
        inline_into(node, depth, &mut out);
    }
    out
}

fn plain(text: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    push_text(&mut out, text, &Marks::default());
    out
}

/// Appends text, splitting newlines into breaks and merging with an equally marked neighbour.
fn push_text(out: &mut Vec<Inline>, text: &str, marks: &Marks) {
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push(Inline::Break);
        }
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        if let Some(Inline::Text {
            text: prev,
            marks: prev_marks,
        }) = out.last_mut()
            && prev_marks == marks
        {
            prev.push_str(line);
            continue;
        }
        out.push(Inline::Text {
            text: line.to_owned(),
            marks: marks.clone(),
        });
    }
}

fn inline_into(node: &Value, depth: usize, out: &mut Vec<Inline>) {
    if let Value::String(text) = node {
        push_text(out, text, &Marks::default());
        return;
    }
    if !node.is_object() {
        return;
    }
    if depth >= MAX_DEPTH {
        push_text(out, &flatten_text(node), &Marks::default());
        return;
    }
    match node_type(node) {
        "text" => {
            if let Some(text) = node.get("text").and_then(Value::as_str) {
                push_text(out, text, &parse_marks(node));
            }
        }
        "hardBreak" => out.push(Inline::Break),
        "mention" => out.push(Inline::Mention {
            id: attr(node, "id"),
            name: attr(node, "text"),
        }),
        "emoji" => out.push(Inline::Emoji {
            short_name: attr(node, "shortName"),
            text: attr(node, "text"),
        }),
        "status" => out.push(Inline::Status {
            text: attr(node, "text"),
            color: attr(node, "color"),
        }),
        "date" => out.push(Inline::Date(iso_date(&attr(node, "timestamp")))),
        "inlineCard" => out.push(Inline::Card(card_url(node))),
        "mediaInline" | "media" => out.push(Inline::Media(media_of(node))),
        "placeholder" => {}
        "codeBlock" => {
            let marks = Marks {
                code: true,
                ..Marks::default()
            };
            push_text(out, &flatten_text(node), &marks);
        }
        kind => {
            // A block (or unknown) node in an inline position: keep its text, break around blocks.
            let block = is_known_block(kind);
            if block && !out.is_empty() && out.last() != Some(&Inline::Break) {
                out.push(Inline::Break);
            }
            match node.get("content").and_then(Value::as_array) {
                Some(nodes) => {
                    for child in nodes {
                        inline_into(child, depth + 1, out);
                    }
                }
                None => {
                    let text = node
                        .get("text")
                        .and_then(Value::as_str)
                        .map_or_else(|| attr(node, "text"), str::to_owned);
                    push_text(out, &text, &Marks::default());
                }
            }
            if block && !out.is_empty() && out.last() != Some(&Inline::Break) {
                out.push(Inline::Break);
            }
        }
    }
}

fn parse_marks(node: &Value) -> Marks {
    let mut marks = Marks::default();
    let Some(list) = node.get("marks").and_then(Value::as_array) else {
        return marks;
    };
    for mark in list {
        match node_type(mark) {
            "strong" => marks.strong = true,
            "em" => marks.em = true,
            "strike" => marks.strike = true,
            "underline" => marks.underline = true,
            "code" => marks.code = true,
            "link" => {
                let href = attr(mark, "href");
                if !href.is_empty() {
                    marks.link = Some(Link {
                        href,
                        title: attr(mark, "title"),
                    });
                }
            }
            "textColor" => marks.color = Some(attr(mark, "color")),
            "backgroundColor" => marks.background = Some(attr(mark, "color")),
            "subsup" => {
                marks.script = match attr(mark, "type").as_str() {
                    "sub" => Some(Script::Sub),
                    "sup" => Some(Script::Sup),
                    _ => None,
                }
            }
            _ => {}
        }
    }
    marks
}

/// `timestamp` (milliseconds since the epoch, string or number) as `YYYY-MM-DD` in UTC.
fn iso_date(timestamp: &str) -> String {
    let millis = timestamp.trim().parse::<i64>().ok().or_else(|| {
        // Some producers write a float ("1.7e12") or "1700000000000.0".
        timestamp
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(|f| f as i64)
    });
    millis
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map_or_else(
            || timestamp.to_owned(),
            |date| date.format("%Y-%m-%d").to_string(),
        )
}

/// All text below `node`, blocks separated by spaces, collected with an explicit stack.
pub(crate) fn flatten_text(node: &Value) -> String {
    let mut out = String::new();
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        let kind = node_type(node);
        if kind == "hardBreak" {
            out.push('\n');
        }
        if let Some(text) = node.get("text").and_then(Value::as_str) {
            out.push_str(text);
        } else if kind != "placeholder" {
            let text = attr(node, "text");
            out.push_str(&text);
        }
        if let Some(nodes) = node.get("content").and_then(Value::as_array) {
            if is_known_block(kind)
                && kind != "codeBlock"
                && !out.is_empty()
                && !out.ends_with([' ', '\n'])
            {
                out.push(' ');
            }
            stack.extend(nodes.iter().rev());
        }
    }
    out
}
