//! Rich text (descriptions, comment bodies): ADF as JSON plus our own text, Markdown and safe
//! HTML renderings. Jira's v2 webhook payloads send plain strings; those become ADF first.

use async_graphql::{Json, Object};
use serde_json::Value;

#[derive(Debug, Clone)]
pub struct RichText {
    adf: Value,
}

impl RichText {
    /// Wraps an ADF document; a plain string is turned into paragraphs.
    pub fn new(value: Value) -> Self {
        match value {
            Value::String(text) => RichText {
                adf: crate::adf::from_plain_text(&text),
            },
            adf => RichText { adf },
        }
    }
}

#[Object]
impl RichText {
    /// The Atlassian Document Format document, as Jira stores it.
    async fn adf(&self) -> Json<Value> {
        Json(self.adf.clone())
    }
    /// Plain text.
    async fn text(&self) -> String {
        crate::adf::to_text(&self.adf)
    }
    /// CommonMark with GitHub tables.
    async fn markdown(&self) -> String {
        crate::adf::to_markdown(&self.adf)
    }
    /// HTML with every text escaped and only http(s)/mailto links: safe to insert in a page.
    async fn html(&self) -> String {
        crate::adf::to_html(&self.adf)
    }
}
