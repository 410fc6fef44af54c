//! `issue/{key}`: read, edit (fields and update operations), permissions.

use reqwest::StatusCode;
use serde_json::json;

use super::{ADMIN, NO_ISSUE, Sim, VIEWER, adf};

#[tokio::test]
async fn get_issue_returns_all_fields_by_default() {
    let sim = Sim::start().await;
    let issue = sim.issue_where(|i| i.project == "DEMO" && !i.comments.is_empty());

    let answer = sim.get(VIEWER, &format!("/issue/{}", issue.key)).await;

    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body["id"], issue.id.to_string());
    assert_eq!(answer.body["key"], issue.key.as_str());
    let fields = &answer.body["fields"];
    assert_eq!(fields["summary"], issue.summary.as_str());
    assert_eq!(fields["project"]["key"], "DEMO");
    assert_eq!(fields["comment"]["total"], issue.comments.len());
    assert!(fields["status"]["name"].is_string());
    assert!(fields.get("customfield_10031").is_some());
}

#[tokio::test]
async fn get_issue_by_id_or_lower_case_key_finds_the_same_issue() {
    let sim = Sim::start().await;
    let issue = sim.issue_where(|i| i.project == "OPS");

    let by_id = sim
        .get(VIEWER, &format!("/issue/{}?fields=summary", issue.id))
        .await;
    let by_key = sim
        .get(
            VIEWER,
            &format!("/issue/{}?fields=summary", issue.key.to_lowercase()),
        )
        .await;

    assert_eq!(by_id.body["key"], issue.key.as_str());
    assert_eq!(by_key.body["id"], issue.id.to_string());
}

#[tokio::test]
async fn get_issue_honours_fields_and_expand() {
    let sim = Sim::start().await;
    let issue = sim.issue_where(|i| i.project == "DEMO" && !i.changelog.is_empty());

    let answer = sim
        .get(
            VIEWER,
            &format!(
                "/issue/{}?fields=summary,labels&expand=changelog,names,transitions",
                issue.key
            ),
        )
        .await;

    let fields: Vec<&String> = answer.body["fields"]
        .as_object()
        .expect("fields")
        .keys()
        .collect();
    assert_eq!(fields, vec!["labels", "summary"]);
    assert_eq!(answer.body["changelog"]["total"], issue.changelog.len());
    let newest = issue.changelog.last().expect("history").id.to_string();
    assert_eq!(
        answer.body["changelog"]["histories"][0]["id"],
        newest.as_str()
    );
    assert_eq!(answer.body["names"]["labels"], "Labels");
    assert!(answer.body["transitions"].is_array());
}

#[tokio::test]
async fn the_viewer_gets_404_for_a_sec_issue_everywhere() {
    let sim = Sim::start().await;
    let sec = sim.issue_where(|i| i.project == "SEC");

    let issue = sim.get(VIEWER, &format!("/issue/{}", sec.key)).await;
    let by_id = sim.get(VIEWER, &format!("/issue/{}", sec.id)).await;
    let comments = sim
        .get(VIEWER, &format!("/issue/{}/comment", sec.key))
        .await;
    let transitions = sim
        .get(VIEWER, &format!("/issue/{}/transitions", sec.key))
        .await;
    let missing = sim.get(VIEWER, "/issue/DEMO-99999").await;
    let edit = sim
        .put(
            VIEWER,
            &format!("/issue/{}", sec.key),
            &json!({ "fields": { "summary": "x" } }),
        )
        .await;

    for answer in [issue, by_id, comments, transitions, missing, edit] {
        assert_eq!(answer.status, StatusCode::NOT_FOUND);
        assert_eq!(answer.messages(), vec![NO_ISSUE]);
    }
    assert_eq!(
        sim.get(ADMIN, &format!("/issue/{}", sec.key)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn editing_fields_and_update_operations_answers_204_and_is_stored() {
    // Arrange
    let sim = Sim::start().await;
    let issue = sim.issue_where(|i| i.project == "DEMO" && !i.labels.is_empty());
    let removed = issue.labels[0].clone();
    let history_before = issue.changelog.len();

    // Act
    let answer = sim
        .put(
            ADMIN,
            &format!("/issue/{}", issue.key),
            &json!({
                "fields": { "duedate": "2030-01-31" },
                "update": {
                    "summary": [{ "set": "Edited through the API" }],
                    "labels": [{ "add": "edited" }, { "remove": removed }]
                }
            }),
        )
        .await;

    // Assert
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    assert!(answer.bytes.is_empty());
    let after = sim
        .get(ADMIN, &format!("/issue/{}?expand=changelog", issue.key))
        .await;
    let fields = &after.body["fields"];
    assert_eq!(fields["summary"], "Edited through the API");
    assert_eq!(fields["duedate"], "2030-01-31");
    let labels: Vec<&str> = fields["labels"]
        .as_array()
        .expect("labels")
        .iter()
        .map(|l| l.as_str().expect("label"))
        .collect();
    assert!(labels.contains(&"edited"));
    assert!(!labels.contains(&removed.as_str()));
    assert_eq!(after.body["changelog"]["total"], history_before + 1);
    let newest = &after.body["changelog"]["histories"][0];
    assert_eq!(newest["author"]["emailAddress"], ADMIN);
    let changed: Vec<&str> = newest["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["field"].as_str().expect("field"))
        .collect();
    assert!(
        changed.contains(&"summary") && changed.contains(&"labels") && changed.contains(&"duedate"),
        "{changed:?}"
    );
    assert_ne!(
        fields["updated"],
        json!(issue.updated.format("%Y-%m-%dT%H:%M:%S%.3f%z").to_string())
    );
}

#[tokio::test]
async fn editing_with_return_issue_answers_200_with_the_issue() {
    let sim = Sim::start().await;
    let issue = sim.issue_where(|i| i.project == "DEMO");

    let answer = sim
        .put(
            ADMIN,
            &format!("/issue/{}?returnIssue=true", issue.key),
            &json!({ "fields": { "description": adf("New description") } }),
        )
        .await;

    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body["key"], issue.key.as_str());
    assert_eq!(answer.body["fields"]["description"], adf("New description"));
}

#[tokio::test]
async fn an_invalid_field_is_a_400_with_errors_and_nothing_is_stored() {
    // Arrange
    let sim = Sim::start().await;
    let issue = sim.issue_where(|i| i.project == "DEMO");

    // Act: one good field, one unknown field
    let answer = sim
        .put(
            ADMIN,
            &format!("/issue/{}", issue.key),
            &json!({ "fields": { "summary": "Should not be stored", "nosuchfield": 1 } }),
        )
        .await;

    // Assert
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer.body["errors"]["nosuchfield"],
        "Field 'nosuchfield' cannot be set. It is not on the appropriate screen, or unknown."
    );
    assert_eq!(answer.body["errorMessages"], json!([]));
    let after = sim
        .get(ADMIN, &format!("/issue/{}?expand=changelog", issue.key))
        .await;
    assert_eq!(after.body["fields"]["summary"], issue.summary.as_str());
    assert_eq!(after.body["changelog"]["total"], issue.changelog.len());
}

#[tokio::test]
async fn invalid_values_are_reported_per_field() {
    let sim = Sim::start().await;
    let issue = sim.issue_where(|i| i.project == "DEMO");

    let answer = sim
        .put(
            ADMIN,
            &format!("/issue/{}", issue.key),
            &json!({ "fields": { "description": "plain text is not ADF", "duedate": "31/01/2030", "labels": ["has space"] } }),
        )
        .await;

    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    let errors = answer.body["errors"].as_object().expect("errors");
    assert!(
        errors.contains_key("description")
            && errors.contains_key("duedate")
            && errors.contains_key("labels"),
        "{errors:?}"
    );
}

#[tokio::test]
async fn a_field_in_both_fields_and_update_is_refused() {
    let sim = Sim::start().await;
    let issue = sim.issue_where(|i| i.project == "DEMO");

    let answer = sim
        .put(
            ADMIN,
            &format!("/issue/{}", issue.key),
            &json!({ "fields": { "summary": "a" }, "update": { "summary": [{ "set": "b" }] } }),
        )
        .await;

    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.body["errors"]["summary"].is_string());
}

#[tokio::test]
async fn the_changelog_endpoint_pages_oldest_first() {
    let sim = Sim::start().await;
    let issue = sim.issue_where(|i| i.project == "DEMO" && i.changelog.len() >= 3);

    let first = sim
        .get(
            VIEWER,
            &format!("/issue/{}/changelog?maxResults=2", issue.key),
        )
        .await;

    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.body["total"], issue.changelog.len());
    assert_eq!(
        first.body["values"][0]["id"],
        issue.changelog[0].id.to_string()
    );
    assert_eq!(first.body["isLast"], false);
}

#[tokio::test]
async fn moving_a_subtask_to_another_parent_updates_both_parents() {
    let sim = Sim::start().await;
    let subtask = sim.issue_where(|i| i.project == "DEMO" && i.issue_type == "10005");
    let old_parent = sim.issue_where(|i| Some(i.id) == subtask.parent);
    let new_parent = sim
        .issue_where(|i| i.project == "DEMO" && i.issue_type == "10003" && i.id != old_parent.id);

    let answer = sim
        .put(
            ADMIN,
            &format!("/issue/{}", subtask.key),
            &json!({ "fields": { "parent": { "key": new_parent.key } } }),
        )
        .await;

    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    let subtask_keys = |body: &serde_json::Value| -> Vec<String> {
        body["fields"]["subtasks"]
            .as_array()
            .expect("subtasks")
            .iter()
            .map(|s| s["key"].as_str().expect("key").to_string())
            .collect()
    };
    let old = sim
        .get(ADMIN, &format!("/issue/{}?fields=subtasks", old_parent.key))
        .await;
    let new = sim
        .get(ADMIN, &format!("/issue/{}?fields=subtasks", new_parent.key))
        .await;
    assert!(!subtask_keys(&old.body).contains(&subtask.key));
    assert!(subtask_keys(&new.body).contains(&subtask.key));
    let moved = sim
        .get(ADMIN, &format!("/issue/{}?fields=parent", subtask.key))
        .await;
    assert_eq!(
        moved.body["fields"]["parent"]["key"],
        new_parent.key.as_str()
    );
}
