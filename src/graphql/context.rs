//! The per-request context: the caller's Jira client and the loaders built for this request
//! (one WebSocket connection counts as one request). Never shared between callers, so one
//! user's cached answers cannot reach another.

use std::sync::Arc;

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, HashMapCache};

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
    /// Builds contexts for the caller's other sites (a root field's `site` argument).
    other_sites: Option<OtherSites>,
}

/// How a request reaches the caller's other sites, and the contexts already built for them.
struct OtherSites {
    identity: Arc<crate::auth::Identity>,
    user_id: String,
    built: tokio::sync::Mutex<std::collections::HashMap<String, Arc<RequestContext>>>,
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

    /// Like [`RequestContext::new`], for a logged-in caller: root fields may name another of
    /// the caller's sites with their `site` argument.
    pub fn for_user(
        jira: JiraClient,
        max_page_size: usize,
        sites: Vec<SiteInfo>,
        identity: Arc<crate::auth::Identity>,
        user_id: String,
    ) -> Arc<Self> {
        let mut context = Self::build(jira, max_page_size, sites);
        context.other_sites = Some(OtherSites {
            identity,
            user_id,
            built: tokio::sync::Mutex::new(std::collections::HashMap::new()),
        });
        Arc::new(context)
    }

    /// The context for `site` (a URL, name or cloud id of one of the caller's sites), or this
    /// one when `site` is absent or is the current site. A site the caller has not connected
    /// is `FORBIDDEN`.
    pub async fn for_site(
        self: &Arc<Self>,
        site: Option<&str>,
    ) -> Result<Arc<RequestContext>, GqlError> {
        let Some(site) = site.map(str::trim).filter(|s| !s.is_empty()) else {
            return Ok(self.clone());
        };
        let wanted = site.trim_end_matches('/');
        let is_current = |s: &SiteInfo| {
            s.current
                && (s.url.trim_end_matches('/').eq_ignore_ascii_case(wanted)
                    || s.name == site
                    || s.cloud_id.as_deref() == Some(site))
        };
        if self.sites.iter().any(is_current) {
            return Ok(self.clone());
        }
        let Some(other) = &self.other_sites else {
            // The service account has one site.
            let own = self
                .jira
                .base_url()
                .as_str()
                .trim_end_matches('/')
                .to_string();
            return if own.eq_ignore_ascii_case(wanted) {
                Ok(self.clone())
            } else {
                Err(GqlError::Forbidden(
                    "You have no connection to that Jira site.".into(),
                ))
            };
        };
        let mut built = other.built.lock().await;
        if let Some(context) = built.get(wanted) {
            return Ok(context.clone());
        }
        let (connection, sites) = other
            .identity
            .connection(&other.user_id, Some(site))
            .await?;
        let jira = other.identity.client_for(&connection).await?;
        let context = Arc::new(Self::build(jira, self.max_page_size, sites));
        built.insert(wanted.to_string(), context.clone());
        Ok(context)
    }

    /// The logged-in caller's user id; `None` for the service account.
    pub fn user_id(&self) -> Option<&str> {
        self.other_sites.as_ref().map(|o| o.user_id.as_str())
    }

    /// Like [`RequestContext::new`], for a caller with several sites.
    pub fn with_sites(jira: JiraClient, max_page_size: usize, sites: Vec<SiteInfo>) -> Arc<Self> {
        Arc::new(Self::build(jira, max_page_size, sites))
    }

    fn build(jira: JiraClient, max_page_size: usize, sites: Vec<SiteInfo>) -> Self {
        RequestContext {
            issues: DataLoader::with_cache(
                IssueLoader { jira: jira.clone() },
                tokio::spawn,
                HashMapCache::default(),
            ),
            comments: DataLoader::with_cache(
                CommentLoader { jira: jira.clone() },
                tokio::spawn,
                HashMapCache::default(),
            ),
            changelogs: DataLoader::with_cache(
                ChangelogLoader { jira: jira.clone() },
                tokio::spawn,
                HashMapCache::default(),
            ),
            transitions: DataLoader::with_cache(
                TransitionLoader { jira: jira.clone() },
                tokio::spawn,
                HashMapCache::default(),
            ),
            users: DataLoader::with_cache(
                UserLoader { jira: jira.clone() },
                tokio::spawn,
                HashMapCache::default(),
            ),
            jira,
            max_page_size,
            fields: tokio::sync::OnceCell::new(),
            sites,
            other_sites: None,
        }
    }

    /// A context on the same site with the same credentials and fresh loaders: for a value a
    /// long-lived subscription pushes, so it is not served from what the connection read
    /// before.
    pub fn renewed(&self) -> Arc<RequestContext> {
        Arc::new(Self::build(
            self.jira.clone(),
            self.max_page_size,
            self.sites.clone(),
        ))
    }

    /// Field definitions of the caller's site as the caller's credentials see them: kept for
    /// [`FIELD_DEFINITIONS_TTL`] per site and credentials ([`field_definitions_of`]), and for
    /// the rest of this request once read.
    pub async fn field_definitions(&self) -> Result<Arc<Vec<FieldDetails>>, GqlError> {
        self.fields
            .get_or_try_init(|| field_definitions_of(&self.jira))
            .await
            .cloned()
    }
}

/// How long a site's field definitions are kept (custom fields' names and types: they change
/// when an admin edits the site, rarely).
pub const FIELD_DEFINITIONS_TTL: std::time::Duration = std::time::Duration::from_secs(300);

/// Most field definitions kept across all sites and credentials (a large site has a few
/// thousand fields of a few hundred bytes each).
const FIELD_DEFINITIONS_MAX: u64 = 200_000;

/// Field definitions by site and credentials. Keyed by the credentials' identity, never
/// shared between callers: a field only some users may see stays theirs. Concurrent misses for
/// one key make one Jira call.
static FIELD_DEFINITIONS: std::sync::LazyLock<moka::future::Cache<String, Arc<Vec<FieldDetails>>>> =
    std::sync::LazyLock::new(|| {
        moka::future::Cache::builder()
            .time_to_live(FIELD_DEFINITIONS_TTL)
            .weigher(|_, fields: &Arc<Vec<FieldDetails>>| {
                u32::try_from(fields.len()).unwrap_or(u32::MAX).max(1)
            })
            .max_capacity(FIELD_DEFINITIONS_MAX)
            .build()
    });

/// `GET /field` as `jira`'s credentials, from the shared cache when it was read within
/// [`FIELD_DEFINITIONS_TTL`]. A failed call is not kept.
async fn field_definitions_of(jira: &JiraClient) -> Result<Arc<Vec<FieldDetails>>, GqlError> {
    let key = format!("{}\n{}", jira.base_url(), jira.identity());
    FIELD_DEFINITIONS
        .try_get_with(key, async { jira.fields().await.map(Arc::new) })
        .await
        .map_err(GqlError::from)
}

/// The context a root field acts with: the request's, or the one for its `site` argument.
pub async fn site_request(
    ctx: &Context<'_>,
    site: Option<&str>,
) -> Result<Arc<RequestContext>, GqlError> {
    request(ctx)?.for_site(site).await
}

/// The request context of a resolver, or `UNAUTHENTICATED` when the request has none.
pub fn request<'a>(ctx: &'a Context<'_>) -> Result<&'a Arc<RequestContext>, GqlError> {
    ctx.data::<Arc<RequestContext>>()
        .map_err(|_| GqlError::Unauthenticated("No Jira credentials for this request.".into()))
}
