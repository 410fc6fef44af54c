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
use crate::graphql::{GqlError, RequestContext};

/// The request context for the caller: today the configured service account.
pub fn context_for(state: &AppState) -> Result<Arc<RequestContext>, GqlError> {
    let jira = state
        .service_account
        .clone()
        .ok_or_else(|| GqlError::Unauthenticated("The gateway has no Jira credentials configured.".into()))?;
    Ok(RequestContext::new(jira, state.config.max_page_size))
}

fn unauthenticated(error: GqlError) -> Response {
    HttpError::new(StatusCode::UNAUTHORIZED, error.code(), error.message()).into_response()
}

pub async fn post(State(state): State<Arc<AppState>>, body: Body) -> Response {
    let bytes = match axum::body::to_bytes(body, state.config.max_body_bytes).await {
        Ok(bytes) => bytes,
        Err(_) => {
            let message = format!("The request body is larger than {} bytes.", state.config.max_body_bytes);
            return HttpError::new(StatusCode::PAYLOAD_TOO_LARGE, "BAD_USER_INPUT", message).into_response();
        }
    };
    let batch: BatchRequest = match serde_json::from_slice(&bytes) {
        Ok(batch) => batch,
        Err(e) => {
            let message = format!("The body is not a GraphQL request: {e}");
            return HttpError::new(StatusCode::BAD_REQUEST, "BAD_USER_INPUT", message).into_response();
        }
    };
    let context = match context_for(&state) {
        Ok(context) => context,
        Err(e) => return unauthenticated(e),
    };
    let response: BatchResponse = state.schema.execute_batch(batch.data(context)).await;
    GraphQLResponse::from(response).into_response()
}

pub async fn get(State(state): State<Arc<AppState>>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    let raw = raw.unwrap_or_default();
    let wants_html = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"));
    if !raw.contains("query=") {
        if wants_html {
            return super::graphiql::page();
        }
        return HttpError::new(StatusCode::BAD_REQUEST, "BAD_USER_INPUT", "Pass a `query` parameter, or open this URL in a browser for GraphiQL.").into_response();
    }
    let request = match async_graphql::http::parse_query_string(&raw) {
        Ok(request) => request,
        Err(e) => return HttpError::new(StatusCode::BAD_REQUEST, "BAD_USER_INPUT", format!("Invalid GraphQL GET request: {e}")).into_response(),
    };
    if is_mutation(&request.query, request.operation_name.as_deref()) {
        let mut response = HttpError::new(StatusCode::METHOD_NOT_ALLOWED, "BAD_USER_INPUT", "Mutations are only accepted over POST.").into_response();
        response.headers_mut().insert(header::ALLOW, header::HeaderValue::from_static("POST"));
        return response;
    }
    let context = match context_for(&state) {
        Ok(context) => context,
        Err(e) => return unauthenticated(e),
    };
    GraphQLResponse::from(state.schema.execute(request.data(context)).await).into_response()
}

/// Whether the operation that would run is a mutation (GET must never run one).
fn is_mutation(query: &str, operation_name: Option<&str>) -> bool {
    use async_graphql::parser::types::{DocumentOperations, OperationType};
    let Ok(document) = async_graphql::parser::parse_query(query) else { return false };
    match &document.operations {
        DocumentOperations::Single(op) => op.node.ty == OperationType::Mutation,
        DocumentOperations::Multiple(ops) => match operation_name {
            Some(name) => ops.get(name).is_some_and(|op| op.node.ty == OperationType::Mutation),
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
