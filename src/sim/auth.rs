//! Who is calling: Basic (email + API token) on the site URL, OAuth bearer tokens under
//! `/ex/jira/{cloudId}` (with the scopes the operation needs), or the admin API acting as a
//! user. Anything else answers 401.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use base64::Engine;
use subtle::ConstantTimeEq;

use super::error::ApiError;
use super::model::User;
use super::{SimState, Via};

/// The authenticated user of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    /// The OAuth client id when the call came with an OAuth token (an "app").
    pub app: Option<String>,
}

impl FromRequestParts<Arc<SimState>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<SimState>,
    ) -> Result<Self, Self::Rejection> {
        let via = parts.extensions.get::<Via>().cloned().unwrap_or(Via::Site);
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        let data = state.data.read();
        match via {
            Via::ActAs { user } => data
                .user(&user)
                .or_else(|| data.user_by_email(&user))
                .map(|u| Caller {
                    user: u.clone(),
                    app: None,
                })
                .ok_or_else(|| {
                    ApiError::not_found(format!("No user '{user}' on the simulated site."))
                }),
            Via::OAuth { cloud_id } => {
                let token = header
                    .strip_prefix("Bearer ")
                    .ok_or_else(ApiError::unauthorized)?;
                let grant = state
                    .oauth
                    .lock()
                    .access(token.trim())
                    .ok_or_else(ApiError::unauthorized)?;
                if cloud_id != data.cloud_id {
                    return Err(ApiError::unauthorized());
                }
                let granted: Vec<&str> = grant.scope.split_whitespace().collect();
                if !required_scopes(&parts.method, parts.uri.path())
                    .iter()
                    .all(|s| granted.contains(s))
                {
                    return Err(ApiError::new(
                        StatusCode::UNAUTHORIZED,
                        "Unauthorized; scope does not match",
                    ));
                }
                let user = data
                    .user(&grant.account_id)
                    .ok_or_else(ApiError::unauthorized)?;
                Ok(Caller {
                    user: user.clone(),
                    app: Some(grant.client_id),
                })
            }
            Via::Site => {
                // OAuth 2.0 (3LO) tokens do not work against the site URL, as on Jira Cloud.
                let encoded = header
                    .strip_prefix("Basic ")
                    .ok_or_else(ApiError::unauthorized)?;
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(encoded.trim())
                    .map_err(|_| ApiError::unauthorized())?;
                let decoded = String::from_utf8(decoded).map_err(|_| ApiError::unauthorized())?;
                let (email, token) = decoded.split_once(':').ok_or_else(ApiError::unauthorized)?;
                let user = data
                    .user_by_email(email)
                    .ok_or_else(ApiError::unauthorized)?;
                if !bool::from(user.api_token.as_bytes().ct_eq(token.as_bytes())) || !user.active {
                    return Err(ApiError::unauthorized());
                }
                Ok(Caller {
                    user: user.clone(),
                    app: None,
                })
            }
        }
    }
}

/// The classic OAuth scopes an operation needs (the spec's `security` of each operation):
/// users need `read:jira-user`, webhooks `manage:jira-webhook`, reads `read:jira-work` and
/// writes `write:jira-work`. `path` may be with or without the `/rest/api/3` prefix.
fn required_scopes(method: &Method, path: &str) -> &'static [&'static str] {
    let path = path.trim_start_matches("/rest/api/3");
    if path == "/myself" || path == "/user" || path.starts_with("/user/") {
        return &["read:jira-user"];
    }
    if path == "/webhook" || path.starts_with("/webhook/") {
        return &["read:jira-work", "manage:jira-webhook"];
    }
    // POSTs that only read.
    let read_post = [
        "/search/jql",
        "/search/approximate-count",
        "/issue/bulkfetch",
        "/comment/list",
        "/jql/parse",
        "/jql/autocompletedata",
    ];
    if *method == Method::GET || (*method == Method::POST && read_post.contains(&path)) {
        &["read:jira-work"]
    } else {
        &["write:jira-work"]
    }
}
