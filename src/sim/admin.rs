//! The admin API of the simulated site, under `/_sim/` (never under `/rest`):
//!
//! - `GET|DELETE /_sim/requests`: the request log, `[{method, path, query, status}]` in arrival order;
//! - `GET|PUT|DELETE /_sim/faults`: latency, errors and rate limits ([`super::FaultConfig`]);
//! - `GET|POST|DELETE /_sim/webhooks` and `GET /_sim/webhooks/deliveries`: admin webhooks;
//! - `POST /_sim/oauth/expire`: expire every OAuth access token now;
//! - `POST /_sim/oauth/revoke`: revoke every refresh-token family (consent withdrawn);
//! - `GET /_sim/users`: the users and their API tokens;
//! - `/_sim/as/{email or accountId}/rest/api/3/...`: the REST API acting as that user, so tests
//!   make changes the gateway did not make (create, edit, transition, comment, delete).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::SimState;
use super::error::ApiError;
use super::faults::FaultConfig;
use super::routes::Body;
use super::webhooks::AdminWebhook;

pub fn routes() -> Router<Arc<SimState>> {
    Router::new()
        .route("/requests", get(requests).delete(clear_requests))
        .route("/faults", get(faults).put(set_faults).delete(clear_faults))
        .route(
            "/webhooks",
            get(webhooks).post(add_webhook).delete(clear_webhooks),
        )
        .route("/webhooks/deliveries", get(deliveries))
        .route("/oauth/expire", post(expire_tokens))
        .route("/oauth/revoke", post(revoke_tokens))
        .route("/users", get(users))
        .route("/avatar/{name}", get(avatar))
        .route("/health", get(|| async { Json(json!({ "status": "ok" })) }))
}

async fn requests(State(state): State<Arc<SimState>>) -> Json<Value> {
    Json(json!(state.log.entries()))
}

async fn clear_requests(State(state): State<Arc<SimState>>) -> StatusCode {
    state.log.clear();
    StatusCode::NO_CONTENT
}

async fn faults(State(state): State<Arc<SimState>>) -> Json<FaultConfig> {
    Json(state.faults.config())
}

async fn set_faults(
    State(state): State<Arc<SimState>>,
    Body(config): Body<FaultConfig>,
) -> Result<Json<FaultConfig>, ApiError> {
    config.validate().map_err(ApiError::bad_request)?;
    state.faults.set(config);
    Ok(Json(state.faults.config()))
}

async fn clear_faults(State(state): State<Arc<SimState>>) -> StatusCode {
    state.faults.set(FaultConfig::default());
    StatusCode::NO_CONTENT
}

async fn webhooks(State(state): State<Arc<SimState>>) -> Json<Value> {
    let hooks = state.webhooks.lock();
    let registered: Vec<Value> = hooks
        .registrations
        .iter()
        .map(|r| json!({ "id": r.id, "url": r.url, "events": r.events, "jqlFilter": r.jql_filter, "expirationDate": r.expiration.timestamp_millis() }))
        .collect();
    // Secrets are not echoed.
    let admin: Vec<Value> = hooks
        .admin
        .iter()
        .map(|h| json!({ "url": h.url, "signed": h.secret.is_some(), "events": h.events }))
        .collect();
    Json(json!({ "admin": admin, "registered": registered }))
}

async fn add_webhook(
    State(state): State<Arc<SimState>>,
    Body(hook): Body<AdminWebhook>,
) -> Result<StatusCode, ApiError> {
    if !(hook.url.starts_with("http://") || hook.url.starts_with("https://")) {
        return Err(ApiError::bad_request("url must be an http(s) URL"));
    }
    state.webhooks.lock().admin.push(hook);
    Ok(StatusCode::CREATED)
}

async fn clear_webhooks(State(state): State<Arc<SimState>>) -> StatusCode {
    let mut hooks = state.webhooks.lock();
    hooks.admin.clear();
    hooks.registrations.clear();
    StatusCode::NO_CONTENT
}

async fn deliveries(State(state): State<Arc<SimState>>) -> Json<Value> {
    Json(json!(*state.delivery_log.lock()))
}

async fn revoke_tokens(State(state): State<Arc<SimState>>) -> StatusCode {
    state.oauth.lock().revoke_all();
    StatusCode::NO_CONTENT
}

async fn expire_tokens(State(state): State<Arc<SimState>>) -> StatusCode {
    state.oauth.lock().expire_access_tokens();
    StatusCode::NO_CONTENT
}

async fn users(State(state): State<Arc<SimState>>) -> Json<Value> {
    let data = state.data.read();
    Json(json!(data
        .users
        .iter()
        .map(|u| json!({ "accountId": u.account_id, "email": u.email, "displayName": u.display_name, "apiToken": u.api_token, "admin": u.admin }))
        .collect::<Vec<_>>()))
}

/// Avatars: a small generated PNG per name.
async fn avatar(Path(name): Path<String>) -> impl IntoResponse {
    let salt = name
        .bytes()
        .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    (
        [(header::CONTENT_TYPE, "image/png")],
        super::seed::png_bytes(salt),
    )
}
