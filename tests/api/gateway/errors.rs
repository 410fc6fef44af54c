//! Upstream failures become errors with stable codes; a failing field does not fail the query.

use jira_gateway::sim::{FaultRule, SimConfig};

use crate::helpers::{error_codes, spawn_app, spawn_app_with};

#[tokio::test]
async fn a_429_with_retry_after_is_retried_and_the_query_succeeds() {
    let app = spawn_app().await;
    app.fault(FaultRule {
        path: "/search/jql".into(),
        status: Some(429),
        retry_after_secs: Some(0),
        times: Some(2),
        ..Default::default()
    });
    app.reset_log();
    let answer = app
        .graphql(r#"{ issues(jql: "project = DEMO", first: 3) { edges { node { key } } } }"#)
        .await;
    assert!(answer["errors"].is_null(), "{answer}");
    assert_eq!(
        answer["data"]["issues"]["edges"].as_array().map(Vec::len),
        Some(3)
    );
    assert_eq!(app.jira_calls().len(), 3, "two 429s and the success");
}

#[tokio::test]
async fn a_retry_after_longer_than_the_request_may_wait_is_jira_rate_limited_with_retry_after() {
    let app = spawn_app().await;
    app.fault(FaultRule {
        path: "/search/jql".into(),
        status: Some(429),
        retry_after_secs: Some(120),
        ..Default::default()
    });
    let answer = app
        .graphql(r#"{ issues(jql: "project = DEMO", first: 3) { edges { node { key } } } }"#)
        .await;
    assert_eq!(error_codes(&answer), vec!["JIRA_RATE_LIMITED"], "{answer}");
    assert_eq!(
        answer["errors"][0]["extensions"]["retryAfter"], 120,
        "{answer}"
    );
}

#[tokio::test]
async fn persistent_5xx_answers_are_upstream_unavailable_after_the_retries() {
    let app = spawn_app().await;
    app.fault(FaultRule {
        path: "/issue/bulkfetch".into(),
        status: Some(503),
        ..Default::default()
    });
    app.reset_log();
    let answer = app.graphql(r#"{ issue(key: "DEMO-1") { key } }"#).await;
    assert_eq!(
        error_codes(&answer),
        vec!["UPSTREAM_UNAVAILABLE"],
        "{answer}"
    );
    // The first attempt plus four retries (Atlassian's recommendation).
    assert_eq!(app.jira_calls().len(), 5, "{:?}", app.jira_calls());
}

#[tokio::test]
async fn a_jira_that_does_not_answer_in_time_is_upstream_unavailable() {
    let app = spawn_app_with(SimConfig::default(), "admin@demo.test", |c| {
        c.jira_client.jira_timeout_ms = 200;
        c.jira_client.jira_max_retries = 1;
    })
    .await;
    app.fault(FaultRule {
        path: "/issue/bulkfetch".into(),
        latency_ms: Some(2_000),
        ..Default::default()
    });
    let answer = app.graphql(r#"{ issue(key: "DEMO-1") { key } }"#).await;
    assert_eq!(
        error_codes(&answer),
        vec!["UPSTREAM_UNAVAILABLE"],
        "{answer}"
    );
}

#[tokio::test]
async fn bad_jql_is_invalid_jql_carrying_jiras_message() {
    let app = spawn_app().await;
    let answer = app.graphql(r#"{ issues(jql: "project = DEMO AND (status = ", first: 3) { edges { node { key } } } }"#).await;
    assert_eq!(error_codes(&answer), vec!["INVALID_JQL"], "{answer}");
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Error in the JQL Query"),
        "{answer}"
    );
    let unbounded = app
        .graphql(r#"{ issues(jql: "order by key", first: 3) { edges { node { key } } } }"#)
        .await;
    assert_eq!(error_codes(&unbounded), vec!["INVALID_JQL"], "{unbounded}");
}

#[tokio::test]
async fn a_failing_field_gives_a_partial_result() {
    let app = spawn_app().await;
    let answer = app.graphql(r#"{ good: issue(key: "DEMO-1") { key } bad: issues(jql: "(((", first: 1) { edges { node { key } } } }"#).await;
    assert_eq!(answer["data"]["good"]["key"], "DEMO-1", "{answer}");
    assert_eq!(error_codes(&answer), vec!["INVALID_JQL"]);
    assert_eq!(answer["errors"][0]["path"][0], "bad");
}

#[tokio::test]
async fn a_gateway_with_wrong_jira_credentials_answers_unauthenticated() {
    let app = spawn_app().await;
    let site = app.site.clone();
    let config = jira_gateway::config::Config {
        port: 0,
        jira_base_url: Some(site.base_url().to_string()),
        jira_email: Some("admin@demo.test".into()),
        jira_api_token: Some(secrecy::SecretString::from("wrong".to_string())),
        ..Default::default()
    };
    let gateway = jira_gateway::app::App::build(config)
        .await
        .expect("gateway");
    let url = format!("http://{}/graphql", gateway.local_addr().expect("addr"));
    tokio::spawn(gateway.run_until(std::future::pending()));
    let answer: serde_json::Value = app
        .http
        .post(url)
        .json(&serde_json::json!({ "query": "{ viewer { displayName } }" }))
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("json");
    assert_eq!(error_codes(&answer), vec!["UNAUTHENTICATED"], "{answer}");
}

#[tokio::test]
async fn every_error_code_is_pinned() {
    insta::assert_json_snapshot!(jira_gateway::graphql::CODES, @r#"
    [
      "UNAUTHENTICATED",
      "FORBIDDEN",
      "NOT_FOUND",
      "BAD_USER_INPUT",
      "INVALID_JQL",
      "CONFLICT",
      "JIRA_RATE_LIMITED",
      "UPSTREAM_UNAVAILABLE",
      "QUERY_TOO_COMPLEX",
      "INTERNAL"
    ]
    "#);
}

#[tokio::test]
async fn a_removed_jira_api_is_an_internal_error_that_does_not_leak_upstream_text() {
    let app = spawn_app().await;
    // As Jira answers a removed API (CHANGE-2046); the gateway must never call one, so it is a bug.
    app.fault(FaultRule {
        path: "/search/jql".into(),
        status: Some(410),
        ..Default::default()
    });
    app.reset_log();
    let answer = app
        .graphql(r#"{ issues(jql: "project = DEMO", first: 1) { edges { node { key } } } }"#)
        .await;
    assert_eq!(error_codes(&answer), vec!["INTERNAL"], "{answer}");
    assert_eq!(answer["errors"][0]["message"], "Internal error");
    assert_eq!(app.jira_calls().len(), 1, "a 410 is not retried");
}
