//! OAuth 2.0 (3LO) with Atlassian: the login redirect, the callback, and refreshing Jira
//! tokens once per connection at a time.
//!
//! Atlassian's refresh tokens rotate and a spent one revokes the whole family after a short
//! grace, so a refresh runs under a per-connection lock, and the new tokens are stored
//! (compare-and-swap on the connection's version) before the new access token is used.
//! `invalid_grant` marks the connection "reconnect needed".

use std::collections::HashMap;
use std::sync::Arc;

use oauth2::basic::{BasicClient, BasicErrorResponseType};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, RedirectUrl, RefreshToken, RequestTokenError, Scope, TokenResponse, TokenUrl,
};
use parking_lot::Mutex;
use secrecy::{ExposeSecret, SecretString};

use super::{Credentials, Identity, reconnect_needed};
use crate::graphql::GqlError;
use crate::store::{ConnectionRow, now};

/// Refresh this long before Atlassian's expiry, so a request never starts with a dying token.
pub const REFRESH_MARGIN_SECS: i64 = 60;

/// Where Atlassian's authorization server and API live (configurable for the simulated site).
#[derive(Debug, Clone)]
pub struct OAuthSettings {
    pub client_id: String,
    pub client_secret: SecretString,
    pub authorize_url: String,
    pub token_url: String,
    pub resources_url: String,
    /// `https://api.atlassian.com`: OAuth API calls go to `{api_base}/ex/jira/{cloudId}`.
    pub api_base: String,
    /// This gateway's `/auth/callback`, as registered with Atlassian.
    pub redirect_url: String,
    /// Where the browser goes after login, with the session in the URL fragment.
    pub frontend_url: String,
    pub scopes: Vec<String>,
}

type Client = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// The OAuth side of [`Identity`].
pub struct OAuth {
    pub settings: OAuthSettings,
    /// A client that never follows redirects (token endpoints must not bounce us elsewhere).
    http: reqwest::Client,
    /// One lock per user: concurrent requests at expiry wait for a single refresh.
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl OAuth {
    pub fn new(settings: OAuthSettings) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(30))
            .build()?;
        let oauth = OAuth {
            settings,
            http,
            locks: Mutex::new(HashMap::new()),
        };
        oauth.client()?;
        Ok(oauth)
    }

    fn client(&self) -> anyhow::Result<Client> {
        let s = &self.settings;
        Ok(BasicClient::new(ClientId::new(s.client_id.clone()))
            .set_client_secret(ClientSecret::new(
                s.client_secret.expose_secret().to_string(),
            ))
            .set_auth_uri(AuthUrl::new(s.authorize_url.clone())?)
            .set_token_uri(TokenUrl::new(s.token_url.clone())?)
            .set_redirect_uri(RedirectUrl::new(s.redirect_url.clone())?)
            // Atlassian reads the client credentials from the request body.
            .set_auth_type(AuthType::RequestBody))
    }

    /// The authorize URL for a new login with `state`.
    pub fn authorize_url(&self, state: &str) -> anyhow::Result<url::Url> {
        let client = self.client()?;
        let mut request = client
            .authorize_url(|| CsrfToken::new(state.to_string()))
            .add_extra_param("audience", "api.atlassian.com")
            .add_extra_param("prompt", "consent");
        for scope in &self.settings.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        Ok(request.url().0)
    }

    /// Exchanges a code for Jira tokens.
    pub async fn exchange(&self, code: &str) -> Result<Credentials, GqlError> {
        let client = self.client().map_err(|_| GqlError::Internal)?;
        let token = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .request_async(&self.http)
            .await
            .map_err(|error| {
                tracing::warn!(error = describe(&error), "OAuth code exchange failed");
                GqlError::Unauthenticated("Atlassian refused the login; start it again.".into())
            })?;
        Ok(credentials(&token))
    }

    /// The sites the token may reach: `(cloud id, url, name)`.
    pub async fn resources(
        &self,
        access_token: &str,
    ) -> Result<Vec<(String, String, String)>, GqlError> {
        #[derive(serde::Deserialize)]
        struct Resource {
            id: String,
            url: String,
            name: Option<String>,
        }
        let response = self
            .http
            .get(&self.settings.resources_url)
            .bearer_auth(access_token)
            .send()
            .await
            .map_err(|_| GqlError::UpstreamUnavailable("Atlassian could not be reached.".into()))?;
        if !response.status().is_success() {
            return Err(GqlError::Unauthenticated(
                "Atlassian refused the new token.".into(),
            ));
        }
        let resources: Vec<Resource> = response.json().await.map_err(|_| GqlError::Internal)?;
        Ok(resources
            .into_iter()
            .map(|r| {
                (
                    r.id,
                    r.url.trim_end_matches('/').to_string(),
                    r.name.unwrap_or_default(),
                )
            })
            .collect())
    }

    /// Fresh credentials for `connection`: its stored ones when still valid, otherwise one
    /// refresh for all concurrent callers, stored before it is used.
    pub async fn fresh(
        &self,
        identity: &Identity,
        connection: &ConnectionRow,
    ) -> Result<Credentials, GqlError> {
        let current = identity.open(&connection.sealed_credentials)?;
        if !expiring(&current) {
            return Ok(current);
        }
        // One Atlassian grant serves all of a user's OAuth sites: lock per user.
        let lock = self
            .locks
            .lock()
            .entry(connection.user_id.clone())
            .or_default()
            .clone();
        let _guard = lock.lock().await;
        // Someone may have refreshed while we waited (this replica or another).
        let latest = identity
            .store
            .get_connection(&connection.id)
            .await
            .map_err(|_| GqlError::Internal)?
            .ok_or_else(|| reconnect_needed(&connection.site_url))?;
        if latest.needs_reconnect {
            return Err(reconnect_needed(&latest.site_url));
        }
        let stored = identity.open(&latest.sealed_credentials)?;
        if !expiring(&stored) {
            return Ok(stored);
        }
        let Credentials::OAuth {
            refresh_token: Some(refresh),
            ..
        } = stored
        else {
            identity
                .store
                .mark_reconnect(&latest.id)
                .await
                .map_err(|_| GqlError::Internal)?;
            return Err(reconnect_needed(&latest.site_url));
        };
        let client = self.client().map_err(|_| GqlError::Internal)?;
        match client
            .exchange_refresh_token(&RefreshToken::new(refresh))
            .request_async(&self.http)
            .await
        {
            Ok(token) => {
                let fresh = credentials(&token);
                let sealed = identity.seal(&fresh);
                // Store first: if this process dies now, the rotated refresh token is not lost.
                if !identity
                    .store
                    .update_credentials(&latest.id, latest.credentials_version, &sealed)
                    .await
                    .map_err(|_| GqlError::Internal)?
                {
                    // Another replica refreshed first: use what it stored.
                    let winner = identity
                        .store
                        .get_connection(&latest.id)
                        .await
                        .map_err(|_| GqlError::Internal)?
                        .ok_or(GqlError::Internal)?;
                    return identity.open(&winner.sealed_credentials);
                }
                // The same grant backs the user's other OAuth sites: they get the rotated tokens too.
                let others = identity
                    .store
                    .list_connections(&latest.user_id)
                    .await
                    .map_err(|_| GqlError::Internal)?;
                for other in others
                    .iter()
                    .filter(|c| c.id != latest.id && c.auth_kind == crate::store::AuthKind::OAuth)
                {
                    let _ = identity
                        .store
                        .update_credentials(&other.id, other.credentials_version, &sealed)
                        .await;
                }
                tracing::info!(connection.id = %latest.id, "refreshed Jira OAuth tokens");
                Ok(fresh)
            }
            Err(RequestTokenError::ServerResponse(response))
                if *response.error() == BasicErrorResponseType::InvalidGrant =>
            {
                tracing::warn!(connection.id = %latest.id, "Atlassian refused the refresh token: reconnect needed");
                identity
                    .store
                    .mark_reconnect(&latest.id)
                    .await
                    .map_err(|_| GqlError::Internal)?;
                Err(reconnect_needed(&latest.site_url))
            }
            Err(error) => {
                tracing::warn!(
                    error = describe(&error),
                    "refreshing Jira OAuth tokens failed"
                );
                Err(GqlError::UpstreamUnavailable(
                    "Atlassian could not refresh the Jira token; try again.".into(),
                ))
            }
        }
    }
}

/// What went wrong, without anything from the response body (which may hold tokens).
fn describe<RE: std::error::Error + 'static>(
    error: &RequestTokenError<RE, oauth2::basic::BasicErrorResponse>,
) -> String {
    match error {
        RequestTokenError::ServerResponse(response) => {
            format!("authorization server answered {}", response.error())
        }
        RequestTokenError::Request(_) => "the authorization server could not be reached".into(),
        RequestTokenError::Parse(..) => {
            "the authorization server's answer could not be read".into()
        }
        RequestTokenError::Other(_) => "unexpected answer from the authorization server".into(),
    }
}

fn expiring(credentials: &Credentials) -> bool {
    matches!(credentials, Credentials::OAuth { expires_at, .. } if *expires_at - REFRESH_MARGIN_SECS <= now())
}

fn credentials(token: &oauth2::basic::BasicTokenResponse) -> Credentials {
    let expires_in = token
        .expires_in()
        .map_or(3600, |d| i64::try_from(d.as_secs()).unwrap_or(3600));
    Credentials::OAuth {
        access_token: token.access_token().secret().clone(),
        refresh_token: token.refresh_token().map(|r| r.secret().clone()),
        expires_at: now() + expires_in,
    }
}
