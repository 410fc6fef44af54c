//! The OAuth 2.0 (3LO) authorization-server stand-in: `/authorize`, `/oauth/token` and
//! `/oauth/token/accessible-resources`, behaving as Atlassian documents (JIRA-FACTS §3):
//! one-hour access tokens, refresh tokens that rotate on every use, and reuse of a spent
//! refresh token after the grace period revoking the whole family with `invalid_grant`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{Duration, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::SimState;
use super::model::Ts;
use super::routes::Params;

/// Scopes granted when the authorize request names none.
const DEFAULT_SCOPES: &str =
    "read:jira-work write:jira-work read:jira-user manage:jira-webhook offline_access";

#[derive(Debug, Clone)]
struct CodeGrant {
    account_id: String,
    client_id: String,
    redirect_uri: String,
    scope: String,
    expires: Ts,
}

/// What an access token stands for.
#[derive(Debug, Clone)]
pub struct AccessGrant {
    pub account_id: String,
    pub client_id: String,
    pub scope: String,
    expires: Ts,
    family: u64,
}

#[derive(Debug, Clone)]
struct RefreshGrant {
    family: u64,
    account_id: String,
    client_id: String,
    scope: String,
    /// Set when the token was used (rotated away).
    spent_at: Option<Ts>,
}

#[derive(Debug, Default)]
struct Family {
    current_refresh: String,
    revoked: bool,
}

/// Codes, tokens and refresh-token families.
#[derive(Debug, Default)]
pub struct OAuthStore {
    codes: HashMap<String, CodeGrant>,
    access: HashMap<String, AccessGrant>,
    refresh: HashMap<String, RefreshGrant>,
    families: HashMap<u64, Family>,
    next_family: u64,
    /// Token requests answered, for tests.
    pub token_requests: u64,
}

impl OAuthStore {
    /// The grant behind a live access token.
    pub fn access(&self, token: &str) -> Option<AccessGrant> {
        let grant = self.access.get(token)?;
        let revoked = self.families.get(&grant.family).is_some_and(|f| f.revoked);
        (grant.expires > Utc::now() && !revoked).then(|| grant.clone())
    }

    /// Makes every access token expired, so the next API call answers 401 (tests of refresh).
    pub fn expire_access_tokens(&mut self) {
        let past = Utc::now() - Duration::seconds(1);
        for grant in self.access.values_mut() {
            grant.expires = past;
        }
    }

    /// Revokes every refresh-token family, as when a user withdraws consent: the next refresh
    /// answers `invalid_grant` and the user must consent again.
    pub fn revoke_all(&mut self) {
        for family in self.families.values_mut() {
            family.revoked = true;
        }
    }

    fn issue_tokens(
        &mut self,
        account_id: &str,
        client_id: &str,
        scope: &str,
        family: Option<u64>,
        ttl: i64,
    ) -> Value {
        let family = family.unwrap_or_else(|| {
            self.next_family += 1;
            self.next_family
        });
        let access = format!("sim-at-{}", uuid::Uuid::new_v4().simple());
        self.access.insert(
            access.clone(),
            AccessGrant {
                account_id: account_id.into(),
                client_id: client_id.into(),
                scope: scope.into(),
                expires: Utc::now() + Duration::seconds(ttl),
                family,
            },
        );
        let mut body = json!({ "access_token": access, "expires_in": ttl, "scope": scope, "token_type": "Bearer" });
        if scope.split_whitespace().any(|s| s == "offline_access") {
            let refresh = format!("sim-rt-{}", uuid::Uuid::new_v4().simple());
            self.refresh.insert(
                refresh.clone(),
                RefreshGrant {
                    family,
                    account_id: account_id.into(),
                    client_id: client_id.into(),
                    scope: scope.into(),
                    spent_at: None,
                },
            );
            self.families.entry(family).or_default().current_refresh = refresh.clone();
            body["refresh_token"] = json!(refresh);
        }
        body
    }
}

pub fn routes() -> Router<Arc<SimState>> {
    Router::new()
        .route("/authorize", get(authorize))
        .route("/oauth/token", post(token))
        .route(
            "/oauth/token/accessible-resources",
            get(accessible_resources),
        )
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({ "error": error, "error_description": description })),
    )
        .into_response()
}

/// Consents as the user named by `user` (email or account id) and redirects back with a code;
/// without `user`, shows a page to choose one.
async fn authorize(State(state): State<Arc<SimState>>, RawQuery(raw): RawQuery) -> Response {
    let params = Params::parse(raw.as_deref());
    let client_id = params.get("client_id").unwrap_or("");
    let Some(redirect_uri) = params
        .get("redirect_uri")
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
    else {
        return (
            StatusCode::BAD_REQUEST,
            Html("<h1>Invalid request</h1><p>redirect_uri is missing or invalid.</p>"),
        )
            .into_response();
    };
    if client_id != state.config.oauth_client_id {
        return (
            StatusCode::BAD_REQUEST,
            Html("<h1>Invalid request</h1><p>Unknown client_id.</p>"),
        )
            .into_response();
    }
    let redirect = |query: Vec<(&str, String)>| {
        let Ok(mut url) = url::Url::parse(redirect_uri) else {
            return (StatusCode::BAD_REQUEST, Html("invalid redirect_uri")).into_response();
        };
        for (k, v) in query {
            url.query_pairs_mut().append_pair(k, &v);
        }
        Redirect::to(url.as_str()).into_response()
    };
    let state_param = params.get("state").unwrap_or("").to_string();
    if params.get("response_type") != Some("code")
        || params.get("audience") != Some("api.atlassian.com")
    {
        return redirect(vec![
            ("error", "invalid_request".into()),
            (
                "error_description",
                "response_type=code and audience=api.atlassian.com are required".into(),
            ),
            ("state", state_param),
        ]);
    }
    if params.bool("deny", false) {
        return redirect(vec![
            ("error", "access_denied".into()),
            ("state", state_param),
        ]);
    }
    let Some(who) = params.get("user") else {
        return Html(chooser(&state, raw.as_deref().unwrap_or(""))).into_response();
    };
    let account_id = {
        let data = state.data.read();
        match data.user(who).or_else(|| data.user_by_email(who)) {
            Some(u) => u.account_id.clone(),
            None => {
                return (StatusCode::BAD_REQUEST, Html("<h1>Unknown user</h1>")).into_response();
            }
        }
    };
    let code = format!("sim-code-{}", uuid::Uuid::new_v4().simple());
    let scope = params
        .get("scope")
        .filter(|s| !s.is_empty())
        .unwrap_or(DEFAULT_SCOPES)
        .to_string();
    state.oauth.lock().codes.insert(
        code.clone(),
        CodeGrant {
            account_id,
            client_id: client_id.into(),
            redirect_uri: redirect_uri.into(),
            scope,
            expires: Utc::now() + Duration::minutes(10),
        },
    );
    redirect(vec![("code", code), ("state", state_param)])
}

fn chooser(state: &SimState, query: &str) -> String {
    let data = state.data.read();
    let mut page = String::from(
        "<!doctype html><meta charset=utf-8><title>Simulated Atlassian consent</title><h1>Allow access to the simulated Jira site?</h1><p>Choose the user to consent as:</p><ul>",
    );
    for user in &data.users {
        let href = format!(
            "/authorize?{query}&user={}",
            super::json::urlencode(&user.email)
        );
        page.push_str(&format!(
            "<li><a href=\"{}\">{} ({})</a></li>",
            escape(&href),
            escape(&user.display_name),
            escape(&user.email)
        ));
    }
    page.push_str(&format!(
        "</ul><p><a href=\"{}\">Deny</a></p>",
        escape(&format!("/authorize?{query}&deny=true"))
    ));
    page
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[derive(Deserialize, Default)]
struct TokenRequest {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    refresh_token: Option<String>,
}

/// `POST /oauth/token` with a JSON body (Atlassian's documented form) or a form body.
async fn token(
    State(state): State<Arc<SimState>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let is_json = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    let request: TokenRequest = if is_json {
        match serde_json::from_slice(&body) {
            Ok(r) => r,
            Err(_) => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "The request body is not valid JSON.",
                );
            }
        }
    } else {
        serde_urlencoded_like(&body)
    };
    // Client authentication may also come as HTTP Basic.
    let (client_id, client_secret) =
        match (request.client_id.clone(), request.client_secret.clone()) {
            (Some(id), Some(secret)) => (id, secret),
            _ => basic_client(&headers).unwrap_or_default(),
        };
    if client_id != state.config.oauth_client_id
        || client_secret != state.config.oauth_client_secret
    {
        return oauth_error(StatusCode::UNAUTHORIZED, "access_denied", "Unauthorized");
    }
    let ttl = state.config.oauth_access_ttl_secs as i64;
    let grace = Duration::seconds(state.config.oauth_reuse_grace_secs as i64);
    let mut store = state.oauth.lock();
    store.token_requests += 1;
    match request.grant_type.as_deref() {
        Some("authorization_code") => {
            let Some(grant) = request.code.as_deref().and_then(|c| store.codes.remove(c)) else {
                return oauth_error(
                    StatusCode::FORBIDDEN,
                    "invalid_grant",
                    "Invalid authorization code",
                );
            };
            if grant.expires < Utc::now()
                || grant.client_id != client_id
                || request.redirect_uri.as_deref() != Some(grant.redirect_uri.as_str())
            {
                return oauth_error(
                    StatusCode::FORBIDDEN,
                    "invalid_grant",
                    "Invalid authorization code",
                );
            }
            Json(store.issue_tokens(&grant.account_id, &client_id, &grant.scope, None, ttl))
                .into_response()
        }
        Some("refresh_token") => {
            let Some(token) = request.refresh_token else {
                return oauth_error(
                    StatusCode::FORBIDDEN,
                    "invalid_grant",
                    "Unknown or invalid refresh token.",
                );
            };
            let Some(grant) = store.refresh.get(&token).cloned() else {
                return oauth_error(
                    StatusCode::FORBIDDEN,
                    "invalid_grant",
                    "Unknown or invalid refresh token.",
                );
            };
            let family_revoked = store.families.get(&grant.family).is_none_or(|f| f.revoked);
            if family_revoked || grant.client_id != client_id {
                return oauth_error(
                    StatusCode::FORBIDDEN,
                    "invalid_grant",
                    "Unknown or invalid refresh token.",
                );
            }
            let now = Utc::now();
            match grant.spent_at {
                // Reused after the leeway: revoke every token of the family; the user must consent again.
                Some(spent) if now - spent > grace => {
                    if let Some(family) = store.families.get_mut(&grant.family) {
                        family.revoked = true;
                    }
                    oauth_error(
                        StatusCode::FORBIDDEN,
                        "invalid_grant",
                        "Unknown or invalid refresh token.",
                    )
                }
                // Reused within the leeway: a new access token, and the family's current refresh token.
                Some(_) => {
                    let current = store
                        .families
                        .get(&grant.family)
                        .map(|f| f.current_refresh.clone())
                        .unwrap_or_default();
                    let mut body = store.issue_tokens(
                        &grant.account_id,
                        &client_id,
                        &grant.scope,
                        Some(grant.family),
                        ttl,
                    );
                    // issue_tokens rotated again; keep the family's previous current token instead.
                    if let Some(new_refresh) = body
                        .get("refresh_token")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                    {
                        store.refresh.remove(&new_refresh);
                        if let Some(family) = store.families.get_mut(&grant.family) {
                            family.current_refresh = current.clone();
                        }
                        body["refresh_token"] = json!(current);
                    }
                    Json(body).into_response()
                }
                None => {
                    if let Some(spent) = store.refresh.get_mut(&token) {
                        spent.spent_at = Some(now);
                    }
                    Json(store.issue_tokens(
                        &grant.account_id,
                        &client_id,
                        &grant.scope,
                        Some(grant.family),
                        ttl,
                    ))
                    .into_response()
                }
            }
        }
        _ => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "Unsupported grant type",
        ),
    }
}

fn serde_urlencoded_like(body: &[u8]) -> TokenRequest {
    let mut request = TokenRequest::default();
    for (k, v) in url::form_urlencoded::parse(body) {
        let v = Some(v.into_owned());
        match k.as_ref() {
            "grant_type" => request.grant_type = v,
            "client_id" => request.client_id = v,
            "client_secret" => request.client_secret = v,
            "code" => request.code = v,
            "redirect_uri" => request.redirect_uri = v,
            "refresh_token" => request.refresh_token = v,
            _ => {}
        }
    }
    request
}

fn basic_client(headers: &HeaderMap) -> Option<(String, String)> {
    use base64::Engine;
    let value = headers
        .get(AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

/// The sites a token can reach: this one.
async fn accessible_resources(State(state): State<Arc<SimState>>, headers: HeaderMap) -> Response {
    let token = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let Some(grant) = token.and_then(|t| state.oauth.lock().access(t.trim())) else {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "code": 401, "message": "Unauthorized" })),
        )
            .into_response();
    };
    let data = state.data.read();
    let scopes: Vec<&str> = grant
        .scope
        .split_whitespace()
        .filter(|s| *s != "offline_access")
        .collect();
    Json(json!([{
        "id": data.cloud_id,
        "name": data.site_name,
        "url": state.base_url,
        "scopes": scopes,
        "avatarUrl": format!("{}/_sim/avatar/site.png", state.base_url),
    }]))
    .into_response()
}
