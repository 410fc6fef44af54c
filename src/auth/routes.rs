//! `/auth/*` routes: API-token login, refresh, logout and `me`.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::{Credentials, Identity};
use crate::app::AppState;
use crate::http::HttpError;
use crate::jira::{JiraAuth, JiraClient, JiraError};
use crate::store::crypto::{hash, random_token};
use crate::store::{AuthKind, NewConnection, Rotation, now};

/// How long a gateway refresh token lives without being used.
const REFRESH_TTL_SECS: i64 = 30 * 24 * 3600;

fn identity(state: &AppState) -> Result<&Arc<Identity>, HttpError> {
    state.identity.as_ref().ok_or_else(|| {
        HttpError::new(StatusCode::NOT_FOUND, "NOT_FOUND", "Logins are not enabled: set JWT_SECRET and ENCRYPTION_KEY.")
    })
}

fn store_error(error: crate::store::StoreError) -> HttpError {
    tracing::error!(%error, "store failure");
    HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "Internal error")
}

/// Parses a JSON body; a bad one is a 400 with a JSON error, never a plain-text rejection.
fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, HttpError> {
    serde_json::from_slice(body).map_err(|e| HttpError::new(StatusCode::BAD_REQUEST, "BAD_USER_INPUT", format!("Invalid JSON body: {e}")))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginRequest {
    site_url: String,
    email: String,
    api_token: String,
}

/// Issues an access token and a new refresh token (a new session family) for `user_id`.
async fn session(identity: &Identity, user_id: &str) -> Result<(String, String), HttpError> {
    let refresh = random_token();
    identity.store.create_session(user_id, &hash(&refresh), now() + REFRESH_TTL_SECS).await.map_err(store_error)?;
    Ok((identity.jwt.issue(user_id), refresh))
}

/// `POST /auth/login` with an API token: checked against Jira's `/myself`, then stored sealed.
pub async fn login(State(state): State<Arc<AppState>>, body: axum::body::Bytes) -> Result<Response, HttpError> {
    let identity = identity(&state)?;
    let request: LoginRequest = parse(&body)?;
    let site = crate::jira::site_base(&request.site_url)
        .map_err(|_| HttpError::new(StatusCode::BAD_REQUEST, "BAD_USER_INPUT", "siteUrl is not a URL."))?;
    if !identity.site_allowed(&site) {
        return Err(HttpError::new(StatusCode::BAD_REQUEST, "BAD_USER_INPUT", "siteUrl is not an allowed Jira site (see ALLOWED_SITES)."));
    }
    let site_url = site.as_str().trim_end_matches('/').to_string();
    let client = JiraClient::new(
        identity.http.clone(),
        site.clone(),
        JiraAuth::basic(request.email.clone(), request.api_token.clone()),
        identity.client_config.clone(),
        identity.budget(&site_url),
    );
    let me = match client.myself().await {
        Ok(me) => me,
        Err(JiraError::Unauthorized | JiraError::Forbidden { .. } | JiraError::NotFound { .. }) => {
            return Err(HttpError::new(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", "Jira did not accept these credentials."));
        }
        Err(error) => {
            let error = crate::graphql::GqlError::from(error);
            return Err(HttpError::new(StatusCode::BAD_GATEWAY, error.code(), error.message()));
        }
    };
    let display_name = me.display_name.clone().unwrap_or_default();
    let user = identity.store.upsert_user(&me.account_id, &display_name).await.map_err(store_error)?;
    let sealed = identity.seal(&Credentials::ApiToken { email: request.email, api_token: request.api_token });
    let site_name = site.host_str().unwrap_or_default().to_string();
    identity
        .store
        .upsert_connection(&NewConnection { user_id: &user.id, site_url: &site_url, site_name: &site_name, cloud_id: None, auth_kind: AuthKind::ApiToken, sealed_credentials: &sealed })
        .await
        .map_err(store_error)?;
    let (access, refresh) = session(identity, &user.id).await?;
    tracing::info!(user.id = %user.id, "login with an API token");
    Ok(Json(json!({
        "accessToken": access,
        "refreshToken": refresh,
        "expiresIn": identity.jwt.ttl_secs,
        "user": { "id": user.id, "accountId": user.atlassian_account_id, "displayName": user.display_name },
    }))
    .into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshRequest {
    refresh_token: String,
}

/// `POST /auth/refresh`: a new pair; the old refresh token is spent.
pub async fn refresh(State(state): State<Arc<AppState>>, body: axum::body::Bytes) -> Result<Response, HttpError> {
    let identity = identity(&state)?;
    let request: RefreshRequest = parse(&body)?;
    let next = random_token();
    match identity.store.rotate_session(&hash(&request.refresh_token), &hash(&next), now() + REFRESH_TTL_SECS).await.map_err(store_error)? {
        Rotation::Rotated { user_id } => Ok(Json(json!({
            "accessToken": identity.jwt.issue(&user_id),
            "refreshToken": next,
            "expiresIn": identity.jwt.ttl_secs,
        }))
        .into_response()),
        Rotation::Reused | Rotation::Unknown => {
            Err(HttpError::new(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", "The refresh token is invalid, expired or already used: log in again."))
        }
    }
}

/// `POST /auth/logout`: revokes the session (every token rotated from the same login).
pub async fn logout(State(state): State<Arc<AppState>>, body: axum::body::Bytes) -> Result<StatusCode, HttpError> {
    let identity = identity(&state)?;
    let request: RefreshRequest = parse(&body)?;
    identity.store.revoke_session(&hash(&request.refresh_token)).await.map_err(store_error)?;
    Ok(StatusCode::NO_CONTENT)
}

/// The gateway user id of a request's `Authorization: Bearer <jwt>`, if it has one.
/// `Err` when a token is present but invalid (expired, tampered, `alg: none`...).
pub fn bearer_user(identity: &Identity, headers: &HeaderMap) -> Result<Option<String>, HttpError> {
    let Some(value) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else { return Ok(None) };
    let Some(token) = value.strip_prefix("Bearer ") else {
        return Err(HttpError::new(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", "Use `Authorization: Bearer <access token>`."));
    };
    match identity.jwt.verify(token) {
        Some(claims) => Ok(Some(claims.sub)),
        None => Err(HttpError::new(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", "The access token is invalid or expired: refresh it.")),
    }
}

/// `GET /auth/me`: the caller and their sites.
pub async fn me(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Result<Response, HttpError> {
    let identity = identity(&state)?;
    let user_id = bearer_user(identity, &headers)?
        .ok_or_else(|| HttpError::new(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", "Log in first."))?;
    let user = identity
        .store
        .get_user(&user_id)
        .await
        .map_err(store_error)?
        .ok_or_else(|| HttpError::new(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", "Unknown user: log in again."))?;
    let sites: Vec<_> = identity
        .store
        .list_connections(&user.id)
        .await
        .map_err(store_error)?
        .into_iter()
        .map(|c| json!({ "url": c.site_url, "name": c.site_name, "cloudId": c.cloud_id, "needsReconnect": c.needs_reconnect }))
        .collect();
    Ok(Json(json!({ "id": user.id, "accountId": user.atlassian_account_id, "displayName": user.display_name, "sites": sites })).into_response())
}
