//! `App`: binds the listener and builds the shared state and router; `main`, `demo` and the
//! tests all start the gateway through it.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use secrecy::ExposeSecret;
use tokio::net::TcpListener;

use crate::auth::Identity;
use crate::auth::jwt::JwtKeys;
use crate::config::Config;
use crate::export::jobs::{ExportEvent, ExportJobs, JobsConfig};
use crate::graphql::selection::Selections;
use crate::graphql::{AppSchema, build_schema_with};
use crate::jira::{JiraAuth, JiraClient, SiteBudget};
use crate::store::Store;
use crate::store::crypto::Sealer;

/// State shared by every request.
pub struct AppState {
    pub config: Config,
    pub schema: AppSchema,
    /// Parsed documents of the queries clients keep sending.
    pub documents: crate::graphql::documents::DocumentCache,
    /// The configured service account, used for requests that carry no gateway token.
    pub service_account: Option<JiraClient>,
    /// Logins and per-user connections, when JWT_SECRET and ENCRYPTION_KEY are set.
    pub identity: Option<Arc<Identity>>,
    /// The PDF export queue and its workers, when logins are enabled.
    pub exports: Option<Arc<ExportJobs>>,
    /// Progress and status changes of export jobs run by this process (for subscriptions).
    pub export_events: tokio::sync::broadcast::Sender<ExportEvent>,
}

/// A built gateway, bound but not yet serving.
pub struct App {
    listener: TcpListener,
    router: axum::Router,
    state: Arc<AppState>,
}

impl App {
    pub async fn build(config: Config) -> anyhow::Result<App> {
        config.validate()?;
        let listener = TcpListener::bind(SocketAddr::new(config.bind, config.port))
            .await
            .with_context(|| format!("cannot listen on {}:{}", config.bind, config.port))?;
        let client_config = config.client();
        let http = client_config
            .http_client()
            .context("cannot build the HTTP client")?;
        let service_account = match (
            &config.jira_base_url,
            &config.jira_email,
            &config.jira_api_token,
        ) {
            (Some(url), Some(email), Some(token)) => {
                let base = crate::jira::site_base(url).context("JIRA_BASE_URL")?;
                let budget = Arc::new(SiteBudget::new(client_config.budget_limits()));
                let auth = JiraAuth::basic(email.clone(), token.expose_secret().to_string());
                Some(JiraClient::new(
                    http.clone(),
                    base,
                    auth,
                    client_config.clone(),
                    budget,
                ))
            }
            _ => None,
        };
        let identity = match (&config.jwt_secret, &config.encryption_key) {
            (Some(secret), Some(key)) => {
                let store = Store::connect(&config.database_url)
                    .await
                    .context("cannot open the database (DATABASE_URL)")?;
                let sealer = Sealer::from_base64(key.expose_secret()).context("ENCRYPTION_KEY")?;
                let jwt = JwtKeys::new(
                    secret.expose_secret().as_bytes(),
                    &config.jwt_issuer,
                    &config.jwt_audience,
                    config.access_token_ttl_secs,
                );
                let oauth = config
                    .oauth()
                    .map(crate::auth::oauth::OAuth::new)
                    .transpose()
                    .context("OAuth settings")?;
                Some(Arc::new(Identity::new(
                    store,
                    sealer,
                    jwt,
                    http.clone(),
                    client_config.clone(),
                    config.allowed_sites.clone(),
                    oauth,
                )))
            }
            _ => None,
        };
        let exports = identity.as_ref().map(|identity| {
            ExportJobs::new(
                identity.store.clone(),
                identity.clone(),
                JobsConfig {
                    workers: config.export_workers,
                    max_active_per_user: config.export_max_active_per_user,
                    retention: std::time::Duration::from_secs(config.export_retention_secs),
                },
            )
        });
        let export_events = exports.as_ref().map_or_else(
            || tokio::sync::broadcast::channel(1).0,
            |jobs| jobs.events.clone(),
        );
        if let Some(jobs) = &exports {
            jobs.start();
        }
        let selections = identity
            .as_ref()
            .map(|identity| Selections::new(identity.store.clone()));
        let state = Arc::new(AppState {
            schema: build_schema_with(config.limits(), exports.clone(), selections),
            documents: crate::graphql::documents::DocumentCache::default(),
            service_account,
            identity,
            exports,
            export_events,
            config,
        });
        let router = crate::http::router(state.clone());
        Ok(App {
            listener,
            router,
            state,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn port(&self) -> u16 {
        self.local_addr().map(|a| a.port()).unwrap_or_default()
    }

    pub fn state(&self) -> &Arc<AppState> {
        &self.state
    }

    /// Serves until `shutdown` completes, finishing requests in flight.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
    }
}
