//! The HTTP surface: GET queries, GraphiQL, mutations refused over GET, limits and malformed
//! input answered with JSON and stable codes.

use serde_json::{Value, json};

use crate::helpers::{error_codes, spawn_app};

#[tokio::test]
async fn get_runs_queries_and_refuses_mutations() {
    let app = spawn_app().await;
    let url = format!("{}/graphql", app.gateway);
    let answer: Value = app
        .http
        .get(&url)
        .query(&[("query", "{ issue(key: \"DEMO-2\") { key } }")])
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(answer["data"]["issue"]["key"], "DEMO-2", "{answer}");
    let response = app
        .http
        .get(&url)
        .query(&[("query", "mutation { __typename }")])
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "POST");
    let body: Value = response.json().await.expect("json");
    assert_eq!(error_codes(&body), vec!["BAD_USER_INPUT"]);
}

#[tokio::test]
async fn a_browser_gets_graphiql_from_get_graphql() {
    let app = spawn_app().await;
    let response = app
        .http
        .get(format!("{}/graphql", app.gateway))
        .header("accept", "text/html")
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), 200);
    let html = response.text().await.expect("html");
    assert!(
        html.contains("graphiql") || html.contains("GraphiQL"),
        "{html}"
    );
    assert!(html.contains("/graphql/ws"));
}

#[tokio::test]
async fn health_and_ready_answer_json() {
    let app = spawn_app().await;
    for path in ["/health", "/ready"] {
        let response = app
            .http
            .get(format!("{}{path}", app.gateway))
            .send()
            .await
            .expect("get");
        assert_eq!(response.status(), 200, "{path}");
        let body: Value = response.json().await.expect("json");
        assert!(body["status"].is_string());
    }
}

#[tokio::test]
async fn malformed_bodies_and_queries_get_json_errors_with_codes() {
    let app = spawn_app().await;
    let url = format!("{}/graphql", app.gateway);
    let response = app
        .http
        .post(&url)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 400);
    assert_eq!(
        error_codes(&response.json().await.expect("json")),
        vec!["BAD_USER_INPUT"]
    );
    let answer = app.graphql("{ issues(jql: ").await;
    assert_eq!(error_codes(&answer), vec!["BAD_USER_INPUT"], "{answer}");
    let answer = app.graphql("{ noSuchField }").await;
    assert_eq!(error_codes(&answer), vec!["BAD_USER_INPUT"], "{answer}");
    let answer = app
        .graphql(r#"{ issue(key: "DEMO-1 OR 1=1") { key } }"#)
        .await;
    assert_eq!(error_codes(&answer), vec!["BAD_USER_INPUT"], "{answer}");
}

#[tokio::test]
async fn a_huge_body_is_refused_with_413_and_json() {
    let app = spawn_app().await;
    let padding = "x".repeat(2 * 1024 * 1024);
    let response = app
        .http
        .post(format!("{}/graphql", app.gateway))
        .json(&json!({ "query": "{ viewer { displayName } }", "variables": { "pad": padding } }))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 413);
    assert_eq!(
        error_codes(&response.json().await.expect("json")),
        vec!["BAD_USER_INPUT"]
    );
}

#[tokio::test]
async fn graphiql_and_other_tools_can_read_the_schema_by_introspection() {
    let app = spawn_app().await;
    // The introspection query GraphiQL sends nests `ofType` 7 levels deep (depth 15).
    let of_type = (0..7).fold(String::from("kind name"), |inner, _| {
        format!("kind name ofType {{ {inner} }}")
    });
    let query = format!(
        "{{ __schema {{ queryType {{ name }} types {{ name fields {{ name type {{ {of_type} }} }} }} }} }}"
    );
    let answer = app.graphql(&query).await;
    assert!(answer["errors"].is_null(), "{}", answer["errors"]);
    assert_eq!(answer["data"]["__schema"]["queryType"]["name"], "QueryRoot");
}

#[tokio::test]
async fn oversized_pages_deep_queries_and_costly_queries_are_refused() {
    let app = spawn_app().await;
    app.reset_log();
    let answer = app
        .graphql(r#"{ issues(jql: "project = DEMO", first: 1000) { edges { node { key } } } }"#)
        .await;
    assert_eq!(error_codes(&answer), vec!["BAD_USER_INPUT"], "{answer}");
    let deep = format!(
        "{{ issue(key: \"DEMO-1\") {{ {} key {} }} }}",
        "parent { ".repeat(20),
        "} ".repeat(20)
    );
    let answer = app.graphql(&deep).await;
    assert_eq!(error_codes(&answer), vec!["QUERY_TOO_COMPLEX"], "{answer}");
    let costly = r#"{ a: issues(jql: "project = DEMO", first: 100) { edges { node { comments(first: 100) { edges { node { author { displayName } body { text html markdown } } } } } } }
                     b: issues(jql: "project = OPS", first: 100) { edges { node { comments(first: 100) { edges { node { author { displayName } body { text html markdown } } } } } } } }"#;
    let answer = app.graphql(costly).await;
    assert_eq!(error_codes(&answer), vec!["QUERY_TOO_COMPLEX"], "{answer}");
    // Parsed documents are cached by their text; a repeat is checked again all the same.
    for query in [deep.as_str(), costly] {
        let answer = app.graphql(query).await;
        assert_eq!(error_codes(&answer), vec!["QUERY_TOO_COMPLEX"], "{answer}");
    }
    assert!(
        app.jira_calls().is_empty(),
        "refused queries reach Jira: {:?}",
        app.jira_calls()
    );
}

#[tokio::test]
async fn a_repeated_query_text_runs_with_each_request_s_own_variables_and_operation() {
    let app = spawn_app().await;
    let query = "query One($key: String!) { issue(key: $key) { key } }
                 query Two { viewer { accountId } }";
    for key in ["DEMO-1", "DEMO-2", "DEMO-1"] {
        let answer = post(
            &app,
            json!({ "query": query, "operationName": "One", "variables": { "key": key } }),
        )
        .await;
        assert_eq!(answer["data"]["issue"]["key"], key, "{answer}");
    }
    let answer = post(&app, json!({ "query": query, "operationName": "Two" })).await;
    assert!(
        answer["data"]["viewer"]["accountId"].is_string(),
        "{answer}"
    );
    // A query that does not parse is never cached and keeps failing the same way.
    for _ in 0..2 {
        let answer = app.graphql("{ issue(key: ").await;
        assert_eq!(error_codes(&answer), vec!["BAD_USER_INPUT"], "{answer}");
    }
}

async fn post(app: &crate::helpers::TestApp, body: Value) -> Value {
    let url = format!("{}/graphql", app.gateway);
    let response = app.http.post(url).json(&body).send().await.expect("answer");
    response.json().await.expect("JSON answer")
}
