//! Gateway identity: logins, gateway tokens and the Jira credentials behind a request.
//!
//! - `POST /auth/login` `{siteUrl, email, apiToken}`: checks the API token against Jira
//!   (`/myself`), stores the connection (credentials sealed) and answers a session;
//! - `POST /auth/refresh` `{refreshToken}`: a new pair (refresh tokens rotate; a spent one is
//!   refused and revokes its family); `POST /auth/logout` revokes; `GET /auth/me`.
//! - Gateway access tokens are short-lived HS256 JWTs (algorithm pinned; iss, aud, exp and nbf
//!   checked). Refresh tokens are opaque and stored hashed.
//!
//! Jira's permissions stay the only permissions: every request acts with the caller's own
//! connection to the site it names.

pub mod jwt;
pub mod oauth;
pub mod routes;

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::graphql::GqlError;
use crate::jira::{ClientConfig, JiraAuth, JiraClient, SiteBudget};
use crate::store::crypto::Sealer;
use crate::store::{AuthKind, ConnectionRow, Store};

/// What a connection's sealed credentials hold.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Credentials {
    ApiToken {
        email: String,
        api_token: String,
    },
    OAuth {
        access_token: String,
        refresh_token: Option<String>,
        expires_at: i64,
    },
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Credentials::ApiToken { .. } => "Credentials::ApiToken(..)",
            Credentials::OAuth { .. } => "Credentials::OAuth(..)",
        })
    }
}

/// Identity services shared by every request.
pub struct Identity {
    pub store: Store,
    pub sealer: Sealer,
    pub jwt: jwt::JwtKeys,
    pub http: reqwest::Client,
    pub client_config: ClientConfig,
    /// Site URL suffixes logins may name (`.atlassian.net`); guards against SSRF.
    pub allowed_sites: Vec<String>,
    /// OAuth 2.0 (3LO) with Atlassian, when configured.
    pub oauth: Option<oauth::OAuth>,
    /// One budget per Jira site, shared by every user of that site.
    budgets: Mutex<HashMap<String, Arc<SiteBudget>>>,
}

impl Identity {
    pub fn new(
        store: Store,
        sealer: Sealer,
        jwt: jwt::JwtKeys,
        http: reqwest::Client,
        client_config: ClientConfig,
        allowed_sites: Vec<String>,
        oauth: Option<oauth::OAuth>,
    ) -> Self {
        Identity {
            store,
            sealer,
            jwt,
            http,
            client_config,
            allowed_sites,
            oauth,
            budgets: Mutex::new(HashMap::new()),
        }
    }

    /// The per-site budget for `site_url`, created on first use.
    pub fn budget(&self, site_url: &str) -> Arc<SiteBudget> {
        self.budgets
            .lock()
            .entry(site_url.to_string())
            .or_insert_with(|| Arc::new(SiteBudget::new(self.client_config.budget_limits())))
            .clone()
    }

    /// Whether logins may name this site: its host must end with an allowed suffix.
    pub fn site_allowed(&self, site: &url::Url) -> bool {
        let host = site.host_str().unwrap_or("");
        self.allowed_sites.iter().any(|suffix| {
            let suffix = suffix.trim();
            !suffix.is_empty()
                && (host == suffix.trim_start_matches('.')
                    || host.ends_with(suffix)
                    || suffix == "*")
        })
    }

    pub fn seal(&self, credentials: &Credentials) -> String {
        let json = serde_json::to_vec(credentials).unwrap_or_default();
        self.sealer.seal(&json)
    }

    pub fn open(&self, sealed: &str) -> Result<Credentials, GqlError> {
        let bytes = self.sealer.open(sealed).map_err(|_| {
            tracing::error!("stored credentials do not open with the configured ENCRYPTION_KEY");
            GqlError::Internal
        })?;
        serde_json::from_slice(&bytes).map_err(|_| GqlError::Internal)
    }

    /// A Jira client acting with a stored connection (refreshing OAuth tokens when due).
    pub async fn client_for(&self, connection: &ConnectionRow) -> Result<JiraClient, GqlError> {
        if connection.needs_reconnect {
            return Err(reconnect_needed(&connection.site_url));
        }
        let (base, auth) = match connection.auth_kind {
            AuthKind::ApiToken => match self.open(&connection.sealed_credentials)? {
                Credentials::ApiToken { email, api_token } => (
                    crate::jira::site_base(&connection.site_url).map_err(|_| GqlError::Internal)?,
                    JiraAuth::basic(email, api_token),
                ),
                Credentials::OAuth { .. } => return Err(GqlError::Internal),
            },
            AuthKind::OAuth => {
                let oauth = self
                    .oauth
                    .as_ref()
                    .ok_or_else(|| reconnect_needed(&connection.site_url))?;
                let Credentials::OAuth { access_token, .. } = oauth.fresh(self, connection).await?
                else {
                    return Err(GqlError::Internal);
                };
                let api =
                    url::Url::parse(&oauth.settings.api_base).map_err(|_| GqlError::Internal)?;
                let cloud_id = connection.cloud_id.as_deref().ok_or(GqlError::Internal)?;
                (
                    crate::jira::oauth_base(&api, cloud_id).map_err(|_| GqlError::Internal)?,
                    JiraAuth::bearer(access_token),
                )
            }
        };
        Ok(JiraClient::new(
            self.http.clone(),
            base,
            auth,
            self.client_config.clone(),
            self.budget(&connection.site_url),
        ))
    }

    /// The caller's connection to `site` (a site URL, name or cloud id), or the first one,
    /// with all of the caller's sites.
    pub async fn connection(
        &self,
        user_id: &str,
        site: Option<&str>,
    ) -> Result<(ConnectionRow, Vec<crate::graphql::context::SiteInfo>), GqlError> {
        let connections = self
            .store
            .list_connections(user_id)
            .await
            .map_err(internal)?;
        let chosen = match site.map(str::trim).filter(|s| !s.is_empty()) {
            None => connections.first().cloned(),
            Some(site) => {
                let wanted = site.trim_end_matches('/');
                connections
                    .iter()
                    .find(|c| {
                        c.site_url
                            .trim_end_matches('/')
                            .eq_ignore_ascii_case(wanted)
                            || c.site_name == site
                            || c.cloud_id.as_deref() == Some(site)
                    })
                    .cloned()
            }
        };
        let chosen = chosen.ok_or_else(|| {
            GqlError::Forbidden("You have no connection to that Jira site.".into())
        })?;
        let sites = connections
            .iter()
            .map(|c| crate::graphql::context::SiteInfo {
                url: c.site_url.clone(),
                name: c.site_name.clone(),
                cloud_id: c.cloud_id.clone(),
                needs_reconnect: c.needs_reconnect,
                current: c.id == chosen.id,
            })
            .collect();
        Ok((chosen, sites))
    }
}

/// `UNAUTHENTICATED` telling the client to send the user through login again.
pub fn reconnect_needed(site_url: &str) -> GqlError {
    GqlError::Unauthenticated(format!(
        "The connection to {site_url} has expired or was revoked in Jira: log in again to reconnect it."
    ))
}

fn internal(error: crate::store::StoreError) -> GqlError {
    tracing::error!(%error, "store failure");
    GqlError::Internal
}

/// Secrets from configuration, never printed.
pub fn expose(secret: &SecretString) -> &str {
    secret.expose_secret()
}
