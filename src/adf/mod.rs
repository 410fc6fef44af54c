//! Atlassian Document Format (ADF): conversions to text, Markdown and safe HTML, and from Markdown.
//!
//! Every converter accepts whatever Jira sends (unknown node types, missing `content`, nulls,
//! wrong types, deep nesting) and never panics; nesting deeper than 64 levels is rendered as
//! plain text. A JSON string is read as a plain-text body (Jira's v2 shape).
//!
//! - [`to_text`], [`to_markdown`], [`to_html`]: ADF out.
//! - [`from_markdown`], [`from_plain_text`]: ADF in, always valid ADF.
//! - [`build`]: small constructors for ADF nodes (seed content, tests, Markdown import).

pub mod build;
mod from_markdown;
mod html;
mod markdown;
mod model;
mod parse;
mod text;

use serde_json::Value;

pub use from_markdown::{from_markdown, from_plain_text};

/// Renders ADF as plain text.
///
/// Paragraphs are separated by a blank line, list items sit on their own lines (`- `, `1. `),
/// table cells are tab-separated, mentions read `@Name`, emoji as their character (or
/// `:shortName:`), dates as `YYYY-MM-DD`, and `hardBreak` is a newline.
pub fn to_text(doc: &Value) -> String {
    text::render(&parse::parse(doc))
}

/// Renders ADF as CommonMark with GitHub tables and strikethrough.
///
/// Text is escaped so that it renders literally; links survive only for `http`, `https` and
/// `mailto` targets; panels become block quotes with a bold label, status lozenges `[STATUS]`,
/// attachments `![alt](url)` or a `[attachment: …]` placeholder.
pub fn to_markdown(doc: &Value) -> String {
    markdown::render(&parse::parse(doc))
}

/// Renders ADF as HTML that is safe to insert into a page.
///
/// All text and attribute values are escaped, links are kept only for `http`, `https` and
/// `mailto` targets, no `style`, script or event attributes are ever written, and colours
/// travel as validated `data-color` attributes.
pub fn to_html(doc: &Value) -> String {
    html::render(&parse::parse(doc))
}

/// The href when it is an `http`, `https` or `mailto` URL, trimmed; `None` otherwise.
///
/// Control characters anywhere reject the URL: browsers drop tabs and newlines inside a
/// scheme, so `java\nscript:` would otherwise slip through.
pub(crate) fn safe_href(href: &str) -> Option<&str> {
    let href = href.trim_matches(|c: char| c.is_whitespace() || c.is_control());
    if href.chars().any(char::is_control) {
        return None;
    }
    let (scheme, _) = href.split_once(':')?;
    ["http", "https", "mailto"]
        .iter()
        .any(|allowed| scheme.eq_ignore_ascii_case(allowed))
        .then_some(href)
}

#[cfg(test)]
mod tests;
