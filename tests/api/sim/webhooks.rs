//! Dynamic webhooks of OAuth apps (`webhook`, `webhook/refresh`): registration, expiry,
//! filters, and the 403 for Basic auth.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::oauth::login;
use super::{ADMIN, Answer, Sim};

/// A call under `/ex/jira/{cloudId}/rest/api/3{path}` with a bearer token.
pub(super) async fn app_call(
    sim: &Sim,
    access: &str,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> Answer {
    let url = format!(
        "{}/ex/jira/{}/rest/api/3{path}",
        sim.base(),
        sim.site.cloud_id()
    );
    sim.send(method, &url, Some(&format!("Bearer {access}")), body)
        .await
}

pub(super) async fn app_token(sim: &Sim, user: &str) -> String {
    login(sim, user).await["access_token"]
        .as_str()
        .expect("access token")
        .to_string()
}

#[tokio::test]
async fn an_app_registers_lists_refreshes_and_deletes_webhooks() {
    // Arrange
    let sim = Sim::start().await;
    let access = app_token(&sim, ADMIN).await;
    let before = chrono::Utc::now().timestamp_millis();
    let thirty_days = 30 * 24 * 3600 * 1000_i64;

    // Act: register two, one with an unsupported field in its filter
    let registered = app_call(
        &sim,
        &access,
        Method::POST,
        "/webhook",
        Some(&json!({
            "url": "https://example.test/hook",
            "webhooks": [
                { "events": ["jira:issue_created", "jira:issue_updated"], "jqlFilter": "project = DEMO" },
                { "events": ["comment_created"], "jqlFilter": "summary ~ login" }
            ]
        })),
    )
    .await;

    // Assert
    assert_eq!(registered.status, StatusCode::OK, "{:?}", registered.body);
    let results = registered.body["webhookRegistrationResult"]
        .as_array()
        .expect("results");
    let id = results[0]["createdWebhookId"].as_u64().expect("created id");
    assert!(results[0].get("errors").is_none());
    assert!(results[1].get("createdWebhookId").is_none());
    assert!(
        results[1]["errors"]
            .as_array()
            .is_some_and(|e| !e.is_empty()),
        "{results:?}"
    );

    let listed = app_call(&sim, &access, Method::GET, "/webhook", None).await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.body["total"], 1);
    let hook = &listed.body["values"][0];
    assert_eq!(hook["id"], id);
    assert_eq!(hook["jqlFilter"], "project = DEMO");
    assert_eq!(hook["url"], "https://example.test/hook");
    let expires = hook["expirationDate"].as_i64().expect("expiration in ms");
    assert!(
        expires >= before + thirty_days - 60_000 && expires <= before + thirty_days + 60_000,
        "{expires}"
    );

    let refreshed = app_call(
        &sim,
        &access,
        Method::PUT,
        "/webhook/refresh",
        Some(&json!({ "webhookIds": [id, 424242] })),
    )
    .await;
    assert_eq!(refreshed.status, StatusCode::OK);
    assert!(
        refreshed.body["expirationDate"]
            .as_i64()
            .is_some_and(|e| e >= expires)
    );

    let deleted = app_call(
        &sim,
        &access,
        Method::DELETE,
        "/webhook",
        Some(&json!({ "webhookIds": [id] })),
    )
    .await;
    assert_eq!(deleted.status, StatusCode::ACCEPTED);
    let after = app_call(&sim, &access, Method::GET, "/webhook", None).await;
    assert_eq!(after.body["total"], 0);
}

#[tokio::test]
async fn webhook_endpoints_refuse_basic_auth_with_403() {
    let sim = Sim::start().await;

    let list = sim.get(ADMIN, "/webhook").await;
    let register = sim.post(ADMIN, "/webhook", &json!({ "url": "https://example.test/hook", "webhooks": [{ "events": ["jira:issue_created"], "jqlFilter": "project = DEMO" }] })).await;
    let refresh = sim
        .put(ADMIN, "/webhook/refresh", &json!({ "webhookIds": [1] }))
        .await;

    for answer in [list, register, refresh] {
        assert_eq!(answer.status, StatusCode::FORBIDDEN);
        assert_eq!(
            answer.messages(),
            vec!["Only Connect apps and OAuth 2.0 apps can use this operation."]
        );
    }
}
