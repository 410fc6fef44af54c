//! GraphQL over WebSocket: graphql-transport-ws and the legacy graphql-ws protocol.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::helpers::spawn_app;

pub(crate) type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub(crate) async fn connect(gateway: &str, protocol: &str) -> Socket {
    let mut request = format!("{}/graphql/ws", gateway.replace("http://", "ws://"))
        .into_client_request()
        .expect("request");
    request
        .headers_mut()
        .insert("sec-websocket-protocol", protocol.parse().expect("header"));
    let (socket, response) = tokio_tungstenite::connect_async(request)
        .await
        .expect("websocket");
    assert_eq!(response.headers()["sec-websocket-protocol"], protocol);
    socket
}

pub(crate) async fn next_json(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(std::time::Duration::from_secs(10), socket.next())
            .await
            .expect("message in time")
            .expect("open")
            .expect("frame");
        if let Message::Text(text) = message {
            let value: Value = serde_json::from_str(&text).expect("json frame");
            // Keep-alives of the legacy protocol.
            if value["type"] == "ka" {
                continue;
            }
            return value;
        }
    }
}

pub(crate) async fn send(socket: &mut Socket, value: Value) {
    socket
        .send(Message::Text(value.to_string().into()))
        .await
        .expect("send");
}

#[tokio::test]
async fn queries_run_over_graphql_transport_ws() {
    let app = spawn_app().await;
    let mut socket = connect(&app.gateway, "graphql-transport-ws").await;
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": {} }),
    )
    .await;
    assert_eq!(next_json(&mut socket).await["type"], "connection_ack");
    send(&mut socket, json!({ "id": "1", "type": "subscribe", "payload": { "query": "{ issue(key: \"DEMO-3\") { key status { name } } }" } })).await;
    let next = next_json(&mut socket).await;
    assert_eq!(next["type"], "next", "{next}");
    assert_eq!(next["payload"]["data"]["issue"]["key"], "DEMO-3");
    assert_eq!(next_json(&mut socket).await["type"], "complete");
}

#[tokio::test]
async fn queries_run_over_the_legacy_graphql_ws_protocol() {
    let app = spawn_app().await;
    let mut socket = connect(&app.gateway, "graphql-ws").await;
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": {} }),
    )
    .await;
    assert_eq!(next_json(&mut socket).await["type"], "connection_ack");
    send(&mut socket, json!({ "id": "1", "type": "start", "payload": { "query": "{ issue(key: \"DEMO-4\") { key } }" } })).await;
    let data = next_json(&mut socket).await;
    assert_eq!(data["type"], "data", "{data}");
    assert_eq!(data["payload"]["data"]["issue"]["key"], "DEMO-4");
    assert_eq!(next_json(&mut socket).await["type"], "complete");
}

#[tokio::test]
async fn an_upgrade_without_a_graphql_subprotocol_is_refused() {
    let app = spawn_app().await;
    let request = format!("{}/graphql/ws", app.gateway.replace("http://", "ws://"))
        .into_client_request()
        .expect("request");
    assert!(tokio_tungstenite::connect_async(request).await.is_err());
}

#[tokio::test]
async fn errors_over_websockets_carry_codes_too() {
    let app = spawn_app().await;
    let mut socket = connect(&app.gateway, "graphql-transport-ws").await;
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": {} }),
    )
    .await;
    assert_eq!(next_json(&mut socket).await["type"], "connection_ack");
    send(
        &mut socket,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": "{ noSuchField }" } }),
    )
    .await;
    let frame = next_json(&mut socket).await;
    assert!(
        frame.to_string().contains("\"code\":\"BAD_USER_INPUT\""),
        "{frame}"
    );
}
