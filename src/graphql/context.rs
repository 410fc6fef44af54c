//! The per-request context: the caller's Jira client and the loaders built for this request
//! (one WebSocket connection counts as one request). Never shared between callers, so one
//! user's cached answers cannot reach another.

use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache};
use async_graphql::Context;

use super::error::GqlError;
use super::loaders::{ChangelogLoader, CommentLoader, IssueLoader, TransitionLoader, UserLoader};
use crate::jira::JiraClient;
use crate::jira::models::FieldDetails;

/// Everything a resolver needs to reach Jira as the caller.
pub struct RequestContext {
    pub jira: JiraClient,
    pub issues: DataLoader<IssueLoader, HashMapCache>,
    pub comments: DataLoader<CommentLoader, HashMapCache>,
    pub changelogs: DataLoader<ChangelogLoader, HashMapCache>,
    pub transitions: DataLoader<TransitionLoader, HashMapCache>,
    pub users: DataLoader<UserLoader, HashMapCache>,
    /// Largest page a connection may ask for.
    pub max_page_size: usize,
    /// The site's field definitions (names and types of custom fields), fetched at most once.
    fields: tokio::sync::OnceCell<Arc<Vec<FieldDetails>>>,
    /// The caller's Jira sites; the one this request acts on is marked `current`.
    pub sites: Vec<SiteInfo>,
}

/// A Jira site the caller is connected to.
#[derive(Debug, Clone, async_graphql::SimpleObject)]
pub struct SiteInfo {
    pub url: String,
    pub name: String,
    pub cloud_id: Option<String>,
    /// True when Jira refused the stored credentials: log in again to use this site.
    pub needs_reconnect: bool,
    /// The site this request acts on (chosen by `X-Jira-Site`, default the first).
    pub current: bool,
}

impl RequestContext {
    /// Builds fresh loaders over `jira` (the caller's own credentials).
    pub fn new(jira: JiraClient, max_page_size: usize) -> Arc<Self> {
        Self::with_sites(jira, max_page_size, Vec::new())
    }

    /// Like [`RequestContext::new`], for a caller with several sites.
    pub fn with_sites(jira: JiraClient, max_page_size: usize, sites: Vec<SiteInfo>) -> Arc<Self> {
        Arc::new(RequestContext {
            issues: DataLoader::with_cache(IssueLoader { jira: jira.clone() }, tokio::spawn, HashMapCache::default()),
            comments: DataLoader::with_cache(CommentLoader { jira: jira.clone() }, tokio::spawn, HashMapCache::default()),
            changelogs: DataLoader::with_cache(ChangelogLoader { jira: jira.clone() }, tokio::spawn, HashMapCache::default()),
            transitions: DataLoader::with_cache(TransitionLoader { jira: jira.clone() }, tokio::spawn, HashMapCache::default()),
            users: DataLoader::with_cache(UserLoader { jira: jira.clone() }, tokio::spawn, HashMapCache::default()),
            jira,
            max_page_size,
            fields: tokio::sync::OnceCell::new(),
            sites,
        })
    }

    /// Field definitions of the caller's site, fetched on first use in this request.
    pub async fn field_definitions(&self) -> Result<Arc<Vec<FieldDetails>>, GqlError> {
        self.fields
            .get_or_try_init(|| async { self.jira.fields().await.map(Arc::new) })
            .await
            .cloned()
            .map_err(GqlError::from)
    }
}

/// The request context of a resolver, or `UNAUTHENTICATED` when the request has none.
pub fn request<'a>(ctx: &'a Context<'_>) -> Result<&'a Arc<RequestContext>, GqlError> {
    ctx.data::<Arc<RequestContext>>()
        .map_err(|_| GqlError::Unauthenticated("No Jira credentials for this request.".into()))
}
