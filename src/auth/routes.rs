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
        HttpError::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "Logins are not enabled: set JWT_SECRET and ENCRYPTION_KEY.",
        )
    })
}

fn store_error(error: crate::store::StoreError) -> HttpError {
    tracing::error!(%error, "store failure");
    HttpError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL",
        "Internal error",
    )
}

/// Parses a JSON body; a bad one is a 400 with a JSON error, never a plain-text rejection.
fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, HttpError> {
    serde_json::from_slice(body).map_err(|e| {
        HttpError::new(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            format!("Invalid JSON body: {e}"),
        )
    })
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
    identity
        .store
        .create_session(user_id, &hash(&refresh), now() + REFRESH_TTL_SECS)
        .await
        .map_err(store_error)?;
    Ok((identity.jwt.issue(user_id), refresh))
}

/// `POST /auth/login` with an API token: checked against Jira's `/myself`, then stored sealed.
pub async fn login(
    State(state): State<Arc<AppState>>,
    body: axum::body::Bytes,
) -> Result<Response, HttpError> {
    let identity = identity(&state)?;
    let request: LoginRequest = parse(&body)?;
    let site = crate::jira::site_base(&request.site_url).map_err(|_| {
        HttpError::new(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "siteUrl is not a URL.",
        )
    })?;
    if !identity.site_allowed(&site) {
        return Err(HttpError::new(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "siteUrl is not an allowed Jira site (see ALLOWED_SITES).",
        ));
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
            return Err(HttpError::new(
                StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED",
                "Jira did not accept these credentials.",
            ));
        }
        Err(error) => {
            let error = crate::graphql::GqlError::from(error);
            return Err(HttpError::new(
                StatusCode::BAD_GATEWAY,
                error.code(),
                error.message(),
            ));
        }
    };
    let display_name = me.display_name.clone().unwrap_or_default();
    let user = identity
        .store
        .upsert_user(&me.account_id, &display_name)
        .await
        .map_err(store_error)?;
    let sealed = identity.seal(&Credentials::ApiToken {
        email: request.email,
        api_token: request.api_token,
    });
    let site_name = site.host_str().unwrap_or_default().to_string();
    identity
        .store
        .upsert_connection(&NewConnection {
            user_id: &user.id,
            site_url: &site_url,
            site_name: &site_name,
            cloud_id: None,
            auth_kind: AuthKind::ApiToken,
            sealed_credentials: &sealed,
        })
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
pub async fn refresh(
    State(state): State<Arc<AppState>>,
    body: axum::body::Bytes,
) -> Result<Response, HttpError> {
    let identity = identity(&state)?;
    let request: RefreshRequest = parse(&body)?;
    let next = random_token();
    match identity
        .store
        .rotate_session(
            &hash(&request.refresh_token),
            &hash(&next),
            now() + REFRESH_TTL_SECS,
        )
        .await
        .map_err(store_error)?
    {
        Rotation::Rotated { user_id } => Ok(Json(json!({
            "accessToken": identity.jwt.issue(&user_id),
            "refreshToken": next,
            "expiresIn": identity.jwt.ttl_secs,
        }))
        .into_response()),
        Rotation::Reused | Rotation::Unknown => Err(HttpError::new(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "The refresh token is invalid, expired or already used: log in again.",
        )),
    }
}

/// `POST /auth/logout`: revokes the session (every token rotated from the same login).
pub async fn logout(
    State(state): State<Arc<AppState>>,
    body: axum::body::Bytes,
) -> Result<StatusCode, HttpError> {
    let identity = identity(&state)?;
    let request: RefreshRequest = parse(&body)?;
    identity
        .store
        .revoke_session(&hash(&request.refresh_token))
        .await
        .map_err(store_error)?;
    Ok(StatusCode::NO_CONTENT)
}

/// The gateway user id of a request's `Authorization: Bearer <jwt>`, if it has one.
/// `Err` when a token is present but invalid (expired, tampered, `alg: none`...).
pub fn bearer_user(identity: &Identity, headers: &HeaderMap) -> Result<Option<String>, HttpError> {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(None);
    };
    let Some(token) = value.strip_prefix("Bearer ") else {
        return Err(HttpError::new(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "Use `Authorization: Bearer <access token>`.",
        ));
    };
    match identity.jwt.verify(token) {
        Some(claims) => Ok(Some(claims.sub)),
        None => Err(HttpError::new(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "The access token is invalid or expired: refresh it.",
        )),
    }
}

/// `GET /auth/me`: the caller and their sites.
pub async fn me(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let identity = identity(&state)?;
    let user_id = bearer_user(identity, &headers)?.ok_or_else(|| {
        HttpError::new(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", "Log in first.")
    })?;
    let user = identity
        .store
        .get_user(&user_id)
        .await
        .map_err(store_error)?
        .ok_or_else(|| {
            HttpError::new(
                StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED",
                "Unknown user: log in again.",
            )
        })?;
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

/// Cookie that binds an OAuth login to the browser that started it.
const BROWSER_COOKIE: &str = "jg_login";
/// Cookie carrying the gateway access token for browsers that prefer it to a header.
pub const ACCESS_COOKIE: &str = "jg_access";
/// How long a started OAuth login may take.
const LOGIN_TTL_SECS: i64 = 600;

/// The value of cookie `name`, if the request has it.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

#[derive(Deserialize)]
pub struct LoginQuery {
    provider: Option<String>,
}

/// `GET /auth/login?provider=atlassian`: redirects to Atlassian's consent screen with a state
/// bound to this browser by an HttpOnly cookie.
pub async fn oauth_start(
    State(state): State<Arc<AppState>>,
    axum::extract::Query(query): axum::extract::Query<LoginQuery>,
) -> Result<Response, HttpError> {
    let identity = identity(&state)?;
    if query.provider.as_deref().is_some_and(|p| p != "atlassian") {
        return Err(HttpError::new(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "Unknown provider: use provider=atlassian.",
        ));
    }
    let oauth = identity.oauth.as_ref().ok_or_else(|| {
        HttpError::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "OAuth logins are not configured (OAUTH_CLIENT_ID...).",
        )
    })?;
    let login_state = random_token();
    let browser = random_token();
    identity
        .store
        .insert_oauth_state(&hash(&login_state), &hash(&browser), now() + LOGIN_TTL_SECS)
        .await
        .map_err(store_error)?;
    let url = oauth.authorize_url(&login_state).map_err(|_| {
        HttpError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL",
            "Internal error",
        )
    })?;
    let secure = if oauth.settings.redirect_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{BROWSER_COOKIE}={browser}; Path=/auth; HttpOnly; SameSite=Lax; Max-Age={LOGIN_TTL_SECS}{secure}"
    );
    Ok((
        StatusCode::FOUND,
        [
            (header::LOCATION, url.to_string()),
            (header::SET_COOKIE, cookie),
        ],
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /auth/callback`: exchanges the code, connects every site the consent covers, and
/// hands a gateway session to the frontend in the URL fragment (never sent to servers).
pub async fn oauth_callback(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<CallbackQuery>,
) -> Result<Response, HttpError> {
    let identity = identity(&state)?;
    let oauth = identity.oauth.as_ref().ok_or_else(|| {
        HttpError::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "OAuth logins are not configured.",
        )
    })?;
    let refused =
        |message: &str| HttpError::new(StatusCode::BAD_REQUEST, "UNAUTHENTICATED", message);
    if let Some(error) = query.error {
        return Err(refused(&format!(
            "Atlassian ended the login: {}",
            error.chars().take(64).collect::<String>()
        )));
    }
    let (Some(code), Some(login_state)) = (query.code, query.state) else {
        return Err(refused("The callback needs code and state."));
    };
    let browser = cookie(&headers, BROWSER_COOKIE)
        .ok_or_else(|| refused("This login was started in another browser."))?;
    match identity
        .store
        .take_oauth_state(&hash(&login_state))
        .await
        .map_err(store_error)?
    {
        Some(bound) if bound == hash(&browser) => {}
        _ => {
            return Err(refused(
                "Unknown, expired or foreign login state: start the login again.",
            ));
        }
    }
    let credentials = oauth
        .exchange(&code)
        .await
        .map_err(|e| HttpError::new(StatusCode::UNAUTHORIZED, e.code(), e.message()))?;
    let Credentials::OAuth { access_token, .. } = &credentials else {
        return Err(refused("Unexpected credentials."));
    };
    let resources = oauth
        .resources(access_token)
        .await
        .map_err(|e| HttpError::new(StatusCode::BAD_GATEWAY, e.code(), e.message()))?;
    let (first_cloud, _, _) = resources
        .first()
        .cloned()
        .ok_or_else(|| refused("The consent covers no Jira site."))?;
    let api = url::Url::parse(&oauth.settings.api_base)
        .map_err(|_| refused("Bad ATLASSIAN_API_BASE."))?;
    let base = crate::jira::oauth_base(&api, &first_cloud).map_err(|_| refused("Bad cloud id."))?;
    let client = JiraClient::new(
        identity.http.clone(),
        base,
        JiraAuth::bearer(access_token.clone()),
        identity.client_config.clone(),
        identity.budget(&first_cloud),
    );
    let me = client.myself().await.map_err(|e| {
        let e = crate::graphql::GqlError::from(e);
        HttpError::new(StatusCode::BAD_GATEWAY, e.code(), e.message())
    })?;
    let user = identity
        .store
        .upsert_user(
            &me.account_id,
            me.display_name.as_deref().unwrap_or_default(),
        )
        .await
        .map_err(store_error)?;
    let sealed = identity.seal(&credentials);
    for (cloud_id, url, name) in &resources {
        identity
            .store
            .upsert_connection(&NewConnection {
                user_id: &user.id,
                site_url: url,
                site_name: name,
                cloud_id: Some(cloud_id),
                auth_kind: AuthKind::OAuth,
                sealed_credentials: &sealed,
            })
            .await
            .map_err(store_error)?;
    }
    let (access, refresh) = session(identity, &user.id).await?;
    tracing::info!(user.id = %user.id, sites = resources.len(), "login with Atlassian OAuth");
    let fragment = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("access_token", &access)
        .append_pair("refresh_token", &refresh)
        .append_pair("expires_in", &identity.jwt.ttl_secs.to_string())
        .append_pair("token_type", "Bearer")
        .finish();
    let location = format!("{}#{fragment}", oauth.settings.frontend_url);
    let secure = if oauth.settings.frontend_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let access_cookie = format!(
        "{ACCESS_COOKIE}={access}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        identity.jwt.ttl_secs
    );
    let clear_login = format!("{BROWSER_COOKIE}=; Path=/auth; HttpOnly; SameSite=Lax; Max-Age=0");
    let mut response = (StatusCode::FOUND, [(header::LOCATION, location)]).into_response();
    for cookie in [access_cookie, clear_login] {
        if let Ok(value) = header::HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    Ok(response)
}
