//! Read queries and how many Jira calls they cost (counted in the simulated site's log).

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::helpers::{
    error_codes, gateway_config, spawn_app, spawn_app_with, spawn_gateway, spawn_site,
};

/// The 50-card board a client loads (also sent both ways in `fast_path`).
pub(super) const BOARD: &str = r#"
query Board($jql: String!) {
  issues(jql: $jql, first: 50) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      key summary
      status { name category { key } }
      assignee { accountId displayName avatarUrl }
      priority { name }
      labels
      transitions { id name to { name } }
      comments(first: 3) { totalCount edges { node { author { displayName } body { text } } } }
    } }
  }
}"#;

#[tokio::test]
async fn a_fifty_card_board_costs_at_most_two_jira_calls() {
    let app = spawn_app().await;
    app.reset_log();
    let answer = app
        .graphql_with(BOARD, json!({ "jql": "project = DEMO ORDER BY key ASC" }))
        .await;
    assert!(answer["errors"].is_null(), "{answer}");
    let edges = answer["data"]["issues"]["edges"].as_array().expect("edges");
    assert_eq!(edges.len(), 50);
    let calls = app.jira_calls();
    assert!(calls.len() <= 2, "{calls:?}");
    // Transitions and comments came inside the search answer.
    assert!(
        edges.iter().all(|e| e["node"]["transitions"]
            .as_array()
            .is_some_and(|t| !t.is_empty())),
        "{answer}"
    );
    let with_comments = edges
        .iter()
        .filter(|e| e["node"]["comments"]["totalCount"].as_i64().unwrap_or(0) > 0)
        .count();
    assert!(with_comments > 10, "{with_comments}");
    assert!(edges.iter().all(|e| {
        e["node"]["comments"]["edges"]
            .as_array()
            .is_some_and(|c| c.len() <= 3)
    }));
}

/// A board reads only the embedded comments it shows (`comments(first: n)` with n ≤ 20 skips
/// the others while decoding); the pages must still be the site's own, counts included.
#[tokio::test]
async fn comment_pages_on_a_board_match_the_site_whatever_is_left_unread() {
    let app = spawn_app().await;
    // Several first pages (the widest is kept), and in a second query a later page too,
    // which the gateway answers from the whole embedded page instead.
    let first_pages = r#"query($jql: String!) { issues(jql: $jql, first: 50) { edges { node {
        key
        c2: comments(first: 2) { totalCount pageInfo { hasNextPage } edges { node { id } } }
        c5: comments(first: 5) { totalCount pageInfo { hasNextPage } edges { node { id } } }
    } } } }"#;
    let later_page = r#"query($jql: String!, $after: String) { issues(jql: $jql, first: 50) { edges { node {
        key
        c2: comments(first: 2) { totalCount edges { node { id } } }
        next: comments(first: 3, after: $after) { totalCount pageInfo { hasNextPage } edges { node { id } } }
    } } } }"#;
    let after_first = jira_gateway::graphql::types::encode_offset(0);
    let jql = "project = DEMO ORDER BY key ASC";
    for (query, variables) in [
        (first_pages, json!({ "jql": jql })),
        (later_page, json!({ "jql": jql, "after": after_first })),
    ] {
        app.reset_log();
        let answer = app.graphql_with(query, variables).await;
        assert!(answer["errors"].is_null(), "{answer}");
        assert_eq!(app.jira_calls(), ["POST /rest/api/3/search/jql"]);
        let data = app.site.state.data.read();
        let mut checked_long = 0;
        for edge in answer["data"]["issues"]["edges"].as_array().expect("edges") {
            let node = &edge["node"];
            let key = node["key"].as_str().expect("key");
            let issue = data
                .issues
                .values()
                .find(|i| i.key == key)
                .expect("issue on the site");
            let ids: Vec<String> = issue.comments.iter().map(|c| c.id.to_string()).collect();
            if ids.len() > 5 {
                checked_long += 1;
            }
            for (alias, from, len) in [("c2", 0, 2), ("c5", 0, 5), ("next", 1, 3)] {
                let page = &node[alias];
                if page.is_null() {
                    continue;
                }
                let got: Vec<&str> = page["edges"]
                    .as_array()
                    .expect("edges")
                    .iter()
                    .map(|e| e["node"]["id"].as_str().expect("id"))
                    .collect();
                let want: Vec<&str> = ids
                    .iter()
                    .skip(from)
                    .take(len)
                    .map(String::as_str)
                    .collect();
                assert_eq!(got, want, "{key} {alias}");
                assert_eq!(page["totalCount"], ids.len(), "{key} {alias}");
                if !page["pageInfo"].is_null() {
                    assert_eq!(
                        page["pageInfo"]["hasNextPage"],
                        ids.len() > from + len,
                        "{key} {alias}"
                    );
                }
            }
        }
        assert!(checked_long >= 3, "the board has issues with many comments");
    }
}

#[tokio::test]
async fn forty_aliased_issue_fields_are_one_jira_call() {
    let app = spawn_app().await;
    let fields: String = (1..=40)
        .map(|n| format!("i{n}: issue(key: \"DEMO-{n}\") {{ key summary status {{ name }} }}\n"))
        .collect();
    app.reset_log();
    let answer = app.graphql(&format!("{{ {fields} }}")).await;
    assert!(answer["errors"].is_null(), "{answer}");
    assert_eq!(answer["data"]["i17"]["key"], "DEMO-17");
    assert_eq!(
        app.jira_calls(),
        vec!["POST /rest/api/3/issue/bulkfetch".to_string()]
    );
}

#[tokio::test]
async fn one_issue_with_description_comments_changelog_and_transitions_is_at_most_three_calls() {
    let app = spawn_app().await;
    // An issue with more comments than Jira embeds (20) exercises the comment page call.
    let busy = app
        .graphql(r#"{ issues(jql: "project = DEMO ORDER BY key ASC", first: 100) { edges { node { key comments(first: 1) { totalCount } } } } }"#)
        .await;
    let key = busy["data"]["issues"]["edges"]
        .as_array()
        .and_then(|edges| {
            edges
                .iter()
                .find(|e| e["node"]["comments"]["totalCount"].as_i64().unwrap_or(0) > 20)
        })
        .map(|e| e["node"]["key"].as_str().unwrap_or_default().to_string())
        .expect("an issue with more than 20 comments in the first 100");
    app.reset_log();
    let query = format!(
        r#"{{ issue(key: "{key}") {{
            key description {{ text markdown html }}
            comments(first: 25) {{ totalCount edges {{ node {{ id author {{ displayName }} body {{ text }} }} }} }}
            changelog(first: 10) {{ totalCount edges {{ node {{ created items {{ field fromString toString }} }} }} }}
            transitions {{ id name }}
        }} }}"#
    );
    let answer = app.graphql(&query).await;
    assert!(answer["errors"].is_null(), "{answer}");
    let comments = answer["data"]["issue"]["comments"]["edges"]
        .as_array()
        .expect("comments");
    assert!(comments.len() > 20, "{}", comments.len());
    let calls = app.jira_calls();
    assert!(calls.len() <= 3, "{calls:?}");
}

#[tokio::test]
async fn paging_a_project_fifty_at_a_time_is_one_call_per_page_and_visits_each_issue_once() {
    let app = spawn_app().await;
    let query = r#"query Page($after: String) {
        issues(jql: "project = DEMO ORDER BY key ASC", first: 50, after: $after) {
            pageInfo { hasNextPage endCursor } edges { node { key } } } }"#;
    let mut after = Value::Null;
    let mut keys = Vec::new();
    let mut pages = 0;
    app.reset_log();
    loop {
        let answer = app.graphql_with(query, json!({ "after": after })).await;
        assert!(answer["errors"].is_null(), "{answer}");
        let connection = &answer["data"]["issues"];
        keys.extend(
            connection["edges"]
                .as_array()
                .expect("edges")
                .iter()
                .map(|e| e["node"]["key"].as_str().unwrap_or_default().to_string()),
        );
        pages += 1;
        if connection["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = connection["pageInfo"]["endCursor"].clone();
        assert!(pages < 20, "paging does not end");
    }
    let distinct: HashSet<&String> = keys.iter().collect();
    assert!(keys.len() >= 300, "{}", keys.len());
    assert_eq!(distinct.len(), keys.len(), "an issue came twice");
    assert_eq!(app.jira_calls().len(), pages, "{:?}", app.jira_calls());
}

#[tokio::test]
async fn total_count_is_fetched_only_when_selected() {
    let app = spawn_app().await;
    app.reset_log();
    let answer = app
        .graphql(r#"{ issues(jql: "project = OPS", first: 1) { edges { node { key } } } }"#)
        .await;
    assert!(answer["errors"].is_null(), "{answer}");
    assert_eq!(
        app.jira_calls(),
        vec!["POST /rest/api/3/search/jql".to_string()]
    );
    app.reset_log();
    let answer = app
        .graphql(r#"{ issues(jql: "project = OPS", first: 1) { totalCount } }"#)
        .await;
    assert!(
        answer["data"]["issues"]["totalCount"].as_i64().unwrap_or(0) > 50,
        "{answer}"
    );
    assert!(
        app.jira_calls()
            .contains(&"POST /rest/api/3/search/approximate-count".to_string())
    );
}

#[tokio::test]
async fn cursors_from_the_middle_of_a_page_continue_after_that_issue() {
    let app = spawn_app().await;
    let first = app.graphql(r#"{ issues(jql: "project = DEMO ORDER BY key ASC", first: 5) { edges { cursor node { key } } } }"#).await;
    let edges = first["data"]["issues"]["edges"]
        .as_array()
        .expect("edges")
        .clone();
    let cursor = edges[1]["cursor"].clone();
    let next = app
        .graphql_with(
            r#"query($after: String) { issues(jql: "project = DEMO ORDER BY key ASC", first: 2, after: $after) { edges { node { key } } } }"#,
            json!({ "after": cursor }),
        )
        .await;
    let keys: Vec<&str> = next["data"]["issues"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter_map(|e| e["node"]["key"].as_str())
        .collect();
    assert_eq!(
        keys,
        vec![
            edges[2]["node"]["key"].as_str().unwrap_or_default(),
            edges[3]["node"]["key"].as_str().unwrap_or_default()
        ]
    );
}

#[tokio::test]
async fn filters_become_quoted_jql_that_no_value_can_escape() {
    let app = spawn_app().await;
    let answer = app
        .graphql_with(
            r#"query($f: IssueFilter) { issues(filter: $f, first: 5) { jql edges { node { key } } } }"#,
            json!({ "f": { "projectKeys": ["x\" OR project = SEC OR project = \"y"], "labels": ["a) OR (project = SEC"] } }),
        )
        .await;
    // Jira reports the odd project value as unknown; no SEC issue can come back either way.
    let text = answer.to_string();
    assert!(!text.contains("\"SEC-"), "{answer}");
    assert_eq!(error_codes(&answer), vec!["INVALID_JQL"], "{answer}");
}

#[tokio::test]
async fn a_structured_filter_finds_what_it_describes() {
    let app = spawn_app().await;
    let answer = app
        .graphql(r#"{ issues(filter: { projectKeys: ["DEMO"], statusCategories: [DONE], assignees: ["unassigned"] }, orderBy: [{ field: KEY, direction: DESC }], first: 20) {
            jql edges { node { key status { category { key } } assignee { accountId } } } } }"#)
        .await;
    assert!(answer["errors"].is_null(), "{answer}");
    let edges = answer["data"]["issues"]["edges"].as_array().expect("edges");
    assert!(!edges.is_empty(), "{answer}");
    for edge in edges {
        assert_eq!(edge["node"]["status"]["category"]["key"], "DONE");
        assert!(edge["node"]["assignee"].is_null());
        assert!(
            edge["node"]["key"]
                .as_str()
                .unwrap_or_default()
                .starts_with("DEMO-")
        );
    }
}

#[tokio::test]
async fn the_viewer_cannot_see_sec_issues_through_any_read_path() {
    let app = spawn_app_with(Default::default(), "viewer@demo.test", |_| {}).await;
    let answer = app
        .graphql(r#"{ sec: issue(key: "SEC-1") { key summary } demo: issue(key: "DEMO-1") { key } projects { key } }"#)
        .await;
    assert!(answer["errors"].is_null(), "{answer}");
    assert!(answer["data"]["sec"].is_null());
    assert_eq!(answer["data"]["demo"]["key"], "DEMO-1");
    let projects: Vec<&str> = answer["data"]["projects"]
        .as_array()
        .expect("projects")
        .iter()
        .filter_map(|p| p["key"].as_str())
        .collect();
    assert_eq!(projects, vec!["DEMO", "OPS"]);
    let search = app
        .graphql(r#"{ issues(jql: "project = SEC", first: 5) { edges { node { key } } } }"#)
        .await;
    assert_eq!(error_codes(&search), vec!["INVALID_JQL"], "{search}");
    assert!(
        search["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("does not exist"),
        "{search}"
    );
    let text = app
        .graphql(r#"{ search(text: "a", first: 100) { edges { node { key } } } }"#)
        .await;
    assert!(!text.to_string().contains("\"SEC-"), "{text}");
}

#[tokio::test]
async fn rich_text_comes_as_adf_text_markdown_and_escaped_html() {
    let app = spawn_app().await;
    let answer = app
        .graphql(r#"{ issues(jql: "project = DEMO AND description is not EMPTY", first: 30) { edges { node { key description { adf text markdown html } } } } }"#)
        .await;
    assert!(answer["errors"].is_null(), "{answer}");
    for edge in answer["data"]["issues"]["edges"].as_array().expect("edges") {
        let description = &edge["node"]["description"];
        assert_eq!(description["adf"]["type"], "doc");
        assert!(!description["text"].as_str().unwrap_or_default().is_empty());
        let html = description["html"].as_str().unwrap_or_default();
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
    }
}

#[tokio::test]
async fn odd_nulls_from_jira_are_nulls_not_errors() {
    let app = spawn_app().await;
    let answer = app
        .graphql(r#"{ issues(jql: "priority is EMPTY OR reporter is EMPTY OR assignee is EMPTY", first: 20) {
            edges { node { key priority { name } reporter { displayName } assignee { displayName } dueDate parent { key } description { text } } } } }"#)
        .await;
    assert!(answer["errors"].is_null(), "{answer}");
    let edges = answer["data"]["issues"]["edges"].as_array().expect("edges");
    assert!(
        edges
            .iter()
            .any(|e| e["node"]["priority"].is_null() || e["node"]["reporter"].is_null()),
        "{answer}"
    );
}

#[tokio::test]
async fn custom_fields_carry_their_names_types_and_readable_text() {
    let app = spawn_app().await;
    let answer = app
        .graphql(r#"{ issues(jql: "project = DEMO AND cf[10031] is not EMPTY", first: 5) { edges { node { key
            customFields { id name type value text }
            team: customField(id: "customfield_10031") { name type text } } } } }"#)
        .await;
    assert!(answer["errors"].is_null(), "{answer}");
    let node = &answer["data"]["issues"]["edges"][0]["node"];
    assert_eq!(node["team"]["name"], "Team");
    assert_eq!(node["team"]["type"], "OPTION");
    assert!(
        ["Platform", "Mobile", "Payments", "Data"]
            .contains(&node["team"]["text"].as_str().unwrap_or_default()),
        "{node}"
    );
    assert!(
        node["customFields"]
            .as_array()
            .is_some_and(|f| f.iter().any(|f| f["id"] == "customfield_10031"))
    );
}

/// Custom fields' names and types come from `GET /field`: read once per site and credentials
/// for a while, not once per request, and never from what another caller's credentials read.
#[tokio::test]
async fn field_definitions_are_read_once_per_credentials_not_per_request() {
    let site = spawn_site(jira_gateway::sim::SimConfig::default()).await;
    let admin = spawn_gateway(gateway_config(&site, site.base_url(), "admin@demo.test")).await;
    let viewer = spawn_gateway(gateway_config(&site, site.base_url(), "viewer@demo.test")).await;
    let http = reqwest::Client::new();
    let query = r#"{ issues(jql: "project = DEMO AND cf[10031] is not EMPTY", first: 2) {
        edges { node { team: customField(id: "customfield_10031") { name type } } } } }"#;
    let ask = |gateway: String| {
        let http = http.clone();
        async move {
            let answer: Value = http
                .post(format!("{gateway}/graphql"))
                .json(&json!({ "query": query }))
                .send()
                .await
                .expect("gateway answers")
                .json()
                .await
                .expect("JSON");
            assert!(answer["errors"].is_null(), "{answer}");
            assert_eq!(
                answer["data"]["issues"]["edges"][0]["node"]["team"]["name"],
                "Team"
            );
        }
    };
    let field_calls = || {
        site.log()
            .entries()
            .iter()
            .filter(|e| e.path.ends_with("/rest/api/3/field"))
            .count()
    };
    site.log().clear();
    ask(admin.clone()).await;
    // Three more at once: all from the kept definitions.
    tokio::join!(ask(admin.clone()), ask(admin.clone()), ask(admin));
    assert_eq!(field_calls(), 1);
    // Another user's credentials read their own.
    ask(viewer.clone()).await;
    ask(viewer).await;
    assert_eq!(field_calls(), 2);
}

#[tokio::test]
async fn stats_count_by_status_priority_assignee_and_type() {
    let app = spawn_app().await;
    let answer = app.graphql(r#"{ stats(jql: "project = OPS") { total complete byStatus { name count } byPriority { name count } byIssueType { name count } byAssignee { name count } } }"#).await;
    assert!(answer["errors"].is_null(), "{answer}");
    let stats = &answer["data"]["stats"];
    let total = stats["total"].as_i64().expect("total");
    for group in ["byStatus", "byPriority", "byIssueType", "byAssignee"] {
        let sum: i64 = stats[group]
            .as_array()
            .expect("groups")
            .iter()
            .filter_map(|g| g["count"].as_i64())
            .sum();
        assert_eq!(sum, total, "{group}");
    }
}

#[tokio::test]
async fn jql_helpers_suggest_and_validate() {
    let app = spawn_app_with(Default::default(), "viewer@demo.test", |_| {}).await;
    let answer = app
        .graphql(
            r#"{ jqlSuggestions(field: "project", prefix: "") { value displayName }
            good: validateJql(jql: "project = DEMO") { valid errors }
            bad: validateJql(jql: "project = = DEMO") { valid errors } }"#,
        )
        .await;
    assert!(answer["errors"].is_null(), "{answer}");
    let values: Vec<&str> = answer["data"]["jqlSuggestions"]
        .as_array()
        .expect("suggestions")
        .iter()
        .filter_map(|s| s["value"].as_str())
        .collect();
    // Jira suggests project names (`Demo Board`), and never a project the caller cannot browse.
    assert!(
        values.contains(&"Demo Board") && !values.contains(&"Security"),
        "{values:?}"
    );
    assert_eq!(answer["data"]["good"]["valid"], true);
    assert_eq!(answer["data"]["bad"]["valid"], false);
    assert!(
        !answer["data"]["bad"]["errors"]
            .as_array()
            .expect("errors")
            .is_empty()
    );
}

#[tokio::test]
async fn full_text_search_accepts_any_characters_and_finds_thai_and_russian_words() {
    let app = spawn_app().await;
    let odd = app.graphql(r#"{ search(text: "C++ foo-bar (v2) \"quoted\" back\\slash a:b *", first: 5) { edges { node { key } } } }"#).await;
    assert!(odd["errors"].is_null(), "{odd}");
    // Words taken from the seeded data: an issue summary in Thai and one in Russian.
    let summaries = app.graphql(r#"{ issues(jql: "project = DEMO ORDER BY key ASC", first: 100) { edges { node { key summary } } } }"#).await;
    let edges = summaries["data"]["issues"]["edges"]
        .as_array()
        .expect("edges")
        .clone();
    for script in [('\u{0E00}', '\u{0E7F}'), ('\u{0400}', '\u{04FF}')] {
        let (key, summary) = edges
            .iter()
            .map(|e| {
                (
                    e["node"]["key"].as_str().unwrap_or_default(),
                    e["node"]["summary"].as_str().unwrap_or_default(),
                )
            })
            .find(|(_, s)| s.chars().any(|c| (script.0..=script.1).contains(&c)))
            .expect("a summary in this script");
        let word: String = summary.chars().take(6).collect();
        let found = app.graphql_with(r#"query($t: String!) { search(text: $t, projectKeys: ["DEMO"], first: 100) { edges { node { key } } } }"#, json!({ "t": word })).await;
        assert!(found["errors"].is_null(), "{found}");
        let keys: Vec<&str> = found["data"]["search"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .filter_map(|e| e["node"]["key"].as_str())
            .collect();
        assert!(keys.contains(&key), "{word} should find {key}: {keys:?}");
    }
}
