//! The caller's issue selection over GraphQL: `selection` (query); `select`, `deselect`,
//! `selectAll` and `clearSelection` (mutations). `exportIssues(selection: true)` exports it.
//!
//! A selection belongs to a logged-in user and one of their site connections. It stores keys
//! only, each one checked through the caller's own credentials when it is added; its issues
//! are always re-read from Jira with the caller's credentials, so what the caller can no
//! longer see is simply absent. Missing and forbidden keys get the same answer.

use std::collections::HashSet;
use std::sync::Arc;

use async_graphql::{Context, Object};

use super::context::{RequestContext, request};
use super::error::{GqlError, GqlResult};
use super::export::MAX_KEYS;
use super::filter::{IssueFilter, build_jql};
use super::loaders::IssueKey;
use super::plan::FetchPlan;
use super::query::is_issue_key_or_id;
use super::types::{Issue, IssueEdge, PageInfo, decode_offset, encode_offset, page_size};
use crate::jira::models::SearchRequest;
use crate::store::{SelectedIssue, SelectionAdd, Store, StoreError};

/// Page size of `Selection.issues` when `first` is not given.
const DEFAULT_PAGE: usize = 50;
/// Issues per `search/jql` page of `selectAll`.
const SEARCH_PAGE: u32 = 100;

/// Per-user selection state shared by every request: present when logins are enabled.
pub struct Selections {
    pub store: Store,
}

impl Selections {
    pub fn new(store: Store) -> Arc<Self> {
        Arc::new(Selections { store })
    }
}

/// The caller's issue selection on one Jira site.
pub struct Selection {
    site_url: String,
    entries: Vec<SelectedIssue>,
    /// The caller's context on that site: `issues` reads Jira through it.
    context: Arc<RequestContext>,
}

#[Object]
impl Selection {
    /// The Jira site this selection belongs to.
    async fn site(&self) -> &str {
        &self.site_url
    }

    /// The selected keys in selection order, as Jira answered them to the caller when they
    /// were selected (a moved issue under its new key).
    async fn keys(&self) -> Vec<&str> {
        self.entries.iter().map(|e| e.key.as_str()).collect()
    }

    /// How many keys are selected.
    async fn count(&self) -> i32 {
        i32::try_from(self.entries.len()).unwrap_or(i32::MAX)
    }

    /// The selected issues in selection order, read now from Jira with the caller's own
    /// credentials (one bulkfetch per 100 keys of the page): an issue the caller can no
    /// longer see, or that was deleted, is absent from its page.
    #[graphql(
        complexity = "first.unwrap_or(DEFAULT_PAGE as i32).max(1) as usize * child_complexity"
    )]
    async fn issues(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<SelectionIssueConnection> {
        let first = page_size(first, DEFAULT_PAGE, self.context.max_page_size)?;
        // Cursors are selection positions, so a page stays put when earlier keys are removed.
        let start = decode_offset(after.as_deref())?;
        let start = i64::try_from(start).unwrap_or(i64::MAX);
        let rest: Vec<&SelectedIssue> = self
            .entries
            .iter()
            .filter(|e| e.position >= start)
            .collect();
        let page = &rest[..first.min(rest.len())];
        let plan = Arc::new(FetchPlan::for_connection(ctx.field().selection_set()));
        let wanted: Vec<IssueKey> = page
            .iter()
            .map(|e| IssueKey::new(&e.key, plan.clone()))
            .collect();
        let found = self
            .context
            .issues
            .load_many(wanted.iter().cloned())
            .await
            .map_err(GqlError::from)?;
        let mut shown = HashSet::new();
        let mut edges = Vec::with_capacity(page.len());
        for (entry, key) in page.iter().zip(&wanted) {
            let Some(bean) = found.get(key) else { continue };
            // Two selected keys may have become one issue (a move).
            if !shown.insert(bean.id.clone()) {
                continue;
            }
            edges.push(IssueEdge {
                cursor: encode_offset(usize::try_from(entry.position).unwrap_or(0)),
                node: Issue::new(bean.clone(), self.context.clone()),
            });
        }
        let page_info = PageInfo {
            has_next_page: rest.len() > page.len(),
            has_previous_page: self.entries.iter().any(|e| e.position < start),
            start_cursor: edges.first().map(|e| e.cursor.clone()),
            end_cursor: page
                .last()
                .map(|e| encode_offset(usize::try_from(e.position).unwrap_or(0))),
        };
        Ok(SelectionIssueConnection { edges, page_info })
    }
}

/// A page of the selected issues the caller can see.
pub struct SelectionIssueConnection {
    edges: Vec<IssueEdge>,
    page_info: PageInfo,
}

#[Object]
impl SelectionIssueConnection {
    async fn edges(&self) -> &[IssueEdge] {
        &self.edges
    }
    async fn nodes(&self) -> Vec<&Issue> {
        self.edges.iter().map(|e| &e.node).collect()
    }
    /// `endCursor` continues after the last key of the page, even when that issue was
    /// absent.
    async fn page_info(&self) -> &PageInfo {
        &self.page_info
    }
}

/// Who is selecting, on which site, with which store.
struct Caller<'a> {
    user_id: String,
    store: &'a Store,
    site_url: String,
    context: Arc<RequestContext>,
}

impl Caller<'_> {
    /// The logged-in caller on `site` (default: the request's site). The service account has
    /// no selection: `FORBIDDEN`, as for exports.
    async fn of<'a>(ctx: &'a Context<'_>, site: Option<&str>) -> Result<Caller<'a>, GqlError> {
        let root = request(ctx)?;
        let Some(user_id) = root.user_id() else {
            return Err(GqlError::Forbidden(
                "The selection belongs to a logged-in user: log in (POST /auth/login) and send the gateway access token; the service account has none.".into(),
            ));
        };
        let selections = ctx.data::<Arc<Selections>>().map_err(|_| {
            GqlError::Forbidden("Selections are not enabled on this gateway.".into())
        })?;
        let user_id = user_id.to_owned();
        let context = root.for_site(site).await?;
        let site_url = context
            .sites
            .iter()
            .find(|s| s.current)
            .map(|s| s.url.clone())
            .ok_or(GqlError::Internal)?;
        Ok(Caller {
            user_id,
            store: &selections.store,
            site_url,
            context,
        })
    }

    /// The selection as stored now.
    async fn selection(self) -> Result<Selection, GqlError> {
        let entries = self
            .store
            .list_selection(&self.user_id, &self.site_url)
            .await
            .map_err(store_failed)?;
        Ok(Selection {
            site_url: self.site_url,
            entries,
            context: self.context,
        })
    }

    /// Adds keys Jira answered for the caller; `BAD_USER_INPUT` past the cap.
    async fn add(&self, keys: &[String]) -> Result<(), GqlError> {
        let outcome = self
            .store
            .add_to_selection(&self.user_id, &self.site_url, keys, MAX_KEYS)
            .await
            .map_err(store_failed)?;
        match outcome {
            SelectionAdd::Added { added } => {
                tracing::debug!(selection.added = added, "selection: keys added");
                Ok(())
            }
            SelectionAdd::OverCap { selected, adding } => Err(over_cap(selected, adding)),
        }
    }
}

fn store_failed(error: StoreError) -> GqlError {
    tracing::error!(%error, "selection: store failure");
    GqlError::Internal
}

fn over_cap(selected: usize, adding: usize) -> GqlError {
    GqlError::BadUserInput(format!(
        "A selection holds at most {MAX_KEYS} issues (the export limit): it has {selected} and this would add {adding}. Nothing was selected."
    ))
}

/// Keys trimmed and upper-cased, without repeats, in the given order; `BAD_USER_INPUT`
/// (before any Jira call) naming what is not an issue key or id.
fn parse_keys(keys: Vec<String>) -> Result<Vec<String>, GqlError> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(keys.len());
    let mut bad = Vec::new();
    for key in keys {
        let key = key.trim();
        if !is_issue_key_or_id(key) {
            bad.push(format!("`{}`", key.chars().take(40).collect::<String>()));
            continue;
        }
        let key = key.to_ascii_uppercase();
        if seen.insert(key.clone()) {
            out.push(key);
        }
    }
    if !bad.is_empty() {
        return Err(GqlError::BadUserInput(format!(
            "Not issue keys (like DEMO-1) or ids: {}.",
            bad.join(", ")
        )));
    }
    Ok(out)
}

#[derive(Default)]
pub struct SelectionQuery;

#[Object]
impl SelectionQuery {
    /// The caller's issue selection on `site` (default: X-Jira-Site or the first site).
    async fn selection(&self, ctx: &Context<'_>, site: Option<String>) -> GqlResult<Selection> {
        Ok(Caller::of(ctx, site.as_deref()).await?.selection().await?)
    }
}

#[derive(Default)]
pub struct SelectionMutation;

#[Object]
impl SelectionMutation {
    /// Adds issues to the caller's selection, after those already selected. Every key is
    /// checked with the caller's own credentials (one bulkfetch per 100 keys): if Jira does
    /// not return some of them (missing or not visible: the same answer) nothing is
    /// selected and the error is `NOT_FOUND` naming them. A moved issue is selected under
    /// its new key. More than 1,000 selected issues is `BAD_USER_INPUT`.
    async fn select(
        &self,
        ctx: &Context<'_>,
        keys: Vec<String>,
        site: Option<String>,
    ) -> GqlResult<Selection> {
        let keys = parse_keys(keys)?;
        if keys.len() > MAX_KEYS {
            return Err(over_cap(0, keys.len()).into());
        }
        let caller = Caller::of(ctx, site.as_deref()).await?;
        if keys.is_empty() {
            return Ok(caller.selection().await?);
        }
        // The least a bulkfetch can ask for: the issue's key.
        let plan = Arc::new(FetchPlan::default());
        let wanted: Vec<IssueKey> = keys
            .iter()
            .map(|k| IssueKey::new(k, plan.clone()))
            .collect();
        let found = caller
            .context
            .issues
            .load_many(wanted.iter().cloned())
            .await
            .map_err(GqlError::from)?;
        let mut answered = Vec::with_capacity(keys.len());
        let mut seen = HashSet::new();
        let mut missing = Vec::new();
        for key in &wanted {
            match found.get(key) {
                // Jira's key: a moved issue asked for by its old key answers with its new one.
                Some(bean) if seen.insert(bean.key.clone()) => answered.push(bean.key.clone()),
                Some(_) => {}
                None => missing.push(key.key.clone()),
            }
        }
        if !missing.is_empty() {
            return Err(GqlError::NotFound {
                kind: if missing.len() == 1 {
                    "issue"
                } else {
                    "issues"
                },
                key: missing.join("`, `"),
            }
            .into());
        }
        caller.add(&answered).await?;
        Ok(caller.selection().await?)
    }

    /// Removes issues from the caller's selection (keys not selected are ignored). No Jira
    /// call.
    async fn deselect(
        &self,
        ctx: &Context<'_>,
        keys: Vec<String>,
        site: Option<String>,
    ) -> GqlResult<Selection> {
        let keys = parse_keys(keys)?;
        let caller = Caller::of(ctx, site.as_deref()).await?;
        caller
            .store
            .remove_from_selection(&caller.user_id, &caller.site_url, &keys)
            .await
            .map_err(store_failed)?;
        Ok(caller.selection().await?)
    }

    /// Adds every issue of `jql` and/or `filter` the caller can see, in the search's order,
    /// after those already selected: one Jira search call per 100 issues. More than 1,000
    /// issues is `BAD_USER_INPUT` and selects nothing.
    async fn select_all(
        &self,
        ctx: &Context<'_>,
        jql: Option<String>,
        filter: Option<IssueFilter>,
        site: Option<String>,
    ) -> GqlResult<Selection> {
        let jql = build_jql(jql.as_deref(), filter.as_ref(), &[])?;
        let caller = Caller::of(ctx, site.as_deref()).await?;
        let mut keys: Vec<String> = Vec::new();
        let mut seen = HashSet::new();
        let mut token = None;
        loop {
            let page = caller
                .context
                .jira
                .search_jql(&SearchRequest {
                    jql: jql.clone(),
                    next_page_token: token,
                    max_results: Some(SEARCH_PAGE),
                    // Only the key; an empty list would get ids without keys.
                    fields: vec!["key".to_owned()],
                    ..SearchRequest::default()
                })
                .await
                .map_err(|e| GqlError::from_search(&e))?;
            let last = page.is_last_page() || page.issues.is_empty();
            keys.extend(
                page.issues
                    .into_iter()
                    .map(|issue| issue.key)
                    .filter(|key| seen.insert(key.clone())),
            );
            if keys.len() > MAX_KEYS {
                return Err(GqlError::BadUserInput(format!(
                    "The search matches more than {MAX_KEYS} issues, the most a selection holds: narrow it down. Nothing was selected."
                ))
                .into());
            }
            if last {
                break;
            }
            token = page.next_page_token;
        }
        caller.add(&keys).await?;
        Ok(caller.selection().await?)
    }

    /// Empties the caller's selection on `site`.
    async fn clear_selection(
        &self,
        ctx: &Context<'_>,
        site: Option<String>,
    ) -> GqlResult<Selection> {
        let caller = Caller::of(ctx, site.as_deref()).await?;
        caller
            .store
            .clear_selection(&caller.user_id, &caller.site_url)
            .await
            .map_err(store_failed)?;
        Ok(caller.selection().await?)
    }
}

#[cfg(test)]
mod tests {
    use super::parse_keys;

    #[test]
    fn keys_are_normalised_deduplicated_and_junk_is_named() {
        let keys = parse_keys(vec![" demo-2".into(), "DEMO-2".into(), "10001".into()]);
        assert_eq!(
            keys.ok(),
            Some(vec!["DEMO-2".to_owned(), "10001".to_owned()])
        );
        let Err(error) = parse_keys(vec!["DEMO-1".into(), "x OR 1=1".into()]) else {
            panic!("junk accepted");
        };
        assert_eq!(error.code(), "BAD_USER_INPUT");
        assert!(
            error.message().contains("`x OR 1=1`"),
            "{}",
            error.message()
        );
    }
}
