//! Rich text (descriptions, comment bodies): ADF as JSON plus our own text, Markdown and safe
//! HTML renderings. Jira's v2 webhook payloads send plain strings; those become ADF first.

use std::sync::Arc;

use async_graphql::{Context, Json, Object, Value as GqlValue};
use serde_json::Value;

use super::Comment;
use crate::graphql::immediate::Immediate;
use crate::jira::models::IssueBean;

/// Where the ADF lives: read in place, never copied until a client asks for the JSON.
#[derive(Clone)]
pub struct RichText {
    source: Source,
}

#[derive(Clone)]
enum Source {
    Description(Arc<IssueBean>),
    CommentBody(Comment),
}

impl RichText {
    /// The description of `issue`.
    pub fn description(issue: Arc<IssueBean>) -> Self {
        RichText {
            source: Source::Description(issue),
        }
    }

    /// The body of `comment`.
    pub fn comment_body(comment: Comment) -> Self {
        RichText {
            source: Source::CommentBody(comment),
        }
    }

    /// Runs `f` over the ADF document; a plain string (v2-shaped payloads) is turned into
    /// paragraphs first.
    fn with_adf<R>(&self, f: impl FnOnce(&Value) -> R) -> R {
        let value = match &self.source {
            Source::Description(issue) => issue.fields.description.as_ref(),
            Source::CommentBody(comment) => comment.get().body.as_ref().map(|b| b.value()),
        };
        match value {
            Some(Value::String(text)) => f(&crate::adf::from_plain_text(text)),
            Some(adf) => f(adf),
            None => f(&Value::Null),
        }
    }
}

#[Object]
impl RichText {
    /// The Atlassian Document Format document, as Jira stores it.
    async fn adf(&self) -> Json<Value> {
        Json(self.with_adf(Value::clone))
    }
    /// Plain text.
    async fn text(&self) -> String {
        self.with_adf(crate::adf::to_text)
    }
    /// CommonMark with GitHub tables.
    async fn markdown(&self) -> String {
        self.with_adf(crate::adf::to_markdown)
    }
    /// HTML with every text escaped and only http(s)/mailto links: safe to insert in a page.
    async fn html(&self) -> String {
        self.with_adf(crate::adf::to_html)
    }
}

impl Immediate for RichText {
    const TYPE: &'static str = "RichText";

    fn field(&self, ctx: &Context<'_>) -> Option<GqlValue> {
        Some(match ctx.item.node.name.node.as_str() {
            "adf" => self.with_adf(|adf| async_graphql::to_value(adf).unwrap_or_default()),
            "text" => GqlValue::String(self.with_adf(crate::adf::to_text)),
            "markdown" => GqlValue::String(self.with_adf(crate::adf::to_markdown)),
            "html" => GqlValue::String(self.with_adf(crate::adf::to_html)),
            _ => return None,
        })
    }
}
