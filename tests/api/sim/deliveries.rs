//! Webhook deliveries, received by a tiny axum server: admin webhooks (v2 payloads, signed with
//! `X-Hub-Signature`), dynamic webhooks (JQL and field filters, JWT), retries.

use std::time::Duration;

use axum::body::Bytes;
use axum::http::HeaderMap;
use hmac::{Hmac, Mac};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::sync::mpsc;

use super::webhooks::{app_call, app_token};
use super::{ADMIN, ALICE, Sim, VIEWER, adf};

/// One delivery as the receiver saw it.
struct Received {
    headers: HeaderMap,
    body: Bytes,
}

/// Starts a receiver on port 0 answering 200 to every POST; returns its URL and the deliveries.
async fn receiver() -> (String, mpsc::UnboundedReceiver<Received>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = axum::Router::new().fallback(move |headers: HeaderMap, body: Bytes| {
        let tx = tx.clone();
        async move {
            let _ = tx.send(Received { headers, body });
            StatusCode::OK
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind receiver");
    let url = format!("http://{}/hook", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, rx)
}

/// The next delivery (within 10 s, so a missing one fails instead of hanging).
async fn next(rx: &mut mpsc::UnboundedReceiver<Received>) -> Received {
    tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("a delivery arrives")
        .expect("receiver open")
}

#[tokio::test]
async fn a_dynamic_webhook_receives_matching_events_with_a_jwt() {
    // Arrange
    let sim = Sim::start().await;
    let (url, mut rx) = receiver().await;
    let access = app_token(&sim, VIEWER).await;
    let registered = app_call(
        &sim,
        &access,
        Method::POST,
        "/webhook",
        Some(&json!({ "url": url, "webhooks": [{ "events": ["jira:issue_updated"], "jqlFilter": "project = OPS", "fieldIdsFilter": ["summary"] }] })),
    )
    .await;
    let id = registered.body["webhookRegistrationResult"][0]["createdWebhookId"]
        .as_u64()
        .expect("id");
    let demo = sim.issue_where(|i| i.project == "DEMO");
    let ops = sim.issue_where(|i| i.project == "OPS");

    // Act: a DEMO edit (filtered out by JQL), an OPS label edit (filtered out by field), an OPS summary edit
    sim.put(
        ALICE,
        &format!("/issue/{}", demo.key),
        &json!({ "fields": { "summary": "Not for the app" } }),
    )
    .await;
    sim.put(
        ALICE,
        &format!("/issue/{}", ops.key),
        &json!({ "update": { "labels": [{ "add": "ignored" }] } }),
    )
    .await;
    sim.put(
        ALICE,
        &format!("/issue/{}", ops.key),
        &json!({ "fields": { "summary": "For the app" } }),
    )
    .await;

    // Assert
    let delivery = next(&mut rx).await;
    let payload: Value = serde_json::from_slice(&delivery.body).expect("JSON payload");
    assert_eq!(payload["webhookEvent"], "jira:issue_updated");
    assert_eq!(payload["issue"]["key"], ops.key.as_str());
    assert_eq!(payload["issue"]["fields"]["summary"], "For the app");
    assert_eq!(payload["matchedWebhookIds"], json!([id]));
    let bearer = delivery.headers["authorization"].to_str().expect("ascii");
    let jwt = bearer.strip_prefix("Bearer ").expect("a bearer JWT");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.set_audience(&["demo-client"]);
    jsonwebtoken::decode::<Value>(
        jwt,
        &jsonwebtoken::DecodingKey::from_secret(b"demo-secret"),
        &validation,
    )
    .expect("JWT signed with the client secret");
    assert!(delivery.headers.get("x-hub-signature").is_none());
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        rx.try_recv().is_err(),
        "only the OPS summary edit is delivered"
    );
}

#[tokio::test]
async fn an_admin_webhook_delivery_is_v2_shaped_and_signed() {
    // Arrange
    let sim = Sim::start().await;
    let (url, mut rx) = receiver().await;
    let added = sim
        .send(
            Method::POST,
            &format!("{}/_sim/webhooks", sim.base()),
            None,
            Some(&json!({ "url": url, "secret": "s3cret" })),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED);
    let issue = sim.issue_where(|i| i.project == "DEMO" && i.description.is_some());

    // Act: a change made by another user
    let edit = sim
        .act_as(
            Method::PUT,
            ALICE,
            &format!("/issue/{}", issue.key),
            Some(&json!({ "fields": { "summary": "Changed by Alice" } })),
        )
        .await;
    assert_eq!(edit.status, StatusCode::NO_CONTENT);

    // Assert
    let delivery = next(&mut rx).await;
    let identifier = delivery.headers["x-atlassian-webhook-identifier"]
        .to_str()
        .expect("ascii");
    assert!(!identifier.is_empty());
    let signature = delivery.headers["x-hub-signature"].to_str().expect("ascii");
    let mut mac = Hmac::<Sha256>::new_from_slice(b"s3cret").expect("key");
    mac.update(&delivery.body);
    assert_eq!(
        signature,
        format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
    );
    assert!(delivery.headers.get("x-atlassian-webhook-retry").is_none());

    let payload: Value = serde_json::from_slice(&delivery.body).expect("JSON payload");
    assert_eq!(payload["webhookEvent"], "jira:issue_updated");
    assert_eq!(payload["issue_event_type_name"], "issue_generic");
    assert!(payload["timestamp"].as_i64().is_some());
    assert_eq!(payload["user"]["emailAddress"], ALICE);
    assert_eq!(payload["issue"]["key"], issue.key.as_str());
    assert!(
        payload["issue"]["self"]
            .as_str()
            .is_some_and(|s| s.contains("/rest/api/2/issue/"))
    );
    assert!(
        payload["issue"]["fields"]["description"].is_string(),
        "v2 bodies are plain strings"
    );
    let item = &payload["changelog"]["items"][0];
    assert_eq!(item["field"], "summary");
    assert_eq!(item["fromString"], issue.summary.as_str());
    assert_eq!(item["toString"], "Changed by Alice");
}

#[tokio::test]
async fn a_comment_event_carries_a_plain_text_body_and_no_user() {
    let sim = Sim::start().await;
    let (url, mut rx) = receiver().await;
    sim.send(
        Method::POST,
        &format!("{}/_sim/webhooks", sim.base()),
        None,
        Some(&json!({ "url": url, "events": ["comment_created"] })),
    )
    .await;
    let issue = sim.issue_where(|i| i.project == "DEMO");

    sim.act_as(
        Method::POST,
        ALICE,
        &format!("/issue/{}/comment", issue.key),
        Some(&json!({ "body": adf("Hello from Alice") })),
    )
    .await;

    let delivery = next(&mut rx).await;
    let payload: Value = serde_json::from_slice(&delivery.body).expect("JSON payload");
    assert_eq!(payload["webhookEvent"], "comment_created");
    assert_eq!(payload["comment"]["body"], "Hello from Alice");
    assert_eq!(payload["comment"]["author"]["emailAddress"], ALICE);
    assert!(payload.get("user").is_none());
    assert_eq!(payload["issue"]["key"], issue.key.as_str());
    assert!(
        delivery.headers.get("x-hub-signature").is_none(),
        "no secret, no signature"
    );
}

#[tokio::test]
async fn deleting_an_issue_delivers_issue_deleted_with_the_issue() {
    let sim = Sim::start().await;
    let (url, mut rx) = receiver().await;
    sim.send(
        Method::POST,
        &format!("{}/_sim/webhooks", sim.base()),
        None,
        Some(&json!({ "url": url, "events": ["jira:issue_deleted"] })),
    )
    .await;
    let issue = sim.issue_where(|i| i.project == "DEMO" && i.subtasks.is_empty());

    let deleted = sim
        .act_as(
            Method::DELETE,
            ALICE,
            &format!("/issue/{}", issue.key),
            None,
        )
        .await;

    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let payload: Value = serde_json::from_slice(&next(&mut rx).await.body).expect("JSON payload");
    assert_eq!(payload["webhookEvent"], "jira:issue_deleted");
    assert_eq!(payload["issue"]["key"], issue.key.as_str());
    assert_eq!(
        payload["issue"]["fields"]["summary"],
        issue.summary.as_str()
    );
    assert_eq!(payload["user"]["emailAddress"], ALICE);
    assert!(payload.get("changelog").is_none());
}

#[tokio::test]
async fn deleting_a_comment_delivers_comment_deleted_with_the_comment() {
    let sim = Sim::start().await;
    let (url, mut rx) = receiver().await;
    sim.send(
        Method::POST,
        &format!("{}/_sim/webhooks", sim.base()),
        None,
        Some(&json!({ "url": url, "events": ["comment_deleted"] })),
    )
    .await;
    let issue = sim.issue_where(|i| i.project == "DEMO" && !i.comments.is_empty());
    let comment = &issue.comments[0];

    let deleted = sim
        .delete(
            ADMIN,
            &format!("/issue/{}/comment/{}", issue.key, comment.id),
        )
        .await;

    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let payload: Value = serde_json::from_slice(&next(&mut rx).await.body).expect("JSON payload");
    assert_eq!(payload["webhookEvent"], "comment_deleted");
    assert_eq!(payload["comment"]["id"], comment.id.to_string());
    assert_eq!(payload["comment"]["body"], &*comment.body.text);
    assert_eq!(
        payload["comment"]["author"]["accountId"],
        comment.author.as_str()
    );
}

#[tokio::test]
async fn a_failed_delivery_is_retried_with_the_same_identifier() {
    // Arrange: a receiver that fails the first delivery
    let sim = Sim::start().await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let app = axum::Router::new().fallback(move |headers: HeaderMap, body: Bytes| {
        let (tx, calls) = (tx.clone(), calls.clone());
        async move {
            let _ = tx.send(Received { headers, body });
            if calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                StatusCode::INTERNAL_SERVER_ERROR
            } else {
                StatusCode::OK
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind receiver");
    let url = format!("http://{}/hook", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    sim.send(
        Method::POST,
        &format!("{}/_sim/webhooks", sim.base()),
        None,
        Some(&json!({ "url": url })),
    )
    .await;
    let issue = sim.issue_where(|i| i.project == "DEMO");

    // Act
    sim.put(
        ALICE,
        &format!("/issue/{}", issue.key),
        &json!({ "fields": { "summary": "Retried" } }),
    )
    .await;

    // Assert
    let first = next(&mut rx).await;
    let second = next(&mut rx).await;
    assert_eq!(
        first.headers["x-atlassian-webhook-identifier"],
        second.headers["x-atlassian-webhook-identifier"]
    );
    assert!(first.headers.get("x-atlassian-webhook-retry").is_none());
    assert_eq!(second.headers["x-atlassian-webhook-retry"], "1");
    assert_eq!(first.body, second.body);
    let deliveries = sim
        .send(
            Method::GET,
            &format!("{}/_sim/webhooks/deliveries", sim.base()),
            None,
            None,
        )
        .await;
    let statuses: Vec<u64> = deliveries
        .body
        .as_array()
        .expect("deliveries")
        .iter()
        .map(|d| d["status"].as_u64().expect("status"))
        .collect();
    assert_eq!(statuses, vec![500, 200]);
}

#[tokio::test]
async fn creating_an_issue_delivers_issue_created() {
    let sim = Sim::start().await;
    let (url, mut rx) = receiver().await;
    sim.send(
        Method::POST,
        &format!("{}/_sim/webhooks", sim.base()),
        None,
        Some(&json!({ "url": url, "secret": "k" })),
    )
    .await;

    let created = sim
        .act_as(Method::POST, ALICE, "/issue", Some(&json!({ "fields": { "project": { "key": "OPS" }, "issuetype": { "name": "Bug" }, "summary": "Printer on fire", "description": adf("Smoke") } })))
        .await;

    let payload: Value = serde_json::from_slice(&next(&mut rx).await.body).expect("JSON payload");
    assert_eq!(payload["webhookEvent"], "jira:issue_created");
    assert_eq!(payload["issue_event_type_name"], "issue_created");
    assert_eq!(payload["issue"]["key"], created.body["key"]);
    assert_eq!(payload["issue"]["fields"]["summary"], "Printer on fire");
    assert_eq!(payload["issue"]["fields"]["description"], "Smoke");
}

#[tokio::test]
async fn the_admin_webhook_list_does_not_echo_secrets() {
    let sim = Sim::start().await;
    sim.send(
        Method::POST,
        &format!("{}/_sim/webhooks", sim.base()),
        None,
        Some(&json!({ "url": "http://127.0.0.1:1/x", "secret": "hidden" })),
    )
    .await;

    let listed = sim
        .send(
            Method::GET,
            &format!("{}/_sim/webhooks", sim.base()),
            None,
            None,
        )
        .await;
    let refused = sim
        .send(
            Method::POST,
            &format!("{}/_sim/webhooks", sim.base()),
            None,
            Some(&json!({ "url": "ftp://x" })),
        )
        .await;

    assert_eq!(
        listed.body["admin"],
        json!([{ "url": "http://127.0.0.1:1/x", "signed": true, "events": [] }])
    );
    assert!(!String::from_utf8_lossy(&listed.bytes).contains("hidden"));
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
}
