//! `/graphql/ws`: graphql-transport-ws and the legacy graphql-ws. Loaders live for one
//! connection; credentials are checked in `connection_init`.

use std::sync::Arc;

use async_graphql::Data;
use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::{State, WebSocketUpgrade};
use axum::response::Response;

use crate::app::AppState;

pub async fn upgrade(State(state): State<Arc<AppState>>, protocol: GraphQLProtocol, upgrade: WebSocketUpgrade) -> Response {
    upgrade.protocols(ALL_WEBSOCKET_PROTOCOLS).on_upgrade(move |stream| {
        let schema = state.schema.clone();
        let init_state = state.clone();
        GraphQLWebSocket::new(stream, schema, protocol)
            .on_connection_init(move |_payload| async move {
                let context = super::graphql::context_for(&init_state).map_err(|e| async_graphql::Error::new(e.message()))?;
                let mut data = Data::default();
                data.insert(context);
                Ok(data)
            })
            .serve()
    })
}
