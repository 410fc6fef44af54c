//! HTTP routes: `/graphql` (POST; GET for GraphiQL and queries), `/graphql/ws`, `/graphiql/…`
//! (GraphiQL's files), `/exports/{id}` (PDF downloads), `/health`, `/ready`, and the tower layers around them.

mod error;
mod exports;
mod graphiql;
mod graphql;
mod ws;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::routing::get;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use error::HttpError;

use crate::app::AppState;

pub fn router(state: Arc<AppState>) -> Router {
    let config = &state.config;
    let cors = if config.cors_origins.is_empty() {
        CorsLayer::new().allow_origin(Any)
    } else {
        let origins: Vec<HeaderValue> = config
            .cors_origins
            .iter()
            .filter_map(|o| HeaderValue::from_str(o.trim()).ok())
            .collect();
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_credentials(true)
    }
    .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
    .allow_headers([
        header::AUTHORIZATION,
        header::CONTENT_TYPE,
        header::HeaderName::from_static("x-jira-site"),
    ]);
    let timeout = Duration::from_millis(config.request_timeout_ms);
    Router::new()
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route("/graphql/ws", get(ws::upgrade))
        .route("/graphiql/{tag}/{file}", get(graphiql::asset))
        .route("/auth/login", get(crate::auth::routes::oauth_start).post(crate::auth::routes::login))
        .route("/auth/callback", get(crate::auth::routes::oauth_callback))
        .route("/auth/refresh", axum::routing::post(crate::auth::routes::refresh))
        .route("/auth/logout", axum::routing::post(crate::auth::routes::logout))
        .route("/auth/me", get(crate::auth::routes::me))
        .route("/exports/{id}", get(exports::download))
        .route("/health", get(health))
        .route("/ready", get(ready))
        .fallback(|| async { HttpError::new(StatusCode::NOT_FOUND, "NOT_FOUND", "No such route.") })
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout))
        .layer(cors)
        // Spans carry the path only: query strings may hold OAuth codes and states.
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
            tracing::debug_span!("http", method = %request.method(), path = %request.uri().path())
        }))
        .with_state(state)
}

async fn health() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({ "status": "ok" }))
}

/// Ready when the gateway can act for someone: a service account is configured.
async fn ready(
    axum::extract::State(state): axum::extract::State<Arc<AppState>>,
) -> (StatusCode, axum::Json<serde_json::Value>) {
    if state.service_account.is_some() || state.identity.is_some() {
        (
            StatusCode::OK,
            axum::Json(serde_json::json!({ "status": "ready" })),
        )
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(
                serde_json::json!({ "status": "not ready", "reason": "no Jira credentials configured (JIRA_BASE_URL, JIRA_EMAIL, JIRA_API_TOKEN)" }),
            ),
        )
    }
}
