//! ADF's content rules, applied to each node as Markdown import closes it.
//!
//! A list item holds paragraphs, lists, code and media, starting with a paragraph; a quote
//! the same; a table cell almost any block but a table. Anything else is converted (a heading
//! becomes a bold paragraph), unwrapped into its blocks (a quote in a quote) or dropped (a rule
//! in a list item); an empty container gets an empty paragraph.

use serde_json::Value;

use crate::adf::build;
use crate::adf::parse::node_type;

/// What ADF allows inside a list item, a quote and a table cell.
const IN_LIST_ITEM: &[&str] = &[
    "paragraph",
    "bulletList",
    "orderedList",
    "codeBlock",
    "mediaSingle",
];
pub(super) const IN_QUOTE: &[&str] = &[
    "paragraph",
    "bulletList",
    "orderedList",
    "codeBlock",
    "mediaSingle",
];
const IN_CELL: &[&str] = &[
    "paragraph",
    "bulletList",
    "orderedList",
    "heading",
    "codeBlock",
    "blockquote",
    "rule",
    "mediaSingle",
];

pub(super) fn cell(header: bool, content: Vec<Value>) -> Value {
    let content = fit_or_empty(content, IN_CELL);
    if header {
        build::table_header(content)
    } else {
        build::table_cell(content)
    }
}

fn empty_paragraph() -> Value {
    build::paragraph([])
}

pub(super) fn fit_list(content: Vec<Value>) -> Vec<Value> {
    content
        .into_iter()
        .map(|node| match node_type(&node) {
            "listItem" => node,
            _ => build::list_item(fit_list_item(vec![node])),
        })
        .collect()
}

/// A list item must start with a paragraph (or code block or media).
pub(super) fn fit_list_item(content: Vec<Value>) -> Vec<Value> {
    let mut fitted = Vec::new();
    fit(content, IN_LIST_ITEM, &mut fitted);
    if !matches!(
        fitted.first().map(node_type),
        Some("paragraph" | "codeBlock" | "mediaSingle")
    ) {
        fitted.insert(0, empty_paragraph());
    }
    fitted
}

pub(super) fn fit_or_empty(content: Vec<Value>, allowed: &[&str]) -> Vec<Value> {
    let mut fitted = Vec::new();
    fit(content, allowed, &mut fitted);
    if fitted.is_empty() {
        fitted.push(empty_paragraph());
    }
    fitted
}

/// Keeps allowed blocks, turns headings into bold paragraphs, drops rules and unwraps other
/// containers (a quote in a quote, a table in a list item) into their blocks.
fn fit(content: Vec<Value>, allowed: &[&str], out: &mut Vec<Value>) {
    for node in content {
        let kind = node_type(&node);
        if allowed.contains(&kind) {
            out.push(node);
            continue;
        }
        match kind {
            "heading" => out.push(heading_as_paragraph(node)),
            "rule" => {}
            "text" | "hardBreak" => out.push(build::paragraph([node])),
            _ => {
                if let Some(Value::Array(children)) = node.get("content").cloned() {
                    fit(children, allowed, out);
                }
            }
        }
    }
}

fn heading_as_paragraph(node: Value) -> Value {
    let content = node
        .get("content")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let content = content.into_iter().map(|mut inline| {
        let marks = inline
            .get("marks")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let has = |kind: &str| marks.iter().any(|m| node_type(m) == kind);
        if node_type(&inline) == "text" && !has("code") && !has("strong") {
            let mut marks = marks.clone();
            marks.push(build::mark("strong"));
            inline["marks"] = Value::Array(marks);
        }
        inline
    });
    build::paragraph(content)
}
