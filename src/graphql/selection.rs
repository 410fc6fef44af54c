//! The caller's issue selection over GraphQL: `selection` (query); `select`, `deselect`,
//! `selectAll` and `clearSelection` (mutations); `selectionChanged` (subscription).
//! `exportIssues(selection: true)` exports it.
//!
//! A selection belongs to a logged-in user and one of their site connections. It stores keys
//! only, each one checked through the caller's own credentials when it is added; its issues
//! are always re-read from Jira with the caller's credentials, so what the caller can no
//! longer see is simply absent. Missing and forbidden keys get the same answer.

use std::collections::HashSet;
use std::sync::Arc;

use async_graphql::{Context, Object, Subscription};
use futures_util::{Stream, StreamExt, stream};
use tokio::sync::broadcast;
use tokio_stream::wrappers::BroadcastStream;

use super::context::{RequestContext, request};
use super::error::{GqlError, GqlResult};
use super::export::MAX_KEYS;
use super::loaders::IssueKey;
use super::plan::FetchPlan;
use super::query::is_issue_key_or_id;
use super::types::{Issue, IssueEdge, PageInfo, decode_offset, encode_offset, page_size};
use crate::store::{SelectedIssue, SelectionAdd, Store, StoreError};

mod mutation;

pub use mutation::SelectionMutation;

/// Page size of `Selection.issues` when `first` is not given.
const DEFAULT_PAGE: usize = 50;

/// Per-user selection state shared by every request: present when logins are enabled.
pub struct Selections {
    pub store: Store,
    /// Which user's selection on which site changed, after every selection mutation of this
    /// process (for `selectionChanged`).
    pub events: broadcast::Sender<SelectionEvent>,
}

/// A selection changed; subscribers re-read it from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectionEvent {
    pub user_id: String,
    pub site_url: String,
}

impl Selections {
    pub fn new(store: Store) -> Arc<Self> {
        let (events, _) = broadcast::channel(256);
        Arc::new(Selections { store, events })
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
#[derive(Clone)]
struct Caller {
    user_id: String,
    selections: Arc<Selections>,
    site_url: String,
    context: Arc<RequestContext>,
}

impl Caller {
    /// The logged-in caller on `site` (default: the request's site). The service account has
    /// no selection: `FORBIDDEN`, as for exports.
    async fn of(ctx: &Context<'_>, site: Option<&str>) -> Result<Caller, GqlError> {
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
            selections: selections.clone(),
            site_url,
            context,
        })
    }

    fn store(&self) -> &Store {
        &self.selections.store
    }

    /// The selection as stored now.
    async fn selection(self) -> Result<Selection, GqlError> {
        let entries = self
            .store()
            .list_selection(&self.user_id, &self.site_url)
            .await
            .map_err(store_failed)?;
        Ok(Selection {
            site_url: self.site_url,
            entries,
            context: self.context,
        })
    }

    /// Tells this process's `selectionChanged` subscribers.
    fn publish(&self) {
        // Nobody listening is fine.
        let _ = self.selections.events.send(SelectionEvent {
            user_id: self.user_id.clone(),
            site_url: self.site_url.clone(),
        });
    }

    fn is_mine(&self, event: &SelectionEvent) -> bool {
        event.user_id == self.user_id && event.site_url == self.site_url
    }

    /// Adds keys Jira answered for the caller; `BAD_USER_INPUT` past the cap.
    async fn add(&self, keys: &[String]) -> Result<(), GqlError> {
        let outcome = self
            .store()
            .add_to_selection(&self.user_id, &self.site_url, keys, MAX_KEYS)
            .await
            .map_err(store_failed)?;
        match outcome {
            SelectionAdd::Added { added } => {
                tracing::debug!(selection.added = added, "selection: keys added");
                if added > 0 {
                    self.publish();
                }
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
pub struct SelectionSubscription;

#[Subscription]
impl SelectionSubscription {
    /// The caller's selection on `site` now, then again after each change made through this
    /// gateway process (by any of the caller's connections). Each value reads its `issues`
    /// afresh with the caller's credentials.
    async fn selection_changed(
        &self,
        ctx: &Context<'_>,
        site: Option<String>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<Selection>> + use<>> {
        let caller = Caller::of(ctx, site.as_deref()).await?;
        let changes = BroadcastStream::new(caller.selections.events.subscribe());
        let filter = caller.clone();
        let changes = changes.filter(move |event| {
            // A lagging subscriber missed some events: re-reading is always right.
            std::future::ready(match event {
                Ok(event) => filter.is_mine(event),
                Err(_) => true,
            })
        });
        Ok(stream::once(std::future::ready(()))
            .chain(changes.map(|_| ()))
            .then(move |()| {
                let mut caller = caller.clone();
                async move {
                    // Fresh loaders: nothing read for an earlier value is served again.
                    caller.context = caller.context.renewed();
                    caller.selection().await.map_err(Into::into)
                }
            }))
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
