//! The simulated Jira Cloud site: its own axum app, seeded data, faults and an OAuth stand-in.
//!
//! It follows Atlassian's contract (`shared/jira/jira-cloud-openapi.json`) closely enough that
//! the gateway's client cannot tell it from Jira. Used by `demo`, tests and benchmarks; the
//! gateway's request path never imports it.
//!
//! Routes:
//! - `/rest/api/3/...` with Basic auth (email + API token);
//! - `/ex/jira/{cloudId}/rest/api/3/...` with OAuth bearer tokens, as on api.atlassian.com;
//! - `/authorize`, `/oauth/token`, `/oauth/token/accessible-resources`: the OAuth 2.0 (3LO) stand-in;
//! - `/_sim/...`: the admin API (request log, faults, acting as another user), never under `/rest`.

pub mod admin;
pub mod auth;
pub mod content;
pub mod error;
pub mod faults;
pub mod jql;
pub mod json;
pub mod log;
pub mod model;
pub mod oauth;
pub mod routes;
pub mod seed;
pub mod webhooks;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::http::Uri;
use axum::middleware::Next;
use axum::response::Response;
use parking_lot::{Mutex, RwLock};
use tokio::net::TcpListener;

pub use faults::{FaultConfig, FaultRule, RateLimit};
pub use log::{LoggedRequest, RequestLog};
use model::SiteData;

/// Options of the simulated site (the `sim` subcommand's flags).
#[derive(Debug, Clone, clap::Args)]
pub struct SimConfig {
    /// Seed of the generated dataset; the same seed gives the same data.
    #[arg(long, env = "SIM_SEED", default_value_t = 42)]
    pub seed: u64,
    /// How many issues to generate (up to 100,000 and more for benchmarks).
    #[arg(long, env = "SIM_ISSUES", default_value_t = 500)]
    pub issues: usize,
    /// Fixed latency added to every request, in milliseconds.
    #[arg(long, env = "SIM_LATENCY_MS", default_value_t = 0)]
    pub latency_ms: u64,
    /// Random extra latency of up to this many milliseconds.
    #[arg(long, env = "SIM_JITTER_MS", default_value_t = 0)]
    pub jitter_ms: u64,
    /// Fraction of requests (0..=1) answered with 500 or 503.
    #[arg(long, env = "SIM_ERROR_RATE", default_value_t = 0.0)]
    pub error_rate: f64,
    /// Site-wide request budget per second; beyond it requests get 429 with Retry-After.
    #[arg(long, env = "SIM_RATE_LIMIT")]
    pub rate_limit: Option<u32>,
    /// The Retry-After seconds sent with rate-limit answers.
    #[arg(long, env = "SIM_RETRY_AFTER", default_value_t = 1)]
    pub retry_after_secs: u64,
    /// OAuth client id the stand-in accepts.
    #[arg(long, env = "SIM_OAUTH_CLIENT_ID", default_value = "demo-client")]
    pub oauth_client_id: String,
    /// OAuth client secret the stand-in accepts (it also signs dynamic-webhook deliveries).
    #[arg(long, env = "SIM_OAUTH_CLIENT_SECRET", default_value = "demo-secret")]
    pub oauth_client_secret: String,
    /// Lifetime of OAuth access tokens, in seconds (Atlassian: one hour).
    #[arg(long, env = "SIM_OAUTH_ACCESS_TTL", default_value_t = 3600)]
    pub oauth_access_ttl_secs: u64,
    /// How long a spent refresh token may still be reused before the whole family is revoked
    /// (Atlassian: ten minutes).
    #[arg(long, env = "SIM_OAUTH_REUSE_GRACE", default_value_t = 600)]
    pub oauth_reuse_grace_secs: u64,
    /// An admin webhook: every issue and comment event is POSTed to this URL.
    #[arg(long, env = "SIM_WEBHOOK_URL")]
    pub webhook_url: Option<String>,
    /// Secret of the admin webhook; deliveries then carry `X-Hub-Signature: sha256=...`.
    #[arg(long, env = "SIM_WEBHOOK_SECRET")]
    pub webhook_secret: Option<String>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 42,
            issues: 500,
            latency_ms: 0,
            jitter_ms: 0,
            error_rate: 0.0,
            rate_limit: None,
            retry_after_secs: 1,
            oauth_client_id: "demo-client".into(),
            oauth_client_secret: "demo-secret".into(),
            oauth_access_ttl_secs: 3600,
            oauth_reuse_grace_secs: 600,
            webhook_url: None,
            webhook_secret: None,
        }
    }
}

impl SimConfig {
    fn faults(&self) -> FaultConfig {
        FaultConfig {
            latency_ms: self.latency_ms,
            jitter_ms: self.jitter_ms,
            error_rate: self.error_rate.clamp(0.0, 1.0),
            rate_limit: self.rate_limit.map(|rps| RateLimit {
                requests_per_second: rps.max(1),
                burst: None,
                retry_after_secs: self.retry_after_secs,
                reason: "jira-burst-based".into(),
                per_endpoint: false,
            }),
            ..FaultConfig::default()
        }
    }
}

/// Everything a site holds, shared by its handlers.
pub struct SimState {
    pub data: RwLock<SiteData>,
    /// `http://127.0.0.1:port`, for `self` links and accessible-resources.
    pub base_url: String,
    pub config: SimConfig,
    pub log: RequestLog,
    pub faults: faults::Faults,
    pub oauth: Mutex<oauth::OAuthStore>,
    pub webhooks: Mutex<webhooks::Webhooks>,
    pub tasks: Mutex<routes::bulk::Tasks>,
    pub cursors: Mutex<routes::search::Cursors>,
    /// Bumped on every write, so cached search results are not served stale.
    pub version: std::sync::atomic::AtomicU64,
    /// Client for webhook deliveries.
    pub http: reqwest::Client,
    /// Every webhook delivery attempt, for tests and `GET /_sim/webhooks/deliveries`.
    pub delivery_log: Arc<Mutex<Vec<webhooks::Delivery>>>,
}

impl SimState {
    pub fn bump_version(&self) {
        self.version
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// A running simulated site.
#[derive(Clone)]
pub struct SimHandle {
    pub addr: SocketAddr,
    pub state: Arc<SimState>,
}

impl SimHandle {
    /// `http://127.0.0.1:port`: the site URL for Basic auth, and the OAuth and API base.
    pub fn base_url(&self) -> &str {
        &self.state.base_url
    }
    pub fn cloud_id(&self) -> String {
        self.state.data.read().cloud_id.clone()
    }
    /// The request log (what tests count upstream calls with).
    pub fn log(&self) -> &RequestLog {
        &self.state.log
    }
    pub fn set_faults(&self, config: FaultConfig) {
        self.state.faults.set(config);
    }
}

/// Generates the data, binds `listener` and serves the site until the runtime stops.
pub async fn spawn(config: SimConfig, listener: TcpListener) -> std::io::Result<SimHandle> {
    let addr = listener.local_addr()?;
    let anchor = chrono::Utc::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc())
        .unwrap_or_else(chrono::Utc::now);
    let options = seed::SeedOptions {
        seed: config.seed,
        issues: config.issues,
        anchor,
    };
    let data = tokio::task::spawn_blocking(move || seed::generate(&options))
        .await
        .map_err(std::io::Error::other)?;
    let state = Arc::new(SimState {
        data: RwLock::new(data),
        base_url: format!("http://{addr}"),
        faults: faults::Faults::new(config.faults(), config.seed),
        oauth: Mutex::new(oauth::OAuthStore::default()),
        webhooks: Mutex::new(webhooks::Webhooks::default()),
        tasks: Mutex::new(routes::bulk::Tasks::default()),
        cursors: Mutex::new(routes::search::Cursors::default()),
        version: std::sync::atomic::AtomicU64::new(0),
        log: RequestLog::default(),
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(std::io::Error::other)?,
        delivery_log: Arc::default(),
        config,
    });
    {
        let mut hooks = state.webhooks.lock();
        if let Some(url) = &state.config.webhook_url {
            hooks.admin.push(webhooks::AdminWebhook {
                url: url.clone(),
                secret: state.config.webhook_secret.clone(),
                events: Vec::new(),
            });
        }
    }
    let app = router(state.clone());
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, app).await {
            tracing::error!(%error, "simulated Jira site stopped");
        }
    });
    Ok(SimHandle { addr, state })
}

/// The whole site. Layers run outside the routing so `/ex/jira/{cloudId}` and `/_sim/as/{user}`
/// can be rewritten onto the `/rest/api/3` routes.
pub fn router(state: Arc<SimState>) -> Router {
    let inner = Router::new()
        .nest("/rest/api/3", routes::api(state.clone()))
        .route(
            "/rest/api/2/search",
            axum::routing::any(routes::search::removed),
        )
        .merge(oauth::routes())
        .nest("/_sim", admin::routes())
        .with_state(state.clone());
    // A router with only a fallback lets the layers below run before the inner routing.
    Router::new()
        .fallback_service(inner)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            faults_layer,
        ))
        .layer(axum::middleware::from_fn(rewrite_layer))
        .layer(axum::middleware::from_fn_with_state(state, log_layer))
}

/// How a request reached the API, decided from its original path.
#[derive(Debug, Clone)]
pub enum Via {
    /// `/rest/api/3/...` on the site URL.
    Site,
    /// `/ex/jira/{cloudId}/rest/api/3/...`.
    OAuth { cloud_id: String },
    /// `/_sim/as/{user}/rest/api/3/...`: the admin API acting as another user.
    ActAs { user: String },
}

async fn log_layer(
    axum::extract::State(state): axum::extract::State<Arc<SimState>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_string();
    // The admin API itself is not logged, except when it acts as a user through the API.
    let logged = !path.starts_with("/_sim/") || path.starts_with("/_sim/as/");
    let seq = logged.then(|| {
        state
            .log
            .begin(request.method().as_str(), &path, request.uri().query())
    });
    let response = next.run(request).await;
    if let Some(seq) = seq {
        state.log.finish(seq, response.status().as_u16());
    }
    response
}

async fn rewrite_layer(mut request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let (via, rest) = if let Some(rest) = path.strip_prefix("/ex/jira/") {
        match rest.split_once('/') {
            Some((cloud_id, rest)) => (
                Via::OAuth {
                    cloud_id: cloud_id.to_string(),
                },
                format!("/{rest}"),
            ),
            None => (Via::Site, path.clone()),
        }
    } else if let Some(rest) = path.strip_prefix("/_sim/as/") {
        match rest.split_once('/') {
            Some((user, rest)) if rest.starts_with("rest/") => {
                let user = percent_decode(user);
                (Via::ActAs { user }, format!("/{rest}"))
            }
            _ => (Via::Site, path.clone()),
        }
    } else {
        (Via::Site, path.clone())
    };
    if rest != path {
        let path_and_query = match request.uri().query() {
            Some(q) => format!("{rest}?{q}"),
            None => rest,
        };
        if let Ok(uri) = path_and_query.parse::<Uri>() {
            *request.uri_mut() = uri;
        }
    }
    request.extensions_mut().insert(via);
    next.run(request).await
}

async fn faults_layer(
    axum::extract::State(state): axum::extract::State<Arc<SimState>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_string();
    let acting = matches!(request.extensions().get::<Via>(), Some(Via::ActAs { .. }));
    if path.starts_with("/_sim/") || acting {
        return next.run(request).await;
    }
    let decision = state.faults.decide(request.method().as_str(), &path);
    if decision.delay > Duration::ZERO {
        tokio::time::sleep(decision.delay).await;
    }
    match decision.answer {
        Some(answer) => answer,
        None => next.run(request).await,
    }
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_string())
}
