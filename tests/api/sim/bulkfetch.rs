//! `issue/bulkfetch`: issues by id or key, in ascending id order, the invisible ones left out.

use jira_gateway::sim::SimConfig;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{ADMIN, Sim, VIEWER, adf, ids};

#[tokio::test]
async fn bulkfetch_answers_in_ascending_id_order_whatever_the_request_order() {
    let sim = Sim::start().await;
    let picked: Vec<_> = sim
        .issues_where(|i| i.project == "DEMO")
        .into_iter()
        .take(5)
        .collect();
    let request: Vec<Value> = picked.iter().rev().map(|i| json!(i.key)).collect();

    let answer = sim
        .post(
            ADMIN,
            "/issue/bulkfetch",
            &json!({ "issueIdsOrKeys": request, "fields": ["summary"] }),
        )
        .await;

    assert_eq!(answer.status, StatusCode::OK);
    let expected: Vec<u64> = picked.iter().map(|i| i.id).collect();
    assert_eq!(ids(&answer.body), expected);
    assert_eq!(
        answer.body["issues"][0]["fields"]["summary"],
        picked[0].summary.as_str()
    );
    assert_eq!(answer.body["issueErrors"], json!([]));
}

#[tokio::test]
async fn bulkfetch_takes_ids_and_keys_mixed() {
    let sim = Sim::start().await;
    let picked: Vec<_> = sim
        .issues_where(|i| i.project == "OPS")
        .into_iter()
        .take(3)
        .collect();

    let answer = sim
        .post(ADMIN, "/issue/bulkfetch", &json!({ "issueIdsOrKeys": [picked[2].id.to_string(), picked[0].key.to_lowercase(), picked[1].id.to_string()] }))
        .await;

    assert_eq!(
        ids(&answer.body),
        picked.iter().map(|i| i.id).collect::<Vec<_>>()
    );
    // The default is *navigable: key and fields, no comment field.
    assert_eq!(answer.body["issues"][0]["key"], picked[0].key.as_str());
    assert!(answer.body["issues"][0]["fields"]["summary"].is_string());
    assert!(answer.body["issues"][0]["fields"].get("comment").is_none());
}

#[tokio::test]
async fn bulkfetch_silently_leaves_out_unknown_and_forbidden_issues() {
    let sim = Sim::start().await;
    let demo = sim.issue_where(|i| i.project == "DEMO");
    let sec = sim.issue_where(|i| i.project == "SEC");

    let viewer = sim
        .post(
            VIEWER,
            "/issue/bulkfetch",
            &json!({ "issueIdsOrKeys": [sec.key, "DEMO-99999", demo.key] }),
        )
        .await;
    let admin = sim
        .post(
            ADMIN,
            "/issue/bulkfetch",
            &json!({ "issueIdsOrKeys": [sec.key, "DEMO-99999", demo.key] }),
        )
        .await;

    assert_eq!(viewer.status, StatusCode::OK);
    assert_eq!(ids(&viewer.body), vec![demo.id]);
    assert_eq!(viewer.body["issueErrors"], json!([]));
    let mut both = vec![demo.id, sec.id];
    both.sort_unstable();
    assert_eq!(ids(&admin.body), both);
}

#[tokio::test]
async fn bulkfetch_refuses_more_than_100_issues() {
    let sim = Sim::start().await;
    let keys: Vec<String> = (1..=101).map(|n| format!("DEMO-{n}")).collect();

    let answer = sim
        .post(
            ADMIN,
            "/issue/bulkfetch",
            &json!({ "issueIdsOrKeys": keys }),
        )
        .await;
    let empty = sim
        .post(ADMIN, "/issue/bulkfetch", &json!({ "issueIdsOrKeys": [] }))
        .await;

    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn bulkfetch_changelog_expansion_is_capped_at_20() {
    let sim = Sim::with(SimConfig {
        issues: 30,
        ..SimConfig::default()
    })
    .await;
    let issue = sim.issue_where(|i| i.project == "DEMO");
    for n in 0..22 {
        sim.put(
            ADMIN,
            &format!("/issue/{}", issue.key),
            &json!({ "fields": { "description": adf(&format!("v{n}")) } }),
        )
        .await;
    }

    let answer = sim
        .post(
            ADMIN,
            "/issue/bulkfetch",
            &json!({ "issueIdsOrKeys": [issue.key], "expand": ["changelog"] }),
        )
        .await;

    let changelog = &answer.body["issues"][0]["changelog"];
    assert_eq!(changelog["histories"].as_array().map(Vec::len), Some(20));
    assert_eq!(changelog["histories"][0]["items"][0]["toString"], "v21");
}
