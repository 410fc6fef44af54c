//! Constructors for ADF nodes, so that seed content and tests read like the document they build.
//!
//! Each function returns the node as Jira stores it. The helpers do not validate nesting or
//! reject empty text (ADF forbids empty text nodes): the caller builds a valid document.

use serde_json::{Map, Value, json};

fn collect(nodes: impl IntoIterator<Item = Value>) -> Vec<Value> {
    nodes.into_iter().collect()
}

/// Builds a node by moving its parts in: `json!` would re-serialise (deep-copy) any `Value`
/// interpolated into it, which costs O(subtree) per level and recurses.
fn node(kind: &str, attrs: Option<Value>, content: Option<Vec<Value>>) -> Value {
    let mut map = Map::new();
    map.insert("type".to_owned(), Value::String(kind.to_owned()));
    if let Some(attrs) = attrs {
        map.insert("attrs".to_owned(), attrs);
    }
    if let Some(content) = content {
        map.insert("content".to_owned(), Value::Array(content));
    }
    Value::Object(map)
}

/// The root node: `{"version": 1, "type": "doc", "content": [...]}`.
pub fn doc(content: impl IntoIterator<Item = Value>) -> Value {
    let mut doc = node("doc", None, Some(collect(content)));
    doc["version"] = json!(1);
    doc
}

/// A paragraph of inline nodes.
pub fn paragraph(content: impl IntoIterator<Item = Value>) -> Value {
    node("paragraph", None, Some(collect(content)))
}

/// A heading, level clamped to 1–6.
pub fn heading(level: u8, content: impl IntoIterator<Item = Value>) -> Value {
    node(
        "heading",
        Some(json!({ "level": level.clamp(1, 6) })),
        Some(collect(content)),
    )
}

/// A plain text node.
pub fn text(text: &str) -> Value {
    json!({ "type": "text", "text": text })
}

/// A text node with the given marks (see [`mark`], [`link_mark`], [`color_mark`]).
pub fn marked(text: &str, marks: impl IntoIterator<Item = Value>) -> Value {
    let marks = collect(marks);
    if marks.is_empty() {
        return self::text(text);
    }
    let mut text_node = self::text(text);
    text_node["marks"] = Value::Array(marks);
    text_node
}

/// A mark without attributes: `strong`, `em`, `strike`, `underline` or `code`.
pub fn mark(kind: &str) -> Value {
    json!({ "type": kind })
}

/// A `link` mark.
pub fn link_mark(href: &str) -> Value {
    json!({ "type": "link", "attrs": { "href": href } })
}

/// A `textColor` mark (`#rrggbb`).
pub fn color_mark(color: &str) -> Value {
    json!({ "type": "textColor", "attrs": { "color": color } })
}

/// A `backgroundColor` mark (`#rrggbb`), the highlighter.
pub fn background_mark(color: &str) -> Value {
    json!({ "type": "backgroundColor", "attrs": { "color": color } })
}

/// A `subsup` mark; `kind` is `sub` or `sup`.
pub fn subsup_mark(kind: &str) -> Value {
    json!({ "type": "subsup", "attrs": { "type": kind } })
}

/// Bold text.
pub fn strong(text: &str) -> Value {
    marked(text, [mark("strong")])
}

/// Italic text.
pub fn em(text: &str) -> Value {
    marked(text, [mark("em")])
}

/// Struck-through text.
pub fn strike(text: &str) -> Value {
    marked(text, [mark("strike")])
}

/// Underlined text.
pub fn underline(text: &str) -> Value {
    marked(text, [mark("underline")])
}

/// Inline code.
pub fn code(text: &str) -> Value {
    marked(text, [mark("code")])
}

/// Linked text.
pub fn link(text: &str, href: &str) -> Value {
    marked(text, [link_mark(href)])
}

/// Coloured text.
pub fn colored(text: &str, color: &str) -> Value {
    marked(text, [color_mark(color)])
}

/// A line break inside a paragraph.
pub fn hard_break() -> Value {
    json!({ "type": "hardBreak" })
}

/// A bullet list of `listItem`s (see [`list_item`], [`item`]).
pub fn bullet_list(items: impl IntoIterator<Item = Value>) -> Value {
    node("bulletList", None, Some(collect(items)))
}

/// An ordered list starting at 1.
pub fn ordered_list(items: impl IntoIterator<Item = Value>) -> Value {
    ordered_list_from(1, items)
}

/// An ordered list starting at `order`.
pub fn ordered_list_from(order: u64, items: impl IntoIterator<Item = Value>) -> Value {
    node(
        "orderedList",
        Some(json!({ "order": order })),
        Some(collect(items)),
    )
}

/// A list item holding blocks (a paragraph first, then optionally nested lists).
pub fn list_item(content: impl IntoIterator<Item = Value>) -> Value {
    node("listItem", None, Some(collect(content)))
}

/// A list item holding one paragraph of inline nodes.
pub fn item(content: impl IntoIterator<Item = Value>) -> Value {
    list_item([paragraph(content)])
}

/// A code block; an empty `language` is left out.
pub fn code_block(language: &str, code: &str) -> Value {
    let attrs = (!language.is_empty()).then(|| json!({ "language": language }));
    let content = if code.is_empty() {
        Vec::new()
    } else {
        vec![text(code)]
    };
    node("codeBlock", attrs, Some(content))
}

/// A block quote.
pub fn blockquote(content: impl IntoIterator<Item = Value>) -> Value {
    node("blockquote", None, Some(collect(content)))
}

/// A panel; `kind` is `info`, `note`, `warning`, `success` or `error`.
pub fn panel(kind: &str, content: impl IntoIterator<Item = Value>) -> Value {
    node(
        "panel",
        Some(json!({ "panelType": kind })),
        Some(collect(content)),
    )
}

/// A table of `tableRow`s.
pub fn table(rows: impl IntoIterator<Item = Value>) -> Value {
    node(
        "table",
        Some(json!({ "isNumberColumnEnabled": false, "layout": "default" })),
        Some(collect(rows)),
    )
}

/// A table row of `tableHeader` or `tableCell` nodes.
pub fn table_row(cells: impl IntoIterator<Item = Value>) -> Value {
    node("tableRow", None, Some(collect(cells)))
}

/// A header cell holding blocks.
pub fn table_header(content: impl IntoIterator<Item = Value>) -> Value {
    node("tableHeader", Some(json!({})), Some(collect(content)))
}

/// A body cell holding blocks.
pub fn table_cell(content: impl IntoIterator<Item = Value>) -> Value {
    node("tableCell", Some(json!({})), Some(collect(content)))
}

/// A header row of plain-text cells.
pub fn header_row(cells: &[&str]) -> Value {
    table_row(
        cells
            .iter()
            .map(|cell| table_header([paragraph([text(cell)])])),
    )
}

/// A body row of plain-text cells.
pub fn body_row(cells: &[&str]) -> Value {
    table_row(
        cells
            .iter()
            .map(|cell| table_cell([paragraph([text(cell)])])),
    )
}

/// A user mention; `name` is shown with an `@` in front, as Jira stores it.
pub fn mention(account_id: &str, name: &str) -> Value {
    let name = name.strip_prefix('@').unwrap_or(name);
    json!({ "type": "mention", "attrs": { "id": account_id, "text": format!("@{name}"), "accessLevel": "" } })
}

/// An emoji, e.g. `emoji(":tada:", "🎉")`.
pub fn emoji(short_name: &str, text: &str) -> Value {
    json!({ "type": "emoji", "attrs": { "shortName": short_name, "text": text } })
}

/// A status lozenge; `color` is `neutral`, `purple`, `blue`, `red`, `yellow` or `green`.
pub fn status(text: &str, color: &str) -> Value {
    json!({ "type": "status", "attrs": { "text": text, "color": color } })
}

/// A date, from milliseconds since the epoch (Jira stores the number as a string).
pub fn date(timestamp_millis: i64) -> Value {
    json!({ "type": "date", "attrs": { "timestamp": timestamp_millis.to_string() } })
}

/// An attachment shown as an image: `mediaSingle` holding one `file` media.
pub fn media_single(id: &str, alt: &str, width: u32, height: u32) -> Value {
    json!({
        "type": "mediaSingle",
        "attrs": { "layout": "center" },
        "content": [{
            "type": "media",
            "attrs": { "type": "file", "id": id, "collection": "", "alt": alt, "width": width, "height": height },
        }],
    })
}

/// An attachment shown inline in text (a file chip).
pub fn media_inline(id: &str, alt: &str) -> Value {
    json!({ "type": "mediaInline", "attrs": { "type": "file", "id": id, "collection": "", "alt": alt } })
}

/// A link shown as a block-level smart card.
pub fn block_card(url: &str) -> Value {
    json!({ "type": "blockCard", "attrs": { "url": url } })
}

/// A link shown as a smart card inside text.
pub fn inline_card(url: &str) -> Value {
    json!({ "type": "inlineCard", "attrs": { "url": url } })
}

/// A horizontal rule.
pub fn rule() -> Value {
    json!({ "type": "rule" })
}

/// A collapsible section.
pub fn expand(title: &str, content: impl IntoIterator<Item = Value>) -> Value {
    node(
        "expand",
        Some(json!({ "title": title })),
        Some(collect(content)),
    )
}

/// A task list; `local_id` must be unique within the document.
pub fn task_list(local_id: &str, items: impl IntoIterator<Item = Value>) -> Value {
    node(
        "taskList",
        Some(json!({ "localId": local_id })),
        Some(collect(items)),
    )
}

/// A task holding inline nodes; `done` picks the `DONE` or `TODO` state.
pub fn task_item(local_id: &str, done: bool, content: impl IntoIterator<Item = Value>) -> Value {
    let state = if done { "DONE" } else { "TODO" };
    node(
        "taskItem",
        Some(json!({ "localId": local_id, "state": state })),
        Some(collect(content)),
    )
}

/// A decision list.
pub fn decision_list(local_id: &str, items: impl IntoIterator<Item = Value>) -> Value {
    node(
        "decisionList",
        Some(json!({ "localId": local_id })),
        Some(collect(items)),
    )
}

/// A decided decision holding inline nodes.
pub fn decision_item(local_id: &str, content: impl IntoIterator<Item = Value>) -> Value {
    node(
        "decisionItem",
        Some(json!({ "localId": local_id, "state": "DECIDED" })),
        Some(collect(content)),
    )
}
