//! Rich text (descriptions, comment bodies): ADF as JSON plus our own text, Markdown and safe
//! HTML renderings. Jira's v2 webhook payloads send plain strings; those become ADF first.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

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

/// The renderings of rich text.
#[derive(Debug, Clone, Copy)]
enum Format {
    Text,
    Markdown,
    Html,
}

impl Format {
    fn render(self, adf: &Value) -> String {
        match self {
            Format::Text => crate::adf::to_text(adf),
            Format::Markdown => crate::adf::to_markdown(adf),
            Format::Html => crate::adf::to_html(adf),
        }
    }
}

impl RichText {
    /// This rich text in `format`. A comment body is looked up by its JSON text first: boards
    /// are read again and again with the same comments, and parsing and rendering a body is
    /// most of what a shown comment costs.
    fn render(&self, format: Format) -> String {
        let render = || self.with_adf(|adf| format.render(adf));
        match &self.source {
            Source::CommentBody(comment) => match comment.get().body.as_ref() {
                Some(body) => RENDERED.get_or_render(format, body.raw(), render),
                None => render(),
            },
            Source::Description(_) => render(),
        }
    }
}

/// Comment bodies already rendered, by format and by the body's JSON text. The key is the
/// whole text Jira sent and the value a function of it alone, so an entry tells a caller
/// nothing they did not send in (the text came through their own credentials). Bounded: a
/// table over its budget is emptied.
static RENDERED: LazyLock<Renderings> = LazyLock::new(|| Renderings::new(8 << 20));

struct Renderings {
    tables: [Mutex<Table>; 3],
    /// Bytes (keys plus values) one table may hold.
    budget: usize,
}

#[derive(Default)]
struct Table {
    map: HashMap<Box<str>, String, foldhash::fast::RandomState>,
    bytes: usize,
}

impl Renderings {
    fn new(budget: usize) -> Self {
        Renderings {
            tables: Default::default(),
            budget,
        }
    }

    fn get_or_render(&self, format: Format, raw: &str, render: impl FnOnce() -> String) -> String {
        let table = &self.tables[format as usize];
        let lock = || table.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(hit) = lock().map.get(raw) {
            return hit.clone();
        }
        let rendered = render();
        let size = raw.len() + rendered.len();
        if size <= self.budget / 64 {
            let mut table = lock();
            if table.bytes + size > self.budget {
                table.map.clear();
                table.bytes = 0;
            }
            if !table.map.contains_key(raw) {
                table.map.insert(raw.into(), rendered.clone());
                table.bytes += size;
            }
        }
        rendered
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
        self.render(Format::Text)
    }
    /// CommonMark with GitHub tables.
    async fn markdown(&self) -> String {
        self.render(Format::Markdown)
    }
    /// HTML with every text escaped and only http(s)/mailto links: safe to insert in a page.
    async fn html(&self) -> String {
        self.render(Format::Html)
    }
}

impl Immediate for RichText {
    const TYPE: &'static str = "RichText";

    fn field(&self, ctx: &Context<'_>) -> Option<GqlValue> {
        Some(match ctx.item.node.name.node.as_str() {
            "adf" => self.with_adf(|adf| async_graphql::to_value(adf).unwrap_or_default()),
            "text" => GqlValue::String(self.render(Format::Text)),
            "markdown" => GqlValue::String(self.render(Format::Markdown)),
            "html" => GqlValue::String(self.render(Format::Html)),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renderings_are_kept_by_format_and_text_and_a_full_table_starts_again() {
        let cache = Renderings::new(64 * 64);
        let renders = std::cell::Cell::new(0);
        let get = |format, raw: &str| {
            cache.get_or_render(format, raw, || {
                renders.set(renders.get() + 1);
                format!("{format:?}:{raw}")
            })
        };
        assert_eq!(get(Format::Text, "a"), "Text:a");
        assert_eq!(get(Format::Text, "a"), "Text:a");
        assert_eq!(get(Format::Html, "a"), "Html:a");
        assert_eq!(
            renders.get(),
            2,
            "the second text of `a` came from the table"
        );
        // Too big to keep (over a 64th of the budget): rendered every time.
        let big = "x".repeat(64);
        get(Format::Text, &big);
        get(Format::Text, &big);
        assert_eq!(renders.get(), 4);
        // Filling the table past its budget empties it, then it fills again.
        for i in 0..200 {
            get(Format::Markdown, &format!("{i:>20}"));
        }
        let table = cache.tables[Format::Markdown as usize]
            .lock()
            .expect("lock");
        assert!(
            table.bytes <= 64 * 64 && !table.map.is_empty(),
            "{}",
            table.bytes
        );
    }
}
