//! The gateway's configuration: one typed struct from flags and environment variables
//! (`--help` is the reference; `.env.example` lists every variable). Secrets are
//! `SecretString`s and never printed.

use std::net::IpAddr;
use std::time::Duration;

use secrecy::SecretString;

use crate::graphql::QueryLimits;
use crate::jira::ClientConfig;

fn secret(value: &str) -> Result<SecretString, String> {
    Ok(SecretString::from(value.to_string()))
}

/// Settings of `jira-gateway serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Port of the HTTP server (0 picks a free one).
    #[arg(long, env = "PORT", default_value_t = 8080)]
    pub port: u16,
    /// Address to bind; 0.0.0.0 to listen on every interface (containers).
    #[arg(long, env = "BIND_ADDRESS", default_value = "127.0.0.1")]
    pub bind: IpAddr,

    /// Jira site URL of the service account (e.g. https://acme.atlassian.net).
    #[arg(long, env = "JIRA_BASE_URL")]
    pub jira_base_url: Option<String>,
    /// E-mail of the service account.
    #[arg(long, env = "JIRA_EMAIL")]
    pub jira_email: Option<String>,
    /// API token of the service account.
    #[arg(long, env = "JIRA_API_TOKEN", hide_env_values = true, value_parser = secret)]
    pub jira_api_token: Option<SecretString>,

    // Timeouts, retries and the per-site budget of Jira calls.
    #[command(flatten)]
    pub jira_client: JiraClientArgs,

    /// Largest `first` a connection accepts.
    #[arg(long, env = "MAX_PAGE_SIZE", default_value_t = 100)]
    pub max_page_size: usize,
    /// Deepest GraphQL selection nesting (GraphiQL's schema query needs 15).
    #[arg(long, env = "MAX_QUERY_DEPTH", default_value_t = 16)]
    pub max_query_depth: usize,
    /// Complexity budget of one query (connections count `first` × their children).
    #[arg(long, env = "MAX_QUERY_COMPLEXITY", default_value_t = 20_000)]
    pub max_query_complexity: usize,
    /// Read fields already in memory in one synchronous pass instead of one future per field
    /// (same answers; `false` is a switch to compare or rule it out).
    #[arg(long, env = "GRAPHQL_FAST_PATH", default_value_t = true, action = clap::ArgAction::Set)]
    pub graphql_fast_path: bool,
    /// Largest request body, in bytes.
    #[arg(long, env = "MAX_BODY_BYTES", default_value_t = 1_048_576)]
    pub max_body_bytes: usize,
    /// Longest a whole HTTP request may take, in milliseconds.
    #[arg(long, env = "REQUEST_TIMEOUT_MS", default_value_t = 60_000)]
    pub request_timeout_ms: u64,
    /// Database of users, connections and sessions: `sqlite://<file>` (created on first start)
    /// or `postgres://…`. Used when logins are enabled (JWT_SECRET and ENCRYPTION_KEY set).
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://jira-gateway.db")]
    pub database_url: String,
    /// Secret that signs gateway access tokens (HS256); enables logins. At least 32 bytes.
    #[arg(long, env = "JWT_SECRET", hide_env_values = true, value_parser = secret)]
    pub jwt_secret: Option<SecretString>,
    /// Key that seals Jira credentials at rest: 32 bytes, base64 (`openssl rand -base64 32`).
    #[arg(long, env = "ENCRYPTION_KEY", hide_env_values = true, value_parser = secret)]
    pub encryption_key: Option<SecretString>,
    /// `iss` of gateway access tokens.
    #[arg(long, env = "JWT_ISSUER", default_value = "jira-gateway")]
    pub jwt_issuer: String,
    /// `aud` of gateway access tokens.
    #[arg(long, env = "JWT_AUDIENCE", default_value = "jira-gateway-clients")]
    pub jwt_audience: String,
    /// Lifetime of gateway access tokens, in seconds.
    #[arg(long, env = "ACCESS_TOKEN_TTL_SECS", default_value_t = 900)]
    pub access_token_ttl_secs: i64,
    /// Host suffixes of Jira sites users may log in to, comma-separated (`*` for any).
    #[arg(
        long,
        env = "ALLOWED_SITES",
        value_delimiter = ',',
        default_value = ".atlassian.net"
    )]
    pub allowed_sites: Vec<String>,
    /// OAuth 2.0 (3LO) client id of the Atlassian app; with the secret and redirect URL it
    /// enables `GET /auth/login?provider=atlassian`.
    #[arg(long, env = "OAUTH_CLIENT_ID")]
    pub oauth_client_id: Option<String>,
    /// OAuth client secret of the Atlassian app.
    #[arg(long, env = "OAUTH_CLIENT_SECRET", hide_env_values = true, value_parser = secret)]
    pub oauth_client_secret: Option<SecretString>,
    /// This gateway's public `/auth/callback` URL, as registered with Atlassian.
    #[arg(long, env = "OAUTH_REDIRECT_URL")]
    pub oauth_redirect_url: Option<String>,
    /// Where browsers land after an OAuth login (the session is in the URL fragment).
    #[arg(long, env = "FRONTEND_URL", default_value = "http://localhost:3000/")]
    pub frontend_url: String,
    /// Atlassian's authorize endpoint.
    #[arg(
        long,
        env = "OAUTH_AUTHORIZE_URL",
        default_value = "https://auth.atlassian.com/authorize"
    )]
    pub oauth_authorize_url: String,
    /// Atlassian's token endpoint.
    #[arg(
        long,
        env = "OAUTH_TOKEN_URL",
        default_value = "https://auth.atlassian.com/oauth/token"
    )]
    pub oauth_token_url: String,
    /// Atlassian's accessible-resources endpoint.
    #[arg(
        long,
        env = "OAUTH_RESOURCES_URL",
        default_value = "https://api.atlassian.com/oauth/token/accessible-resources"
    )]
    pub oauth_resources_url: String,
    /// Base of OAuth API calls (`{base}/ex/jira/{cloudId}/rest/api/3`).
    #[arg(
        long,
        env = "ATLASSIAN_API_BASE",
        default_value = "https://api.atlassian.com"
    )]
    pub atlassian_api_base: String,
    /// OAuth scopes, space-separated (offline_access gives refresh tokens).
    #[arg(
        long,
        env = "OAUTH_SCOPES",
        default_value = "read:jira-work write:jira-work read:jira-user manage:jira-webhook offline_access"
    )]
    pub oauth_scopes: String,
    /// Origins allowed by CORS, comma-separated; empty allows any origin (without cookies).
    #[arg(long, env = "CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,

    /// PDF export jobs this process runs at once (default: the number of cores); 0 runs none
    /// here, leaving the queue to other replicas. Needs logins (JWT_SECRET, ENCRYPTION_KEY).
    #[arg(long, env = "EXPORT_WORKERS", default_value_t = default_export_workers())]
    pub export_workers: usize,
    /// Export jobs one user may have queued or running at once.
    #[arg(long, env = "EXPORT_MAX_ACTIVE_PER_USER", default_value_t = 3)]
    pub export_max_active_per_user: usize,
    /// How long finished export jobs and their PDFs are kept, in seconds (default 7 days).
    #[arg(long, env = "EXPORT_RETENTION_SECS", default_value_t = 604_800)]
    pub export_retention_secs: u64,
}

/// How Jira is called: timeouts, retries and the per-site budget. The same flags and variables
/// for `serve` and `export`.
#[derive(Debug, Clone, clap::Args)]
pub struct JiraClientArgs {
    /// Timeout of one Jira request attempt, in milliseconds.
    #[arg(long, env = "JIRA_TIMEOUT_MS", default_value_t = 30_000)]
    pub jira_timeout_ms: u64,
    /// Retries of a failed idempotent Jira call (Atlassian recommends 4).
    #[arg(long, env = "JIRA_MAX_RETRIES", default_value_t = 4)]
    pub jira_max_retries: u32,
    /// First backoff delay when Jira gives no Retry-After, in milliseconds (doubles per retry).
    #[arg(long, env = "JIRA_RETRY_BASE_MS", default_value_t = 5_000)]
    pub jira_retry_base_ms: u64,
    /// Cap of a computed backoff delay, in milliseconds.
    #[arg(long, env = "JIRA_RETRY_MAX_MS", default_value_t = 30_000)]
    pub jira_retry_max_ms: u64,
    /// Jira requests in flight at once, per site.
    #[arg(long, env = "JIRA_MAX_CONCURRENCY", default_value_t = 8)]
    pub jira_max_concurrency: usize,
    /// Sustained Jira requests per second, per site.
    #[arg(long, env = "JIRA_REQUESTS_PER_SECOND", default_value_t = 20)]
    pub jira_requests_per_second: u32,
    /// Burst of Jira requests allowed above the sustained rate, per site.
    #[arg(long, env = "JIRA_BURST", default_value_t = 40)]
    pub jira_burst: u32,
    /// Longest a GraphQL request waits for Jira's rate limits before answering
    /// JIRA_RATE_LIMITED, in milliseconds.
    #[arg(long, env = "JIRA_MAX_WAIT_MS", default_value_t = 10_000)]
    pub jira_max_wait_ms: u64,
}

impl Default for JiraClientArgs {
    fn default() -> Self {
        JiraClientArgs {
            jira_timeout_ms: 30_000,
            jira_max_retries: 4,
            jira_retry_base_ms: 5_000,
            jira_retry_max_ms: 30_000,
            jira_max_concurrency: 8,
            jira_requests_per_second: 20,
            jira_burst: 40,
            jira_max_wait_ms: 10_000,
        }
    }
}

impl JiraClientArgs {
    /// The Jira client settings these options describe.
    pub fn client(&self) -> ClientConfig {
        ClientConfig {
            timeout: Duration::from_millis(self.jira_timeout_ms),
            max_retries: self.jira_max_retries,
            retry_base_delay: Duration::from_millis(self.jira_retry_base_ms),
            max_retry_delay: Duration::from_millis(self.jira_retry_max_ms),
            max_concurrency: self.jira_max_concurrency.max(1),
            requests_per_second: self.jira_requests_per_second.max(1),
            burst: self.jira_burst.max(1),
            max_wait: Duration::from_millis(self.jira_max_wait_ms),
            ..ClientConfig::default()
        }
    }
}

/// Default of `EXPORT_WORKERS`: one per core.
fn default_export_workers() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

impl Default for Config {
    fn default() -> Self {
        Config {
            port: 8080,
            bind: IpAddr::from([127, 0, 0, 1]),
            jira_base_url: None,
            jira_email: None,
            jira_api_token: None,
            jira_client: JiraClientArgs::default(),
            max_page_size: 100,
            max_query_depth: 16,
            max_query_complexity: 20_000,
            graphql_fast_path: true,
            max_body_bytes: 1_048_576,
            request_timeout_ms: 60_000,
            cors_origins: Vec::new(),
            export_workers: default_export_workers(),
            export_max_active_per_user: 3,
            export_retention_secs: 604_800,
            database_url: "sqlite://jira-gateway.db".into(),
            jwt_secret: None,
            encryption_key: None,
            jwt_issuer: "jira-gateway".into(),
            jwt_audience: "jira-gateway-clients".into(),
            access_token_ttl_secs: 900,
            allowed_sites: vec![".atlassian.net".into()],
            oauth_client_id: None,
            oauth_client_secret: None,
            oauth_redirect_url: None,
            frontend_url: "http://localhost:3000/".into(),
            oauth_authorize_url: "https://auth.atlassian.com/authorize".into(),
            oauth_token_url: "https://auth.atlassian.com/oauth/token".into(),
            oauth_resources_url: "https://api.atlassian.com/oauth/token/accessible-resources"
                .into(),
            atlassian_api_base: "https://api.atlassian.com".into(),
            oauth_scopes:
                "read:jira-work write:jira-work read:jira-user manage:jira-webhook offline_access"
                    .into(),
        }
    }
}

impl Config {
    /// The Jira client settings these options describe.
    pub fn client(&self) -> ClientConfig {
        self.jira_client.client()
    }

    /// OAuth settings when client id, secret and redirect URL are all set.
    pub fn oauth(&self) -> Option<crate::auth::oauth::OAuthSettings> {
        match (
            &self.oauth_client_id,
            &self.oauth_client_secret,
            &self.oauth_redirect_url,
        ) {
            (Some(id), Some(secret), Some(redirect)) => Some(crate::auth::oauth::OAuthSettings {
                client_id: id.clone(),
                client_secret: secret.clone(),
                authorize_url: self.oauth_authorize_url.clone(),
                token_url: self.oauth_token_url.clone(),
                resources_url: self.oauth_resources_url.clone(),
                api_base: self.atlassian_api_base.clone(),
                redirect_url: redirect.clone(),
                frontend_url: self.frontend_url.clone(),
                scopes: self
                    .oauth_scopes
                    .split_whitespace()
                    .map(str::to_string)
                    .collect(),
            }),
            _ => None,
        }
    }

    pub fn limits(&self) -> QueryLimits {
        QueryLimits {
            max_depth: self.max_query_depth,
            max_complexity: self.max_query_complexity,
            fast_path: self.graphql_fast_path,
        }
    }

    /// Checks combinations clap cannot: the service account is all three values or none.
    pub fn validate(&self) -> anyhow::Result<()> {
        let set = [
            self.jira_base_url.is_some(),
            self.jira_email.is_some(),
            self.jira_api_token.is_some(),
        ];
        if set.iter().any(|s| *s) && !set.iter().all(|s| *s) {
            anyhow::bail!(
                "JIRA_BASE_URL, JIRA_EMAIL and JIRA_API_TOKEN go together: set all three or none"
            );
        }
        if let Some(url) = &self.jira_base_url {
            crate::jira::site_base(url)
                .map_err(|e| anyhow::anyhow!("JIRA_BASE_URL is not a URL: {e}"))?;
        }
        match (&self.jwt_secret, &self.encryption_key) {
            (Some(_), None) | (None, Some(_)) => anyhow::bail!(
                "JWT_SECRET and ENCRYPTION_KEY go together: set both to enable logins"
            ),
            (Some(secret), Some(key)) => {
                use secrecy::ExposeSecret;
                if secret.expose_secret().len() < 32 {
                    anyhow::bail!("JWT_SECRET must be at least 32 bytes");
                }
                crate::store::crypto::Sealer::from_base64(key.expose_secret())
                    .map_err(|e| anyhow::anyhow!("ENCRYPTION_KEY: {e}"))?;
            }
            (None, None) => {}
        }
        if self.max_page_size == 0 {
            anyhow::bail!("MAX_PAGE_SIZE must be at least 1");
        }
        Ok(())
    }
}
