//! `/graphql/ws`: graphql-transport-ws and the legacy graphql-ws. Loaders live for one
//! connection; credentials are checked in `connection_init`.

use std::sync::Arc;

use async_graphql::Data;
use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::{State, WebSocketUpgrade};
use axum::response::Response;

use crate::app::AppState;

pub async fn upgrade(
    State(state): State<Arc<AppState>>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |stream| {
            let schema = crate::graphql::limits::CodedSchema {
                schema: state.schema.clone(),
                documents: state.documents.clone(),
            };
            let init_state = state.clone();
            GraphQLWebSocket::new(stream, schema, protocol)
                .on_connection_init(move |payload| async move {
                    // Browsers cannot set headers on WebSockets: credentials come in connection_init,
                    // as `{"Authorization": "Bearer …", "X-Jira-Site": "…"}` (any case).
                    let field = |name: &str| {
                        payload
                            .as_object()
                            .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
                            .and_then(|(_, v)| v.as_str())
                            .map(str::to_string)
                    };
                    let bearer = field("authorization")
                        .and_then(|v| v.strip_prefix("Bearer ").map(str::to_string));
                    let site = field("x-jira-site");
                    let context = super::graphql::context_for(
                        &init_state,
                        bearer.as_deref(),
                        site.as_deref(),
                    )
                    .await
                    .map_err(|e| async_graphql::Error::new(e.message()))?;
                    let mut data = Data::default();
                    data.insert(context);
                    Ok(data)
                })
                .serve()
        })
}
