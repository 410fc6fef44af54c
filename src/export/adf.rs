//! ADF (Atlassian Document Format) → the simplified node tree the typst templates render.
//!
//! The output is plain JSON data: every piece of Jira text stays a string value that the
//! template places as content, so it renders literally and can never run typst code. Anything
//! the template interprets (colours, URLs, code languages, image paths) is validated or
//! generated here. Unknown nodes degrade to their plain text.
//!
//! Block nodes: `p`, `h`, `ul`, `ol`, `tasks`, `decisions`, `code`, `quote`, `panel`, `table`,
//! `rule`, `image`, `media-missing`, `expand`, `card`. Inline nodes: `text` (with marks `m`),
//! `br`, `mention`, `emoji`, `status`, `date`, `link`.

use serde_json::{Map, Value, json};

use super::locale::Locale;
use super::sanitize::{code_language, hex_color, safe_url, soft_wrap};

/// Deeper nesting (lists in lists in tables …) is flattened to text: typst limits layout
/// depth to 72 and call depth to 80, and each nesting level costs a few of both.
const MAX_DEPTH: usize = 10;

/// Wider tables are shown row by row as text.
const MAX_TABLE_COLUMNS: usize = 24;

/// An image the template can show: `{"path": "/media/3.png", "w": px, "h": px}`.
pub(crate) type ImageRef = Value;

/// Finds an embedded attachment image by media id and/or alt text.
pub(crate) type MediaResolver<'a> = &'a dyn Fn(Option<&str>, Option<&str>) -> Option<ImageRef>;

/// What the converter needs from its caller.
pub(crate) struct AdfContext<'a> {
    pub(crate) locale: &'a Locale,
    /// Finds an embedded attachment image by media id and/or alt text (file name).
    pub(crate) resolve_media: MediaResolver<'a>,
    /// Whether some font can draw this character (emoji fall back to `:short_name:`).
    pub(crate) covers: &'a dyn Fn(char) -> bool,
}

/// Converts an ADF document (or a plain string, Jira's v2 shape) into blocks.
pub(crate) fn convert_document(doc: &Value, ctx: &AdfContext<'_>) -> Vec<Value> {
    match doc {
        Value::Null => Vec::new(),
        Value::String(text) => plain_paragraphs(text),
        _ => blocks(content(doc), ctx, 0),
    }
}

fn plain_paragraphs(text: &str) -> Vec<Value> {
    text.split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| json!({"t": "p", "c": [text_node(p.trim_end(), Map::new())]}))
        .collect()
}

fn content(node: &Value) -> &[Value] {
    node.get("content")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn kind(node: &Value) -> &str {
    node.get("type").and_then(Value::as_str).unwrap_or("")
}

fn attr<'v>(node: &'v Value, name: &str) -> Option<&'v Value> {
    node.get("attrs")?.get(name)
}

fn attr_str<'v>(node: &'v Value, name: &str) -> Option<&'v str> {
    attr(node, name)?.as_str().filter(|s| !s.is_empty())
}

fn blocks(nodes: &[Value], ctx: &AdfContext<'_>, depth: usize) -> Vec<Value> {
    let mut out = Vec::new();
    let mut inline_run = Vec::new();
    for node in nodes {
        if is_inline(kind(node)) {
            // Inline nodes where a block belongs (seen in the wild): gather them into a paragraph.
            inline_run.push(node.clone());
            continue;
        }
        if !inline_run.is_empty() {
            out.push(json!({"t": "p", "c": inlines(&inline_run, ctx)}));
            inline_run.clear();
        }
        out.extend(block(node, ctx, depth));
    }
    if !inline_run.is_empty() {
        out.push(json!({"t": "p", "c": inlines(&inline_run, ctx)}));
    }
    out
}

fn is_inline(kind: &str) -> bool {
    matches!(
        kind,
        "text"
            | "hardBreak"
            | "mention"
            | "emoji"
            | "date"
            | "status"
            | "inlineCard"
            | "mediaInline"
            | "placeholder"
            | "inlineExtension"
    )
}

fn block(node: &Value, ctx: &AdfContext<'_>, depth: usize) -> Option<Value> {
    let nested = depth + 1;
    let kind = kind(node);
    let is_container = !matches!(kind, "paragraph" | "heading" | "codeBlock" | "rule");
    if is_container && nested > MAX_DEPTH {
        let text = plain_text(node);
        return (!text.trim().is_empty())
            .then(|| json!({"t": "p", "c": [text_node(&text, Map::new())]}));
    }
    Some(match kind {
        "paragraph" => {
            let mut p = json!({"t": "p", "c": inlines(content(node), ctx)});
            if let Some(align) = alignment(node) {
                p["align"] = json!(align);
            }
            p
        }
        "heading" => {
            let level = attr(node, "level")
                .and_then(Value::as_u64)
                .unwrap_or(1)
                .clamp(1, 6);
            let mut h = json!({"t": "h", "level": level, "c": inlines(content(node), ctx)});
            if let Some(align) = alignment(node) {
                h["align"] = json!(align);
            }
            h
        }
        "bulletList" => json!({"t": "ul", "items": list_items(node, ctx, nested)}),
        "orderedList" => {
            let start = attr(node, "order")
                .and_then(Value::as_u64)
                .unwrap_or(1)
                .min(1_000_000);
            json!({"t": "ol", "start": start, "items": list_items(node, ctx, nested)})
        }
        "taskList" => json!({"t": "tasks", "items": task_items(node, ctx, nested)}),
        "decisionList" => {
            let items: Vec<Value> = content(node)
                .iter()
                .map(|item| json!(inline_or_blocks(item, ctx, nested)))
                .collect();
            json!({"t": "decisions", "items": items})
        }
        "codeBlock" => {
            let text: String = content(node)
                .iter()
                .filter_map(|t| t.get("text")?.as_str())
                .collect();
            let lang = attr_str(node, "language").and_then(code_language);
            json!({"t": "code", "lang": lang, "text": soft_wrap(&text, 60)})
        }
        "blockquote" => json!({"t": "quote", "c": blocks(content(node), ctx, nested)}),
        "panel" => {
            let panel = match attr_str(node, "panelType").unwrap_or("info") {
                p @ ("info" | "note" | "warning" | "success" | "error") => p,
                _ => "custom",
            };
            let color = attr_str(node, "panelColor").and_then(hex_color);
            json!({"t": "panel", "kind": panel, "color": color, "c": blocks(content(node), ctx, nested)})
        }
        "table" => table(node, ctx, nested),
        "rule" => json!({"t": "rule"}),
        "mediaSingle" | "mediaGroup" => {
            let width = attr(node, "width")
                .and_then(Value::as_f64)
                .filter(|w| *w > 0.0 && *w <= 100.0);
            let items: Vec<Value> = content(node)
                .iter()
                .filter(|n| kind_is(n, "media"))
                .map(|m| media(m, ctx, width))
                .collect();
            match items.len() {
                0 => return None,
                1 => items.into_iter().next()?,
                _ => json!({"t": "group", "c": items}),
            }
        }
        "media" => media(node, ctx, None),
        "expand" | "nestedExpand" => json!({
            "t": "expand",
            "title": attr_str(node, "title").unwrap_or(""),
            "c": blocks(content(node), ctx, nested),
        }),
        "blockCard" | "embedCard" => {
            let url = attr_str(node, "url").and_then(safe_url)?;
            json!({"t": "card", "url": url, "label": soft_wrap(&url, 30)})
        }
        "layoutSection" => {
            let cols: Vec<Value> = content(node)
                .iter()
                .map(|col| {
                    let width = attr(col, "width")
                        .and_then(Value::as_f64)
                        .filter(|w| *w > 0.0 && *w <= 100.0);
                    json!({"width": width, "c": blocks(content(col), ctx, nested)})
                })
                .collect();
            json!({"t": "columns", "cols": cols})
        }
        "layoutColumn" | "bodiedExtension" | "multiBodiedExtension" | "extensionFrame" | "doc" => {
            // Containers without a look of their own: their children in order.
            return Some(json!({"t": "seq", "c": blocks(content(node), ctx, depth)}));
        }
        _ => {
            let text = plain_text(node);
            if text.trim().is_empty() {
                return None;
            }
            json!({"t": "p", "c": [text_node(&text, Map::new())]})
        }
    })
}

fn kind_is(node: &Value, expected: &str) -> bool {
    kind(node) == expected
}

fn alignment(node: &Value) -> Option<&'static str> {
    node.get("marks")?.as_array()?.iter().find_map(|m| {
        (kind(m) == "alignment").then(|| match attr_str(m, "align") {
            Some("center") => Some("center"),
            Some("end" | "right") => Some("end"),
            _ => None,
        })?
    })
}

fn list_items(node: &Value, ctx: &AdfContext<'_>, depth: usize) -> Vec<Value> {
    content(node)
        .iter()
        .map(|item| json!(blocks(content(item), ctx, depth)))
        .collect()
}

fn task_items(node: &Value, ctx: &AdfContext<'_>, depth: usize) -> Vec<Value> {
    content(node)
        .iter()
        .map(|item| {
            if kind(item) == "taskList" {
                // A nested task list sits directly in its parent's content.
                json!({"nested": task_items(item, ctx, depth + 1)})
            } else {
                let done = attr_str(item, "state") == Some("DONE");
                json!({"done": done, "c": inline_or_blocks(item, ctx, depth)})
            }
        })
        .collect()
}

/// Task and decision items hold inline nodes, sometimes blocks: always return blocks.
fn inline_or_blocks(item: &Value, ctx: &AdfContext<'_>, depth: usize) -> Vec<Value> {
    blocks(content(item), ctx, depth)
}

fn table(node: &Value, ctx: &AdfContext<'_>, depth: usize) -> Value {
    // Lay the cells out on a grid first: typst rejects a colspan past the last column, and
    // rowspans shift later rows, so the column count is what the grid needs, not a guess.
    let rows: Vec<&Value> = content(node)
        .iter()
        .filter(|r| kind(r) == "tableRow")
        .collect();
    let mut occupied: Vec<Vec<bool>> = vec![Vec::new(); rows.len()];
    let mut out_rows = Vec::new();
    let mut columns = 1;
    for (r, row) in rows.iter().enumerate() {
        let mut col = 0;
        let mut cells = Vec::new();
        for cell in content(row) {
            while occupied[r].get(col).copied().unwrap_or(false) {
                col += 1;
            }
            let colspan = attr(cell, "colspan")
                .and_then(Value::as_u64)
                .unwrap_or(1)
                .clamp(1, 64) as usize;
            let max_rowspan = rows.len() - r;
            let rowspan = (attr(cell, "rowspan")
                .and_then(Value::as_u64)
                .unwrap_or(1)
                .max(1) as usize)
                .min(max_rowspan);
            for line in occupied.iter_mut().skip(r).take(rowspan) {
                if line.len() < col + colspan {
                    line.resize(col + colspan, false);
                }
                for slot in &mut line[col..col + colspan] {
                    *slot = true;
                }
            }
            col += colspan;
            columns = columns.max(col);
            let mut out = json!({
                "colspan": colspan,
                "rowspan": rowspan,
                "header": kind(cell) == "tableHeader",
                "c": blocks(content(cell), ctx, depth),
            });
            if let Some(bg) = attr_str(cell, "background").and_then(hex_color) {
                out["bg"] = json!(bg);
            }
            cells.push(out);
        }
        out_rows.push(cells);
    }
    for line in &occupied {
        columns = columns.max(line.len());
    }
    if columns > MAX_TABLE_COLUMNS {
        // Unreadable as a grid on any paper: one paragraph per row instead.
        let rows = rows.iter().map(|row| {
            let cells: Vec<String> = content(row)
                .iter()
                .map(|c| plain_text(c).trim().to_owned())
                .collect();
            json!({"t": "p", "c": [text_node(&cells.join(" | "), Map::new())]})
        });
        return json!({"t": "seq", "c": rows.collect::<Vec<_>>()});
    }
    let header_row = out_rows.first().is_some_and(|cells| {
        !cells.is_empty()
            && cells
                .iter()
                .all(|c| c["header"] == json!(true) && c["rowspan"] == json!(1))
    });
    json!({"t": "table", "columns": columns, "header-row": header_row, "rows": out_rows})
}

fn media(node: &Value, ctx: &AdfContext<'_>, width: Option<f64>) -> Value {
    let id = attr_str(node, "id");
    let alt = attr_str(node, "alt");
    let is_file = attr_str(node, "type").is_none_or(|t| t == "file");
    if is_file && let Some(mut image) = (ctx.resolve_media)(id, alt) {
        image["t"] = json!("image");
        image["alt"] = json!(alt.map(|a| soft_wrap(a, 30)));
        image["width"] = json!(width);
        return image;
    }
    let label = alt
        .map(str::to_owned)
        .or_else(|| attr_str(node, "url").and_then(safe_url))
        .unwrap_or_default();
    json!({"t": "media-missing", "label": soft_wrap(&label, 30)})
}

fn inlines(nodes: &[Value], ctx: &AdfContext<'_>) -> Vec<Value> {
    let mut out = Vec::new();
    for node in nodes {
        match kind(node) {
            "text" => {
                let text = node.get("text").and_then(Value::as_str).unwrap_or("");
                if !text.is_empty() {
                    out.push(text_node(text, marks(node)));
                }
            }
            "hardBreak" => out.push(json!({"t": "br"})),
            "mention" => {
                let name = attr_str(node, "text").unwrap_or("someone");
                let name = if name.starts_with('@') {
                    name.to_owned()
                } else {
                    format!("@{name}")
                };
                out.push(json!({"t": "mention", "text": name}));
            }
            "emoji" => {
                let glyph = attr_str(node, "text")
                    .filter(|t| t.chars().all(|c| (ctx.covers)(c) || is_joiner(c)));
                let text = glyph.or_else(|| attr_str(node, "shortName")).unwrap_or("");
                out.push(json!({"t": "emoji", "text": text}));
            }
            "status" => {
                let color = attr_str(node, "color").unwrap_or("neutral");
                out.push(json!({"t": "status", "text": attr_str(node, "text").unwrap_or(""), "color": color}));
            }
            "date" => {
                let raw = attr_str(node, "timestamp").unwrap_or("");
                let text = ctx
                    .locale
                    .format_epoch_millis(raw)
                    .unwrap_or_else(|| raw.to_owned());
                out.push(json!({"t": "date", "text": text}));
            }
            "inlineCard" => match attr_str(node, "url").and_then(safe_url) {
                Some(url) => {
                    out.push(json!({"t": "link", "url": url, "text": soft_wrap(&url, 30)}))
                }
                None => out.push(text_node(&plain_text(node), Map::new())),
            },
            "mediaInline" => {
                let label = attr_str(node, "alt")
                    .or_else(|| attr_str(node, "id"))
                    .unwrap_or("attachment");
                out.push(
                    json!({"t": "media-missing", "label": soft_wrap(label, 30), "inline": true}),
                );
            }
            _ => {
                let text = plain_text(node);
                if !text.is_empty() {
                    out.push(text_node(&text, Map::new()));
                }
            }
        }
    }
    out
}

fn is_joiner(c: char) -> bool {
    matches!(c, '\u{200d}' | '\u{fe0f}' | '\u{fe0e}')
}

fn text_node(text: &str, marks: Map<String, Value>) -> Value {
    let threshold = if marks.contains_key("code") { 40 } else { 30 };
    let mut node = json!({"t": "text", "text": soft_wrap(text, threshold)});
    if !marks.is_empty() {
        node["m"] = Value::Object(marks);
    }
    node
}

fn marks(node: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    let Some(marks) = node.get("marks").and_then(Value::as_array) else {
        return out;
    };
    for mark in marks {
        let flag = match kind(mark) {
            "strong" => "b",
            "em" => "i",
            "strike" => "s",
            "underline" => "u",
            "code" => "code",
            "subsup" => match attr_str(mark, "type") {
                Some("sub") => "sub",
                Some("sup") => "sup",
                _ => continue,
            },
            "link" => {
                if let Some(href) = attr_str(mark, "href").and_then(safe_url) {
                    out.insert("href".into(), json!(href));
                }
                continue;
            }
            "textColor" | "backgroundColor" => {
                let key = if kind(mark) == "textColor" {
                    "color"
                } else {
                    "bg"
                };
                if let Some(c) = attr_str(mark, "color").and_then(hex_color) {
                    out.insert(key.into(), json!(c));
                }
                continue;
            }
            _ => continue,
        };
        out.insert(flag.into(), json!(true));
    }
    out
}

/// The text of a node and its descendants, for nodes the template has no look for.
pub(crate) fn plain_text(node: &Value) -> String {
    fn walk(node: &Value, out: &mut String, depth: usize) {
        if depth > 64 {
            return;
        }
        if let Some(text) = node.get("text").and_then(Value::as_str) {
            out.push_str(text);
        } else if let Some(text) = attr_str(node, "text") {
            out.push_str(text);
        }
        let children = content(node);
        for (i, child) in children.iter().enumerate() {
            if i > 0 && !is_inline(kind(child)) {
                out.push('\n');
            }
            walk(child, out, depth + 1);
        }
    }
    let mut out = String::new();
    walk(node, &mut out, 0);
    out
}
