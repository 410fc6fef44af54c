//! `search/jql` (GET and POST) and `search/approximate-count`.

use std::collections::BTreeSet;

use jira_gateway::sim::SimConfig;
use reqwest::StatusCode;
use serde_json::json;

use super::{ADMIN, Sim, VIEWER, ids, keys};

/// Every id of `jql` in one ids-only request.
async fn all_ids(sim: &Sim, user: &str, jql: &str) -> Vec<u64> {
    let answer = sim
        .post(
            user,
            "/search/jql",
            &json!({ "jql": jql, "maxResults": 5000 }),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    assert_eq!(answer.body["isLast"], true);
    ids(&answer.body)
}

#[tokio::test]
async fn search_returns_only_ids_by_default() {
    let sim = Sim::start().await;

    let post = sim
        .post(
            ADMIN,
            "/search/jql",
            &json!({ "jql": "project = DEMO", "maxResults": 3 }),
        )
        .await;
    let get = sim
        .get(ADMIN, "/search/jql?jql=project%20%3D%20DEMO&maxResults=3")
        .await;

    for answer in [post, get] {
        assert_eq!(answer.status, StatusCode::OK);
        let issues = answer.body["issues"].as_array().expect("issues");
        assert_eq!(issues.len(), 3);
        for issue in issues {
            let keys: Vec<&String> = issue.as_object().expect("object").keys().collect();
            assert_eq!(keys, vec!["id"]);
        }
        assert!(answer.body.get("total").is_none());
        assert!(answer.body.get("startAt").is_none());
    }
}

#[tokio::test]
async fn search_returns_exactly_the_fields_asked_for() {
    let sim = Sim::start().await;

    let post = sim
        .post(
            ADMIN,
            "/search/jql",
            &json!({ "jql": "project = DEMO", "maxResults": 2, "fields": ["summary", "status"] }),
        )
        .await;
    let get = sim
        .get(
            ADMIN,
            "/search/jql?jql=project%3DDEMO&maxResults=2&fields=summary,status",
        )
        .await;

    for answer in [post, get] {
        let issue = &answer.body["issues"][0];
        assert!(
            issue["key"]
                .as_str()
                .is_some_and(|k| k.starts_with("DEMO-"))
        );
        assert!(issue["self"].is_string());
        let fields: BTreeSet<&String> = issue["fields"]
            .as_object()
            .expect("fields")
            .keys()
            .collect();
        assert_eq!(
            fields,
            BTreeSet::from([&"status".to_string(), &"summary".to_string()])
        );
        assert!(issue["fields"]["status"]["statusCategory"]["key"].is_string());
    }
}

#[tokio::test]
async fn search_expands_transitions_rendered_fields_and_names() {
    let sim = Sim::start().await;
    let issue =
        sim.issue_where(|i| i.project == "DEMO" && i.status == "10000" && i.description.is_some());

    let answer = sim
        .post(ADMIN, "/search/jql", &json!({ "jql": format!("key = {}", issue.key), "fields": ["summary", "description"], "expand": "transitions,renderedFields,names" }))
        .await;

    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    let found = &answer.body["issues"][0];
    assert_eq!(found["key"], issue.key.as_str());
    let transitions: Vec<&str> = found["transitions"]
        .as_array()
        .expect("transitions")
        .iter()
        .map(|t| t["name"].as_str().expect("name"))
        .collect();
    assert_eq!(transitions, vec!["Start Progress"]);
    let html = found["renderedFields"]["description"]
        .as_str()
        .expect("rendered description");
    assert!(html.contains('<'), "{html}");
    assert_eq!(answer.body["names"]["summary"], "Summary");
    assert_eq!(answer.body["names"]["description"], "Description");
}

#[tokio::test]
async fn search_expands_at_most_20_changelog_entries_newest_first() {
    // Arrange: 25 edits on top of the seeded history
    let sim = Sim::with(SimConfig {
        issues: 50,
        ..SimConfig::default()
    })
    .await;
    let issue = sim.issue_where(|i| i.project == "DEMO");
    for n in 0..25 {
        let edit = sim
            .put(
                ADMIN,
                &format!("/issue/{}", issue.key),
                &json!({ "fields": { "summary": format!("Edit {n}") } }),
            )
            .await;
        assert_eq!(edit.status, StatusCode::NO_CONTENT);
    }

    // Act
    let answer = sim
        .post(
            ADMIN,
            "/search/jql",
            &json!({ "jql": format!("key = {}", issue.key), "expand": "changelog" }),
        )
        .await;

    // Assert
    let changelog = &answer.body["issues"][0]["changelog"];
    let histories = changelog["histories"].as_array().expect("histories");
    assert_eq!(histories.len(), 20);
    assert_eq!(changelog["total"], issue.changelog.len() + 25);
    assert_eq!(histories[0]["items"][0]["toString"], "Edit 24");
    assert_eq!(histories[19]["items"][0]["toString"], "Edit 5");
    let created: Vec<&str> = histories
        .iter()
        .map(|h| h["created"].as_str().expect("created"))
        .collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]), "{created:?}");
}

#[tokio::test]
async fn paging_with_next_page_token_visits_every_issue_exactly_once() {
    let sim = Sim::start().await;
    let expected = all_ids(&sim, ADMIN, "project = DEMO").await;
    assert!(expected.len() > 100);

    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut request =
            json!({ "jql": "project = DEMO", "maxResults": 37, "fields": ["summary"] });
        if let Some(token) = &token {
            request["nextPageToken"] = json!(token);
        }
        let page = sim.post(ADMIN, "/search/jql", &request).await;
        assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
        pages += 1;
        seen.extend(ids(&page.body));
        if page.body["isLast"] == true {
            assert!(page.body.get("nextPageToken").is_none());
            break;
        }
        assert_eq!(page.body["issues"].as_array().map(Vec::len), Some(37));
        token = Some(
            page.body["nextPageToken"]
                .as_str()
                .expect("a token on every page but the last")
                .to_string(),
        );
        assert!(pages < 100, "paging does not end");
    }

    assert_eq!(seen, expected);
    assert_eq!(pages, expected.len().div_ceil(37));
}

#[tokio::test]
async fn get_search_pages_with_the_token_too() {
    let sim = Sim::start().await;
    let expected = all_ids(&sim, ADMIN, "project = OPS").await;

    let first = sim
        .get(ADMIN, "/search/jql?jql=project%3DOPS&maxResults=50")
        .await;
    let token = first.body["nextPageToken"]
        .as_str()
        .expect("token")
        .to_string();
    let second = sim
        .get(
            ADMIN,
            &format!("/search/jql?jql=project%3DOPS&maxResults=5000&nextPageToken={token}"),
        )
        .await;

    let mut seen = ids(&first.body);
    seen.extend(ids(&second.body));
    assert_eq!(seen, expected);
    assert_eq!(second.body["isLast"], true);
}

#[tokio::test]
async fn max_results_is_capped_at_100_with_fields() {
    let sim = Sim::start().await;

    let answer = sim
        .post(
            ADMIN,
            "/search/jql",
            &json!({ "jql": "project = DEMO", "maxResults": 1000, "fields": ["summary"] }),
        )
        .await;

    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body["issues"].as_array().map(Vec::len), Some(100));
    assert_eq!(answer.body["isLast"], false);
}

#[tokio::test]
async fn max_results_is_capped_at_5000_with_ids_only() {
    let sim = Sim::with(SimConfig {
        issues: 5_200,
        ..SimConfig::default()
    })
    .await;

    let answer = sim
        .post(
            ADMIN,
            "/search/jql",
            &json!({ "jql": "project in (DEMO, OPS, SEC)", "maxResults": 10000 }),
        )
        .await;

    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body["issues"].as_array().map(Vec::len), Some(5000));
    assert_eq!(answer.body["isLast"], false);
    let token = answer.body["nextPageToken"].as_str().expect("token");
    let rest = sim.post(ADMIN, "/search/jql", &json!({ "jql": "project in (DEMO, OPS, SEC)", "maxResults": 10000, "nextPageToken": token })).await;
    assert_eq!(rest.body["issues"].as_array().map(Vec::len), Some(200));
    assert_eq!(rest.body["isLast"], true);
}

#[tokio::test]
async fn a_page_token_from_another_query_is_refused() {
    let sim = Sim::start().await;
    let first = sim
        .post(
            ADMIN,
            "/search/jql",
            &json!({ "jql": "project = DEMO", "maxResults": 10 }),
        )
        .await;
    let token = first.body["nextPageToken"].as_str().expect("token");

    let answer = sim
        .post(
            ADMIN,
            "/search/jql",
            &json!({ "jql": "project = OPS", "nextPageToken": token }),
        )
        .await;
    let garbage = sim
        .post(
            ADMIN,
            "/search/jql",
            &json!({ "jql": "project = DEMO", "nextPageToken": "not-a-token" }),
        )
        .await;

    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer.messages(),
        vec!["The provided next page token is invalid or expired."]
    );
    assert_eq!(garbage.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_post_search_with_an_unknown_property_is_refused() {
    let sim = Sim::start().await;

    let answer = sim
        .post(
            ADMIN,
            "/search/jql",
            &json!({ "jql": "project = DEMO", "startAt": 10 }),
        )
        .await;

    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(
        answer.messages()[0].contains("startAt"),
        "{:?}",
        answer.body
    );
}

#[tokio::test]
async fn approximate_count_counts_the_issues_the_caller_may_see() {
    let sim = Sim::start().await;
    let admin_ids = all_ids(&sim, ADMIN, "project in (DEMO, OPS) OR project = SEC").await;
    let visible = sim.issues_where(|i| i.project != "SEC").len();

    let admin = sim
        .post(
            ADMIN,
            "/search/approximate-count",
            &json!({ "jql": "project in (DEMO, OPS) OR project = SEC" }),
        )
        .await;
    let viewer = sim
        .post(
            VIEWER,
            "/search/approximate-count",
            &json!({ "jql": "project in (DEMO, OPS)" }),
        )
        .await;
    let unbounded = sim
        .post(VIEWER, "/search/approximate-count", &json!({ "jql": "" }))
        .await;

    assert_eq!(admin.status, StatusCode::OK);
    assert_eq!(admin.body, json!({ "count": admin_ids.len() }));
    assert_eq!(admin_ids.len(), 500);
    assert_eq!(viewer.body, json!({ "count": visible }));
    assert_eq!(unbounded.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_viewer_never_finds_sec_issues() {
    let sim = Sim::start().await;

    let answer = sim
        .post(
            VIEWER,
            "/search/jql",
            &json!({ "jql": "created >= -3650d", "maxResults": 100, "fields": ["project"] }),
        )
        .await;
    let all = all_ids(&sim, VIEWER, "created >= -3650d").await;

    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    assert!(keys(&answer.body).iter().all(|k| !k.starts_with("SEC-")));
    assert_eq!(all.len(), sim.issues_where(|i| i.project != "SEC").len());
    let sec: BTreeSet<u64> = sim
        .issues_where(|i| i.project == "SEC")
        .iter()
        .map(|i| i.id)
        .collect();
    assert!(all.iter().all(|id| !sec.contains(id)));
}

#[tokio::test]
async fn star_all_with_an_exclusion_and_star_navigable_leave_out_fields() {
    let sim = Sim::start().await;
    let issue = sim
        .issue_where(|i| i.project == "DEMO" && i.description.is_some() && !i.comments.is_empty());
    let jql = format!("key = {}", issue.key);

    let all_but = sim
        .post(
            ADMIN,
            "/search/jql",
            &json!({ "jql": jql, "fields": ["*all", "-description"] }),
        )
        .await;
    let navigable = sim
        .post(
            ADMIN,
            "/search/jql",
            &json!({ "jql": jql, "fields": ["*navigable"] }),
        )
        .await;

    let fields = &all_but.body["issues"][0]["fields"];
    assert!(fields.get("description").is_none());
    assert_eq!(fields["comment"]["total"], issue.comments.len());
    assert!(fields.get("customfield_10030").is_some());
    let fields = &navigable.body["issues"][0]["fields"];
    assert!(fields.get("comment").is_none());
    assert!(fields.get("summary").is_some() && fields.get("description").is_some());
}

#[tokio::test]
async fn search_refuses_too_many_properties_or_reconciled_issues() {
    let sim = Sim::start().await;

    let properties = sim
        .post(
            ADMIN,
            "/search/jql",
            &json!({ "jql": "project = DEMO", "properties": ["a", "b", "c", "d", "e", "f"] }),
        )
        .await;
    let reconcile: Vec<i64> = (10_000..10_051).collect();
    let reconciled = sim
        .post(
            ADMIN,
            "/search/jql",
            &json!({ "jql": "project = DEMO", "reconcileIssues": reconcile }),
        )
        .await;

    assert_eq!(properties.status, StatusCode::BAD_REQUEST);
    assert_eq!(reconciled.status, StatusCode::BAD_REQUEST);
}
