//! Relay connections and opaque cursors.
//!
//! Issue cursors wrap Jira's `nextPageToken` (plus how many issues of that page to skip);
//! comment and changelog cursors are offsets. Cursors are base64url so clients treat them as
//! opaque.

use async_graphql::{Context, Object, SimpleObject, Value};
use base64::Engine;

use super::{Changelog, Comment, Issue};
use crate::graphql::error::GqlError;
use crate::graphql::immediate::{self, Immediate, opt_text, text};

#[derive(Debug, Clone, SimpleObject)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}

/// Where an issue page starts: Jira's page token (none for the first page) and a skip count.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchCursor {
    pub token: Option<String>,
    pub skip: usize,
}

const ENGINE: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

impl SearchCursor {
    pub fn encode(&self) -> String {
        ENGINE.encode(format!(
            "s1:{}:{}",
            self.skip,
            self.token.as_deref().unwrap_or("")
        ))
    }

    pub fn decode(cursor: &str) -> Result<Self, GqlError> {
        let invalid = || {
            GqlError::BadUserInput("Invalid cursor: pass a cursor from this API unchanged.".into())
        };
        let raw = ENGINE.decode(cursor.trim()).map_err(|_| invalid())?;
        let raw = String::from_utf8(raw).map_err(|_| invalid())?;
        let rest = raw.strip_prefix("s1:").ok_or_else(invalid)?;
        let (skip, token) = rest.split_once(':').ok_or_else(invalid)?;
        Ok(SearchCursor {
            token: (!token.is_empty()).then(|| token.to_string()),
            skip: skip.parse().map_err(|_| invalid())?,
        })
    }
}

pub fn encode_offset(offset: usize) -> String {
    ENGINE.encode(format!("o1:{offset}"))
}

pub fn decode_offset(cursor: Option<&str>) -> Result<usize, GqlError> {
    let Some(cursor) = cursor else { return Ok(0) };
    let invalid =
        || GqlError::BadUserInput("Invalid cursor: pass a cursor from this API unchanged.".into());
    let raw = ENGINE.decode(cursor.trim()).map_err(|_| invalid())?;
    let raw = String::from_utf8(raw).map_err(|_| invalid())?;
    // A cursor names the item it stands on; `after` starts at the next one.
    raw.strip_prefix("o1:")
        .and_then(|n| n.parse::<usize>().ok())
        .map(|n| n + 1)
        .ok_or_else(invalid)
}

#[derive(Clone)]
pub struct IssueEdge {
    pub cursor: String,
    pub node: Issue,
}

impl Immediate for IssueEdge {
    const TYPE: &'static str = "IssueEdge";

    fn field(&self, ctx: &Context<'_>) -> Option<Value> {
        Some(match ctx.item.node.name.node.as_str() {
            "cursor" => text(&self.cursor),
            "node" => return immediate::object(ctx, &self.node),
            _ => return None,
        })
    }
}

#[Object]
impl IssueEdge {
    async fn cursor(&self) -> &str {
        &self.cursor
    }
    async fn node(&self) -> &Issue {
        &self.node
    }
}

/// A page of issues from a JQL search.
pub struct IssueConnection {
    pub edges: Vec<IssueEdge>,
    pub page_info: PageInfo,
    /// The JQL that was run, for `totalCount`.
    pub jql: String,
    /// The site the search ran on.
    pub context: std::sync::Arc<crate::graphql::RequestContext>,
}

/// The `#[Object]` resolvers of [`IssueConnection`], for what the immediate path does not
/// read (`totalCount`, or edges with a field that loads).
struct IssueConnectionObject<'a>(&'a IssueConnection);

immediate::immediate_object!(IssueConnection => IssueConnectionObject);

impl Immediate for IssueConnectionObject<'_> {
    const TYPE: &'static str = "IssueConnection";

    fn field(&self, ctx: &Context<'_>) -> Option<Value> {
        Some(match ctx.item.node.name.node.as_str() {
            "edges" => return immediate::list(ctx, &self.edges),
            "nodes" => return immediate::list(ctx, self.edges.iter().map(|e| &e.node)),
            "pageInfo" => return immediate::object(ctx, &self.page_info),
            "jql" => text(&self.jql),
            _ => return None,
        })
    }
}

#[Object(name = "IssueConnection")]
impl IssueConnectionObject<'_> {
    async fn edges(&self) -> &[IssueEdge] {
        &self.edges
    }
    async fn nodes(&self) -> Vec<&Issue> {
        self.edges.iter().map(|e| &e.node).collect()
    }
    async fn page_info(&self) -> &PageInfo {
        &self.page_info
    }
    /// Jira's approximate count of all matching issues (one extra Jira call, made only when
    /// this field is selected).
    async fn total_count(&self) -> async_graphql::Result<i64> {
        let count = self
            .context
            .jira
            .approximate_count(&self.jql)
            .await
            .map_err(|e| GqlError::from_search(&e))?;
        Ok(i64::try_from(count).unwrap_or(i64::MAX))
    }
    /// The JQL the gateway sent to Jira (filters included).
    async fn jql(&self) -> &str {
        &self.jql
    }
}

#[derive(Clone, SimpleObject)]
pub struct CommentEdge {
    pub cursor: String,
    pub node: Comment,
}

#[derive(SimpleObject)]
pub struct CommentConnection {
    pub edges: Vec<CommentEdge>,
    pub page_info: PageInfo,
    pub total_count: i64,
}

impl Immediate for PageInfo {
    const TYPE: &'static str = "PageInfo";

    fn field(&self, ctx: &Context<'_>) -> Option<Value> {
        Some(match ctx.item.node.name.node.as_str() {
            "hasNextPage" => Value::Boolean(self.has_next_page),
            "hasPreviousPage" => Value::Boolean(self.has_previous_page),
            "startCursor" => opt_text(self.start_cursor.as_deref()),
            "endCursor" => opt_text(self.end_cursor.as_deref()),
            _ => return None,
        })
    }
}

impl Immediate for CommentEdge {
    const TYPE: &'static str = "CommentEdge";

    fn field(&self, ctx: &Context<'_>) -> Option<Value> {
        Some(match ctx.item.node.name.node.as_str() {
            "cursor" => text(&self.cursor),
            "node" => return immediate::object(ctx, &self.node),
            _ => return None,
        })
    }
}

impl Immediate for CommentConnection {
    const TYPE: &'static str = "CommentConnection";

    fn field(&self, ctx: &Context<'_>) -> Option<Value> {
        Some(match ctx.item.node.name.node.as_str() {
            "edges" => return immediate::list(ctx, &self.edges),
            "pageInfo" => return immediate::object(ctx, &self.page_info),
            "totalCount" => Value::from(self.total_count),
            _ => return None,
        })
    }
}

#[derive(Clone, SimpleObject)]
pub struct ChangelogEdge {
    pub cursor: String,
    pub node: Changelog,
}

#[derive(SimpleObject)]
pub struct ChangelogConnection {
    pub edges: Vec<ChangelogEdge>,
    pub page_info: PageInfo,
    pub total_count: i64,
}

/// Builds offset-cursor edges for items starting at `offset`.
pub fn offset_page<T, E>(
    items: Vec<T>,
    offset: usize,
    total: usize,
    edge: impl Fn(String, T) -> E,
) -> (Vec<E>, PageInfo) {
    let count = items.len();
    let edges: Vec<E> = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| edge(encode_offset(offset + i), item))
        .collect();
    let page_info = PageInfo {
        has_next_page: offset + count < total,
        has_previous_page: offset > 0,
        start_cursor: (count > 0).then(|| encode_offset(offset)),
        end_cursor: (count > 0).then(|| encode_offset(offset + count - 1)),
    };
    (edges, page_info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_cursors_round_trip_and_reject_garbage() {
        let cursor = SearchCursor {
            token: Some("abc:def".into()),
            skip: 3,
        };
        assert_eq!(SearchCursor::decode(&cursor.encode()).ok(), Some(cursor));
        assert!(SearchCursor::decode("%%%").is_err());
        assert!(SearchCursor::decode(&encode_offset(3)).is_err());
    }

    #[test]
    fn after_an_offset_cursor_starts_at_the_next_item() {
        assert_eq!(decode_offset(Some(&encode_offset(4))).ok(), Some(5));
        assert_eq!(decode_offset(None).ok(), Some(0));
        assert!(decode_offset(Some("bogus")).is_err());
    }
}
