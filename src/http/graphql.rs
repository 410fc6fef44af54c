//! `POST /graphql` and `GET /graphql`: credentials → per-request loaders → execution.

use std::sync::Arc;

use async_graphql::{BatchRequest, BatchResponse};
use async_graphql_axum::GraphQLResponse;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::HttpError;
use crate::app::AppState;
use crate::graphql::limits::{batch_with_codes, with_codes};
use crate::graphql::{GqlError, RequestContext};

/// The request context for the caller: their own connection to the site they name (gateway
/// access token), or else the configured service account.
pub async fn context_for(
    state: &AppState,
    bearer: Option<&str>,
    site: Option<&str>,
) -> Result<Arc<RequestContext>, GqlError> {
    if let Some(identity) = &state.identity
        && let Some(token) = bearer
    {
        let claims = identity.jwt.verify(token).ok_or_else(|| {
            GqlError::Unauthenticated("The access token is invalid or expired: refresh it.".into())
        })?;
        let (connection, sites) = identity.connection(&claims.sub, site).await?;
        let jira = identity.client_for(&connection).await?;
        return Ok(RequestContext::for_user(
            jira,
            state.config.max_page_size,
            sites,
            identity.clone(),
            claims.sub,
        ));
    }
    let jira = state.service_account.clone().ok_or_else(|| {
        GqlError::Unauthenticated(
            "Log in first: send `Authorization: Bearer <access token>`.".into(),
        )
    })?;
    Ok(RequestContext::new(jira, state.config.max_page_size))
}

/// The gateway access token (`Authorization: Bearer`, or the `jg_access` cookie browsers may
/// use instead) and `X-Jira-Site` of a request.
fn credentials(headers: &HeaderMap) -> (Option<String>, Option<String>) {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string)
        .or_else(|| crate::auth::routes::cookie(headers, crate::auth::routes::ACCESS_COOKIE));
    let site = headers
        .get("x-jira-site")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    (bearer, site)
}

fn unauthenticated(error: GqlError) -> Response {
    let status = match error.code() {
        "FORBIDDEN" => StatusCode::FORBIDDEN,
        "INTERNAL" => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::UNAUTHORIZED,
    };
    HttpError::new(status, error.code(), error.message()).into_response()
}

pub async fn post(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Body) -> Response {
    let Ok(bytes) = axum::body::to_bytes(body, state.config.max_body_bytes).await else {
        let message = format!(
            "The request body is larger than {} bytes.",
            state.config.max_body_bytes
        );
        return HttpError::new(StatusCode::PAYLOAD_TOO_LARGE, "BAD_USER_INPUT", message)
            .into_response();
    };
    let batch: BatchRequest = match serde_json::from_slice(&bytes) {
        Ok(batch) => batch,
        Err(e) => {
            let message = format!("The body is not a GraphQL request: {e}");
            return HttpError::new(StatusCode::BAD_REQUEST, "BAD_USER_INPUT", message)
                .into_response();
        }
    };
    let (bearer, site) = credentials(&headers);
    let context = match context_for(&state, bearer.as_deref(), site.as_deref()).await {
        Ok(context) => context,
        Err(e) => return unauthenticated(e),
    };
    let batch = state.documents.prepare_batch(batch).await;
    let response: BatchResponse = state.schema.execute_batch(batch.data(context)).await;
    GraphQLResponse::from(batch_with_codes(response)).into_response()
}

pub async fn get(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let raw = raw.unwrap_or_default();
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if !raw.contains("query=") {
        if wants_html {
            return super::graphiql::page();
        }
        return HttpError::new(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "Pass a `query` parameter, or open this URL in a browser for GraphiQL.",
        )
        .into_response();
    }
    let request = match async_graphql::http::parse_query_string(&raw) {
        Ok(request) => request,
        Err(e) => {
            return HttpError::new(
                StatusCode::BAD_REQUEST,
                "BAD_USER_INPUT",
                format!("Invalid GraphQL GET request: {e}"),
            )
            .into_response();
        }
    };
    if is_mutation(&request.query, request.operation_name.as_deref()) {
        let mut response = HttpError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "BAD_USER_INPUT",
            "Mutations are only accepted over POST.",
        )
        .into_response();
        response
            .headers_mut()
            .insert(header::ALLOW, header::HeaderValue::from_static("POST"));
        return response;
    }
    let (bearer, site) = credentials(&headers);
    let context = match context_for(&state, bearer.as_deref(), site.as_deref()).await {
        Ok(context) => context,
        Err(e) => return unauthenticated(e),
    };
    let request = state.documents.prepare(request).await;
    GraphQLResponse::from(with_codes(
        state.schema.execute(request.data(context)).await,
    ))
    .into_response()
}

/// Whether the operation that would run is a mutation (GET must never run one).
fn is_mutation(query: &str, operation_name: Option<&str>) -> bool {
    use async_graphql::parser::types::{DocumentOperations, OperationType};
    let Ok(document) = async_graphql::parser::parse_query(query) else {
        return false;
    };
    match &document.operations {
        DocumentOperations::Single(op) => op.node.ty == OperationType::Mutation,
        DocumentOperations::Multiple(ops) => match operation_name {
            Some(name) => ops
                .get(name)
                .is_some_and(|op| op.node.ty == OperationType::Mutation),
            // Ambiguous without a name: execution will refuse it, but never run a mutation.
            None => ops.values().any(|op| op.node.ty == OperationType::Mutation),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::is_mutation;

    #[test]
    fn mutations_are_recognised_even_among_several_operations() {
        assert!(is_mutation("mutation { x }", None));
        assert!(!is_mutation("{ x }", None));
        assert!(is_mutation("query A { x } mutation B { y }", Some("B")));
        assert!(!is_mutation("query A { x } mutation B { y }", Some("A")));
        assert!(is_mutation("query A { x } mutation B { y }", None));
    }
}
