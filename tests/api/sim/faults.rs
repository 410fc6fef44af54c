//! Fault injection (`/_sim/faults`, `SimConfig`) and the request log (`/_sim/requests`).

use jira_gateway::sim::{FaultConfig, FaultRule, SimConfig};
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{ADMIN, Answer, Sim, VIEWER};

async fn put_faults(sim: &Sim, config: &serde_json::Value) -> Answer {
    sim.send(
        Method::PUT,
        &format!("{}/_sim/faults", sim.base()),
        None,
        Some(config),
    )
    .await
}

#[tokio::test]
async fn a_429_rule_answers_with_jiras_rate_limit_headers() {
    let sim = Sim::start().await;
    let set = put_faults(
        &sim,
        &json!({ "rules": [{ "path": "/search/jql", "status": 429, "retryAfterSecs": 7 }] }),
    )
    .await;
    assert_eq!(set.status, StatusCode::OK);

    let limited = sim
        .post(ADMIN, "/search/jql", &json!({ "jql": "project = DEMO" }))
        .await;
    let other = sim.get(ADMIN, "/myself").await;

    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.header("retry-after"), Some("7"));
    assert!(limited.header("x-ratelimit-limit").is_some());
    assert_eq!(limited.header("x-ratelimit-remaining"), Some("0"));
    let reset = limited.header("x-ratelimit-reset").expect("reset");
    assert!(
        chrono::NaiveDateTime::parse_from_str(reset, "%Y-%m-%dT%H:%MZ").is_ok(),
        "{reset}"
    );
    assert_eq!(limited.header("ratelimit-reason"), Some("jira-burst-based"));
    assert_eq!(other.status, StatusCode::OK);
}

#[tokio::test]
async fn a_rule_with_times_applies_that_many_times() {
    let sim = Sim::start().await;
    put_faults(
        &sim,
        &json!({ "rules": [{ "path": "/myself", "status": 503, "times": 2 }] }),
    )
    .await;

    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(sim.get(VIEWER, "/myself").await.status.as_u16());
    }

    assert_eq!(statuses, vec![503, 503, 200, 200]);
}

#[tokio::test]
async fn a_rule_can_be_limited_to_one_method() {
    let sim = Sim::start().await;
    sim.site.set_faults(FaultConfig {
        rules: vec![FaultRule {
            method: Some("POST".into()),
            path: "/comment".into(),
            status: Some(500),
            ..FaultRule::default()
        }],
        ..FaultConfig::default()
    });
    let issue = sim.issue_where(|i| i.project == "DEMO");

    let read = sim
        .get(VIEWER, &format!("/issue/{}/comment", issue.key))
        .await;
    let write = sim
        .post(
            VIEWER,
            &format!("/issue/{}/comment", issue.key),
            &json!({ "body": super::adf("x") }),
        )
        .await;

    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(write.status, StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn a_global_rate_limit_answers_429_under_a_quick_burst() {
    let sim = Sim::with(SimConfig {
        issues: 20,
        rate_limit: Some(1),
        retry_after_secs: 2,
        ..SimConfig::default()
    })
    .await;

    let answers = futures_util::future::join_all((0..10).map(|_| sim.get(VIEWER, "/myself"))).await;

    let ok = answers
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .count();
    let limited: Vec<&Answer> = answers
        .iter()
        .filter(|a| a.status == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert!(ok >= 1, "the bucket lets the first request through");
    assert!(limited.len() >= 8, "{ok} passed");
    assert_eq!(limited[0].header("retry-after"), Some("2"));
    assert_eq!(limited[0].header("x-ratelimit-limit"), Some("1"));
    assert_eq!(
        limited[0].header("ratelimit-reason"),
        Some("jira-burst-based")
    );
    // The admin API is never limited.
    let faults = sim
        .send(
            Method::GET,
            &format!("{}/_sim/faults", sim.base()),
            None,
            None,
        )
        .await;
    assert_eq!(faults.status, StatusCode::OK);
}

#[tokio::test]
async fn a_burst_allowance_lets_that_many_requests_through() {
    let sim = Sim::start().await;
    put_faults(
        &sim,
        &json!({ "rateLimit": { "requestsPerSecond": 1, "burst": 3 } }),
    )
    .await;

    let answers = futures_util::future::join_all((0..8).map(|_| sim.get(VIEWER, "/myself"))).await;

    let ok = answers
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .count();
    assert!((3..=4).contains(&ok), "{ok} passed");
}

#[tokio::test]
async fn an_error_rate_of_one_answers_500_or_503() {
    let sim = Sim::with(SimConfig {
        issues: 20,
        error_rate: 1.0,
        ..SimConfig::default()
    })
    .await;

    for _ in 0..6 {
        let answer = sim.get(VIEWER, "/myself").await;
        assert!(
            matches!(answer.status.as_u16(), 500 | 503),
            "{}",
            answer.status
        );
        assert!(!answer.messages().is_empty());
    }
}

#[tokio::test]
async fn an_invalid_fault_configuration_is_refused() {
    let sim = Sim::start().await;

    let rate = put_faults(&sim, &json!({ "errorRate": 2.0 })).await;
    let unknown = put_faults(&sim, &json!({ "errorRat": 0.5 })).await;
    let zero = put_faults(&sim, &json!({ "rateLimit": { "requestsPerSecond": 0 } })).await;
    let status = put_faults(
        &sim,
        &json!({ "rules": [{ "path": "/x", "status": 1000 }] }),
    )
    .await;

    for answer in [rate, unknown, zero, status] {
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{:?}", answer.body);
    }
    assert_eq!(sim.get(VIEWER, "/myself").await.status, StatusCode::OK);
}

#[tokio::test]
async fn get_faults_shows_what_was_set_and_delete_clears_it() {
    let sim = Sim::start().await;
    let config = json!({ "latencyMs": 0, "errorRate": 0.25, "rules": [{ "path": "/search/jql", "status": 429, "times": 4, "probability": 0.5 }] });
    put_faults(&sim, &config).await;

    let shown = sim
        .send(
            Method::GET,
            &format!("{}/_sim/faults", sim.base()),
            None,
            None,
        )
        .await;
    let cleared = sim
        .send(
            Method::DELETE,
            &format!("{}/_sim/faults", sim.base()),
            None,
            None,
        )
        .await;
    let after = sim
        .send(
            Method::GET,
            &format!("{}/_sim/faults", sim.base()),
            None,
            None,
        )
        .await;

    assert_eq!(shown.status, StatusCode::OK);
    assert_eq!(shown.body["errorRate"], 0.25);
    assert_eq!(shown.body["rules"][0]["path"], "/search/jql");
    assert_eq!(shown.body["rules"][0]["status"], 429);
    assert_eq!(shown.body["rules"][0]["times"], 4);
    assert_eq!(shown.body["rules"][0]["probability"], 0.5);
    assert_eq!(cleared.status, StatusCode::NO_CONTENT);
    assert_eq!(after.body["errorRate"], 0.0);
    assert_eq!(after.body["rules"], json!([]));
}

#[tokio::test]
async fn the_request_log_lists_api_calls_in_arrival_order() {
    // Arrange
    let sim = Sim::start().await;
    let log_url = format!("{}/_sim/requests", sim.base());

    // Act
    sim.get(VIEWER, "/myself?expand=groups").await;
    sim.post(
        VIEWER,
        "/search/jql",
        &json!({ "jql": "project = DEMO", "maxResults": 1 }),
    )
    .await;
    sim.get(VIEWER, "/issue/DEMO-99999").await;
    sim.send(
        Method::GET,
        &format!("{}/_sim/faults", sim.base()),
        None,
        None,
    )
    .await;
    let log = sim.send(Method::GET, &log_url, None, None).await;

    // Assert
    assert_eq!(
        log.body,
        json!([
            { "method": "GET", "path": "/rest/api/3/myself", "query": "expand=groups", "status": 200 },
            { "method": "POST", "path": "/rest/api/3/search/jql", "query": null, "status": 200 },
            { "method": "GET", "path": "/rest/api/3/issue/DEMO-99999", "query": null, "status": 404 },
        ])
    );
    let in_process: Vec<(String, u16)> = sim
        .site
        .log()
        .entries()
        .into_iter()
        .map(|e| (e.path, e.status))
        .collect();
    assert_eq!(
        in_process,
        vec![
            ("/rest/api/3/myself".to_string(), 200),
            ("/rest/api/3/search/jql".to_string(), 200),
            ("/rest/api/3/issue/DEMO-99999".to_string(), 404)
        ]
    );
}

#[tokio::test]
async fn deleting_the_request_log_clears_it() {
    let sim = Sim::start().await;
    let log_url = format!("{}/_sim/requests", sim.base());
    sim.get(VIEWER, "/myself").await;

    let cleared = sim.send(Method::DELETE, &log_url, None, None).await;
    sim.get(VIEWER, "/field").await;
    let log = sim.send(Method::GET, &log_url, None, None).await;

    assert_eq!(cleared.status, StatusCode::NO_CONTENT);
    assert_eq!(
        log.body,
        json!([{ "method": "GET", "path": "/rest/api/3/field", "query": null, "status": 200 }])
    );
    assert_eq!(sim.site.log().len(), 1);
}

#[tokio::test]
async fn rate_limited_and_faulted_requests_are_logged_with_their_status() {
    let sim = Sim::start().await;
    put_faults(
        &sim,
        &json!({ "rules": [{ "path": "/myself", "status": 429, "times": 1 }] }),
    )
    .await;

    sim.get(VIEWER, "/myself").await;
    sim.get(VIEWER, "/myself").await;

    let statuses: Vec<u16> = sim.site.log().entries().iter().map(|e| e.status).collect();
    assert_eq!(statuses, vec![429, 200]);
}
