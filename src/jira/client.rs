//! `JiraClient`: the one path every Jira request takes — budget, auth, timeout, status
//! mapping, and retries with `Retry-After` and Atlassian's backoff. Endpoint methods live in
//! `endpoints/`; this file knows no endpoint.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use url::Url;

use super::auth::JiraAuth;
use super::budget::{BudgetLimits, SiteBudget};
use super::error::{JiraError, Result};
use super::models::{ReadOptions, from_json_bytes_with};
use super::retry;

/// Atlassian's API gateway, the base for OAuth 2.0 (3LO) calls.
pub const ATLASSIAN_API_BASE: &str = "https://api.atlassian.com";

/// How the client talks to one Jira site. Defaults follow Atlassian's guidance (JIRA-FACTS §2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// Timeout of one attempt, from sending to the last byte of the response.
    pub timeout: Duration,
    /// TCP/TLS connect timeout; applied by [`ClientConfig::http_client`] to the shared pool.
    pub connect_timeout: Duration,
    /// Retries after the first attempt (Atlassian: 4; writes are only retried on 429).
    pub max_retries: u32,
    /// First computed backoff delay, doubled per retry (Atlassian: 5 s).
    pub retry_base_delay: Duration,
    /// Cap of a computed backoff delay (Atlassian: 30 s). `Retry-After` is not capped.
    pub max_retry_delay: Duration,
    /// Requests in flight at once per [`SiteBudget`].
    pub max_concurrency: usize,
    /// Sustained requests per second per [`SiteBudget`].
    pub requests_per_second: u32,
    /// Burst allowance per [`SiteBudget`].
    pub burst: u32,
    /// Most time one call may spend waiting (budget and backoff, not in flight) before it
    /// fails with `RateLimited`.
    pub max_wait: Duration,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(5),
            max_retries: 4,
            retry_base_delay: Duration::from_secs(5),
            max_retry_delay: Duration::from_secs(30),
            max_concurrency: 8,
            requests_per_second: 20,
            burst: 40,
            max_wait: Duration::from_secs(10),
        }
    }
}

impl ClientConfig {
    /// The budget limits these settings describe, for [`SiteBudget::new`].
    pub fn budget_limits(&self) -> BudgetLimits {
        BudgetLimits {
            max_concurrency: self.max_concurrency,
            requests_per_second: self.requests_per_second,
            burst: self.burst,
        }
    }

    /// Builds the process-wide pooled HTTP client (rustls) with these connect settings.
    pub fn http_client(&self) -> Result<reqwest::Client> {
        reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .pool_idle_timeout(Duration::from_secs(90))
            .user_agent(concat!("jira-gateway/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| JiraError::from_transport(&err))
    }
}

/// The site base URL for API-token (Basic) access: `https://{site}.atlassian.net`.
///
/// Accepts `acme.atlassian.net`, `https://acme.atlassian.net/` or a URL with a path, and keeps
/// only scheme, host and port (plain `http` is kept for local test sites).
pub fn site_base(site_url: &str) -> std::result::Result<Url, url::ParseError> {
    let trimmed = site_url.trim();
    let mut url = match Url::parse(trimmed) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => Url::parse(&format!("https://{trimmed}"))?,
        Err(err) => return Err(err),
    };
    let web = matches!(url.scheme(), "https" | "http");
    if !web || url.cannot_be_a_base() || url.host_str().is_none_or(str::is_empty) {
        return Err(url::ParseError::EmptyHost);
    }
    url.set_path("/");
    url.set_query(None);
    url.set_fragment(None);
    // Credentials in a configured URL would otherwise ride along on every request.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    Ok(url)
}

/// The base URL for OAuth 2.0 (3LO) access: `{api_base}/ex/jira/{cloud_id}`.
///
/// `api_base` is [`ATLASSIAN_API_BASE`] in production and the simulated site in tests.
pub fn oauth_base(api_base: &Url, cloud_id: &str) -> std::result::Result<Url, url::ParseError> {
    if cloud_id.is_empty() || cloud_id == "." || cloud_id == ".." {
        return Err(url::ParseError::EmptyHost);
    }
    let mut url = api_base.clone();
    url.set_query(None);
    url.set_fragment(None);
    url.path_segments_mut()
        .map_err(|()| url::ParseError::RelativeUrlWithCannotBeABaseBase)?
        .pop_if_empty()
        .extend(["ex", "jira", cloud_id]);
    Ok(url)
}

/// A Jira REST v3 client acting with one set of credentials. Cheap to clone.
///
/// Many clients (one per user connection) share one `reqwest::Client` pool and one
/// [`SiteBudget`] per site.
#[derive(Clone)]
pub struct JiraClient {
    inner: Arc<Inner>,
    max_wait: Duration,
}

struct Inner {
    http: reqwest::Client,
    base_url: Url,
    auth: JiraAuth,
    config: ClientConfig,
    budget: Arc<SiteBudget>,
}

impl std::fmt::Debug for JiraClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JiraClient")
            .field("base_url", &self.inner.base_url.as_str())
            .field("auth", &self.inner.auth)
            .field("max_wait", &self.max_wait)
            .finish_non_exhaustive()
    }
}

/// One request as the endpoint methods describe it.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    method: Method,
    /// Path segments under `/rest/api/3/`, each percent-encoded on its own.
    path: Vec<String>,
    query: Vec<(&'static str, String)>,
    body: Option<Bytes>,
    /// Whether repeating the call cannot change anything in Jira.
    idempotent: bool,
    /// Whether the response is raw bytes rather than JSON.
    raw: bool,
}

impl Call {
    fn new(method: Method, path: &[&str], idempotent: bool) -> Self {
        Self {
            method,
            path: path.iter().map(|s| (*s).to_owned()).collect(),
            query: Vec::new(),
            body: None,
            idempotent,
            raw: false,
        }
    }

    /// A `GET`: read-only, so retried on 429, 5xx, timeouts and network errors.
    pub(crate) fn get(path: &[&str]) -> Self {
        Self::new(Method::GET, path, true)
    }

    /// A `POST` that only reads (search, bulk fetch, count, parse, lists): retried like a GET.
    pub(crate) fn read_post(path: &[&str]) -> Self {
        Self::new(Method::POST, path, true)
    }

    /// A write (`POST`/`PUT`/`DELETE`): never retried once Jira may have processed it.
    pub(crate) fn write(method: Method, path: &[&str]) -> Self {
        Self::new(method, path, false)
    }

    /// Adds a query parameter (repeat the name for lists).
    pub(crate) fn query(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.query.push((name, value.into()));
        self
    }

    /// Adds a query parameter when `value` is non-empty.
    pub(crate) fn query_nonempty(self, name: &'static str, value: &str) -> Self {
        if value.is_empty() {
            self
        } else {
            self.query(name, value)
        }
    }

    /// Sets a JSON body.
    pub(crate) fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Result<Self> {
        let bytes = serde_json::to_vec(body)
            .map_err(|err| JiraError::Decode(format!("could not encode request body: {err}")))?;
        self.body = Some(Bytes::from(bytes));
        Ok(self)
    }

    /// Expects a raw (non-JSON) response body.
    pub(crate) fn raw(mut self) -> Self {
        self.raw = true;
        self
    }
}

/// A response as read off the wire.
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

/// How one attempt ended, when not in success.
enum Failure {
    Status(Reply),
    Transport(reqwest::Error),
}

impl JiraClient {
    /// A client for `base_url` (see [`site_base`] and [`oauth_base`]) acting as `auth`.
    ///
    /// `http` is the process-wide pool ([`ClientConfig::http_client`]); `budget` is shared by
    /// every client of the same site.
    pub fn new(
        http: reqwest::Client,
        base_url: Url,
        auth: JiraAuth,
        config: ClientConfig,
        budget: Arc<SiteBudget>,
    ) -> Self {
        let max_wait = config.max_wait;
        Self {
            inner: Arc::new(Inner {
                http,
                base_url,
                auth,
                config,
                budget,
            }),
            max_wait,
        }
    }

    /// The same client with a different wait allowance (e.g. longer for export workers).
    pub fn with_max_wait(&self, max_wait: Duration) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
            max_wait,
        }
    }

    /// The site base URL (without `/rest/api/3`).
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// The credentials this client acts with.
    pub fn auth(&self) -> &JiraAuth {
        &self.inner.auth
    }

    /// A non-secret identity of the credentials, for cache keys ([`JiraAuth::identity`]).
    pub fn identity(&self) -> String {
        self.inner.auth.identity()
    }

    /// The site budget this client draws from.
    pub fn budget(&self) -> &Arc<SiteBudget> {
        &self.inner.budget
    }

    /// Sends `call` and decodes the JSON answer; an empty body (204) decodes as `null`, so
    /// `()` and `Option<T>` work for bodiless answers.
    pub(crate) async fn send<T: DeserializeOwned>(&self, call: Call) -> Result<T> {
        self.send_with(call, ReadOptions::default()).await
    }

    /// [`Self::send`], reading the answer with `options` ([`ReadOptions`]).
    pub(crate) async fn send_with<T: DeserializeOwned>(
        &self,
        call: Call,
        options: ReadOptions,
    ) -> Result<T> {
        let reply = self.execute(&call).await?;
        from_json_bytes_with(&reply.body, options).map_err(|err| JiraError::decode::<T>(&err))
    }

    /// Sends `call` and ignores the answer body.
    pub(crate) async fn send_unit(&self, call: Call) -> Result<()> {
        self.execute(&call).await.map(drop)
    }

    /// Sends `call` and returns the raw answer body.
    pub(crate) async fn send_bytes(&self, call: Call) -> Result<Bytes> {
        self.execute(&call.raw()).await.map(|reply| reply.body)
    }

    fn url_for(&self, call: &Call) -> Result<Url> {
        if let Some(bad) = call
            .path
            .iter()
            .find(|s| s.is_empty() || *s == "." || *s == "..")
        {
            return Err(JiraError::BadRequest {
                messages: vec![format!("invalid identifier {bad:?}")],
                errors: Default::default(),
            });
        }
        let mut url = self.inner.base_url.clone();
        url.set_query(None);
        url.set_fragment(None);
        url.path_segments_mut()
            .map_err(|()| JiraError::Transport("the Jira base URL cannot carry a path".into()))?
            .pop_if_empty()
            .extend(["rest", "api", "3"])
            .extend(&call.path);
        if !call.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &call.query {
                pairs.append_pair(name, value);
            }
        }
        Ok(url)
    }

    /// The retry loop. Only this function decides whether a call is sent again.
    ///
    /// * 429: Jira did not process the request, so every call is retried, writes included.
    ///   `Retry-After` (when sent) also pauses the whole site budget.
    /// * 503: retried for idempotent calls; its `Retry-After` pauses the site too.
    /// * 500, 502, 504, timeouts and network errors: retried for idempotent calls only. A
    ///   write that failed this way may have reached Jira, and repeating it could double a
    ///   comment or a transition, so it fails instead.
    /// * Waiting (budget plus backoff) is bounded by `max_wait`; when the next wait would pass
    ///   it, the call fails at once with `RateLimited` (on 429) or the last error.
    async fn execute(&self, call: &Call) -> Result<Reply> {
        let url = self.url_for(call)?;
        let path = call.path.join("/");
        let config = &self.inner.config;
        let mut waited = Duration::ZERO;
        let mut retries: u32 = 0;
        loop {
            let permit = self
                .inner
                .budget
                .acquire(self.max_wait.saturating_sub(waited))
                .await?;
            waited += permit.waited();
            let started = Instant::now();
            let outcome = self.attempt(call, &url).await;
            drop(permit);
            let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);

            let failure = match outcome {
                Ok(reply) if reply.status.is_success() => {
                    tracing::debug!(
                        jira.method = %call.method,
                        jira.path = %path,
                        jira.status = reply.status.as_u16(),
                        duration_ms,
                        retry.attempt = retries,
                        "jira call succeeded"
                    );
                    return Ok(reply);
                }
                Ok(reply) => Failure::Status(reply),
                Err(err) => Failure::Transport(err),
            };

            let verdict = self.judge(call, failure);
            tracing::debug!(
                jira.method = %call.method,
                jira.path = %path,
                jira.status = verdict.status,
                duration_ms,
                retry.attempt = retries,
                "jira call failed"
            );
            if !verdict.retryable || retries >= config.max_retries {
                return Err(verdict.error);
            }
            let delay = retry::delay(
                config.retry_base_delay,
                config.max_retry_delay,
                retries,
                verdict.retry_after,
            );
            if waited.saturating_add(delay) > self.max_wait {
                return Err(verdict.give_up(delay));
            }
            tracing::warn!(
                jira.method = %call.method,
                jira.path = %path,
                jira.status = verdict.status,
                retry.attempt = retries + 1,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                "retrying jira call"
            );
            tokio::time::sleep(delay).await;
            waited += delay;
            retries += 1;
        }
    }

    /// One attempt on the wire.
    async fn attempt(&self, call: &Call, url: &Url) -> std::result::Result<Reply, reqwest::Error> {
        let accept = if call.raw { "*/*" } else { "application/json" };
        let mut request = self
            .inner
            .http
            .request(call.method.clone(), url.clone())
            .timeout(self.inner.config.timeout)
            .header(ACCEPT, accept);
        if let Some(body) = &call.body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let response = self.inner.auth.apply(request).send().await?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await?;
        Ok(Reply {
            status,
            headers,
            body,
        })
    }

    /// Maps a failed attempt to its error and whether it may be retried.
    fn judge(&self, call: &Call, failure: Failure) -> Verdict {
        match failure {
            Failure::Status(reply) => {
                let status = reply.status.as_u16();
                let retry_after = retry::retry_after(&reply.headers);
                match status {
                    429 => {
                        let reason = retry::rate_limit_reason(&reply.headers);
                        if let Some(wait) = retry_after {
                            self.inner.budget.pause_for(wait, reason.as_deref());
                        }
                        Verdict {
                            error: JiraError::RateLimited {
                                retry_after,
                                reason,
                            },
                            retryable: true,
                            retry_after,
                            status: Some(status),
                        }
                    }
                    503 => {
                        if let Some(wait) = retry_after {
                            self.inner.budget.pause_for(wait, None);
                        }
                        Verdict {
                            error: JiraError::Upstream { status },
                            retryable: call.idempotent,
                            retry_after,
                            status: Some(status),
                        }
                    }
                    500 | 502 | 504 => Verdict {
                        error: JiraError::Upstream { status },
                        retryable: call.idempotent,
                        retry_after,
                        status: Some(status),
                    },
                    _ => Verdict {
                        error: JiraError::from_status(status, &reply.body),
                        retryable: false,
                        retry_after: None,
                        status: Some(status),
                    },
                }
            }
            Failure::Transport(err) => Verdict {
                retryable: call.idempotent && !err.is_builder(),
                error: JiraError::from_transport(&err),
                retry_after: None,
                status: None,
            },
        }
    }
}

/// The judgement on one failed attempt.
struct Verdict {
    error: JiraError,
    retryable: bool,
    retry_after: Option<Duration>,
    status: Option<u16>,
}

impl Verdict {
    /// The error to return when the next wait would exceed the caller's allowance.
    fn give_up(self, next_delay: Duration) -> JiraError {
        match self.error {
            JiraError::RateLimited { reason, .. } => JiraError::RateLimited {
                retry_after: Some(self.retry_after.unwrap_or(next_delay)),
                reason,
            },
            other => other,
        }
    }
}
