//! `issue/{key}/transitions` and the bulk transition task (`bulk/issues/transition`,
//! `bulk/queue/{taskId}`).

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{ADMIN, ALICE, Sim, VIEWER, adf};

const TODO: &str = "10000";
const IN_PROGRESS: &str = "3";
const IN_REVIEW: &str = "10001";

fn names(transitions: &Value) -> Vec<&str> {
    transitions
        .as_array()
        .expect("transitions")
        .iter()
        .map(|t| t["name"].as_str().expect("name"))
        .collect()
}

#[tokio::test]
async fn transitions_lists_those_available_from_the_current_status() {
    let sim = Sim::start().await;
    let todo = sim.issue_where(|i| i.project == "DEMO" && i.status == TODO);
    let review = sim.issue_where(|i| i.project == "DEMO" && i.status == IN_REVIEW);

    let from_todo = sim
        .get(VIEWER, &format!("/issue/{}/transitions", todo.key))
        .await;
    let from_review = sim
        .get(
            VIEWER,
            &format!(
                "/issue/{}/transitions?expand=transitions.fields",
                review.key
            ),
        )
        .await;

    assert_eq!(from_todo.status, StatusCode::OK);
    assert_eq!(
        names(&from_todo.body["transitions"]),
        vec!["Start Progress"]
    );
    assert_eq!(
        from_todo.body["transitions"][0]["to"]["name"],
        "In Progress"
    );
    assert_eq!(
        names(&from_review.body["transitions"]),
        vec!["Done", "Request Changes"]
    );
    let done = &from_review.body["transitions"][0];
    assert_eq!(done["hasScreen"], true);
    assert_eq!(done["fields"]["resolution"]["required"], true);
}

#[tokio::test]
async fn a_valid_transition_answers_204_and_changes_the_status() {
    let sim = Sim::start().await;
    let issue = sim.issue_where(|i| i.project == "DEMO" && i.status == TODO);

    let answer = sim
        .post(
            ALICE,
            &format!("/issue/{}/transitions", issue.key),
            &json!({ "transition": { "id": "11" } }),
        )
        .await;

    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    let after = sim
        .get(
            ALICE,
            &format!("/issue/{}?fields=status&expand=changelog", issue.key),
        )
        .await;
    assert_eq!(after.body["fields"]["status"]["name"], "In Progress");
    let item = &after.body["changelog"]["histories"][0]["items"][0];
    assert_eq!(item["field"], "status");
    assert_eq!(item["fromString"], "To Do");
    assert_eq!(item["toString"], "In Progress");
}

#[tokio::test]
async fn a_transition_with_a_comment_update_adds_the_comment() {
    let sim = Sim::start().await;
    let issue = sim.issue_where(|i| i.project == "DEMO" && i.status == IN_PROGRESS);

    let answer = sim
        .post(
            ALICE,
            &format!("/issue/{}/transitions", issue.key),
            &json!({ "transition": { "id": "21" }, "update": { "comment": [{ "add": { "body": adf("Ready for review") } }] } }),
        )
        .await;

    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    let comments = sim
        .get(ALICE, &format!("/issue/{}/comment", issue.key))
        .await;
    assert_eq!(comments.body["total"], issue.comments.len() + 1);
}

#[tokio::test]
async fn an_unavailable_transition_is_a_400_and_changes_nothing() {
    let sim = Sim::start().await;
    let issue = sim.issue_where(|i| i.project == "DEMO" && i.status == TODO);

    let answer = sim
        .post(
            ALICE,
            &format!("/issue/{}/transitions", issue.key),
            &json!({ "transition": { "id": "31" } }),
        )
        .await;

    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(!answer.messages().is_empty());
    let after = sim
        .get(ALICE, &format!("/issue/{}?fields=status", issue.key))
        .await;
    assert_eq!(after.body["fields"]["status"]["name"], "To Do");
}

#[tokio::test]
async fn the_done_transition_requires_a_resolution() {
    // Arrange
    let sim = Sim::start().await;
    let issue = sim.issue_where(|i| i.project == "DEMO" && i.status == IN_REVIEW);
    let path = format!("/issue/{}/transitions", issue.key);

    // Act
    let without = sim
        .post(ADMIN, &path, &json!({ "transition": { "id": "31" } }))
        .await;
    let with = sim.post(ADMIN, &path, &json!({ "transition": { "id": "31" }, "fields": { "resolution": { "name": "Won't Do" } } })).await;

    // Assert
    assert_eq!(without.status, StatusCode::BAD_REQUEST);
    assert!(
        without.body["errors"]["resolution"].is_string(),
        "{:?}",
        without.body
    );
    assert_eq!(with.status, StatusCode::NO_CONTENT);
    let after = sim
        .get(
            ADMIN,
            &format!(
                "/issue/{}?fields=status,resolution,resolutiondate",
                issue.key
            ),
        )
        .await;
    assert_eq!(after.body["fields"]["status"]["name"], "Done");
    assert_eq!(after.body["fields"]["resolution"]["name"], "Won't Do");
    assert!(after.body["fields"]["resolutiondate"].is_string());
}

#[tokio::test]
async fn reopening_clears_the_resolution() {
    let sim = Sim::start().await;
    let issue = sim.issue_where(|i| i.project == "DEMO" && i.status == "10002");

    let answer = sim
        .post(
            ADMIN,
            &format!("/issue/{}/transitions", issue.key),
            &json!({ "transition": { "id": "41" } }),
        )
        .await;

    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    let after = sim
        .get(
            ADMIN,
            &format!(
                "/issue/{}?fields=status,resolution,resolutiondate",
                issue.key
            ),
        )
        .await;
    assert_eq!(after.body["fields"]["status"]["name"], "To Do");
    assert_eq!(after.body["fields"]["resolution"], Value::Null);
    assert_eq!(after.body["fields"]["resolutiondate"], Value::Null);
}

#[tokio::test]
async fn bulk_transitions_leave_out_those_that_need_fields() {
    let sim = Sim::start().await;
    let review: Vec<_> = sim
        .issues_where(|i| i.project == "DEMO" && i.status == IN_REVIEW)
        .into_iter()
        .take(2)
        .collect();

    let answer = sim
        .get(
            ADMIN,
            &format!(
                "/bulk/issues/transition?issueIdsOrKeys={},{}",
                review[0].key, review[1].key
            ),
        )
        .await;

    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    assert_eq!(
        answer.body["availableTransitions"],
        json!([{
            "issues": [review[0].key, review[1].key],
            "isTransitionsFiltered": true,
            "transitions": [{ "transitionId": 61, "transitionName": "Request Changes", "to": { "statusId": 3, "statusName": "In Progress" } }]
        }])
    );
}

#[tokio::test]
async fn bulk_transitions_are_grouped_by_workflow_and_common_to_its_issues() {
    let sim = Sim::start().await;
    let todo: Vec<_> = sim
        .issues_where(|i| i.project == "DEMO" && i.status == TODO)
        .into_iter()
        .take(2)
        .collect();
    let progress = sim.issue_where(|i| i.project == "DEMO" && i.status == IN_PROGRESS);
    let ops = sim.issue_where(|i| i.project == "OPS" && i.status == TODO);
    let sec = sim.issue_where(|i| i.project == "SEC");

    let same = sim
        .get(
            ADMIN,
            &format!(
                "/bulk/issues/transition?issueIdsOrKeys={},{},{}",
                todo[0].key, ops.key, todo[1].key
            ),
        )
        .await;
    let mixed = sim
        .get(
            VIEWER,
            &format!(
                "/bulk/issues/transition?issueIdsOrKeys={},{},{}",
                todo[0].key, progress.key, sec.key
            ),
        )
        .await;

    let groups = same.body["availableTransitions"]
        .as_array()
        .expect("groups");
    assert_eq!(groups.len(), 2, "one group per project workflow");
    assert_eq!(groups[0]["issues"], json!([todo[0].key, todo[1].key]));
    assert_eq!(groups[0]["isTransitionsFiltered"], false);
    assert_eq!(
        groups[0]["transitions"][0]["transitionName"],
        "Start Progress"
    );
    assert_eq!(groups[1]["issues"], json!([ops.key]));
    let mixed = &mixed.body["availableTransitions"];
    assert_eq!(
        mixed.as_array().map(Vec::len),
        Some(1),
        "the viewer's SEC issue is left out"
    );
    assert_eq!(mixed[0]["issues"], json!([todo[0].key, progress.key]));
    assert_eq!(
        mixed[0]["transitions"],
        json!([]),
        "no transition leaves both To Do and In Progress"
    );
    assert_eq!(mixed[0]["isTransitionsFiltered"], true);
}

/// Polls `bulk/queue/{taskId}` until the task is complete (at most 200 polls).
async fn wait_for_task(sim: &Sim, user: &str, task_id: &str) -> Value {
    for _ in 0..200 {
        let progress = sim.get(user, &format!("/bulk/queue/{task_id}")).await;
        assert_eq!(progress.status, StatusCode::OK, "{:?}", progress.body);
        if progress.body["status"] == "COMPLETE" {
            return progress.body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("task {task_id} never completed");
}

#[tokio::test]
async fn a_bulk_transition_runs_as_a_task_that_completes() {
    // Arrange
    let sim = Sim::start().await;
    let todo: Vec<_> = sim
        .issues_where(|i| i.project == "DEMO" && i.status == TODO)
        .into_iter()
        .take(3)
        .collect();
    let done = sim.issue_where(|i| i.project == "DEMO" && i.status == "10002");
    let selected: Vec<&str> = todo
        .iter()
        .map(|i| i.key.as_str())
        .chain([done.key.as_str(), "DEMO-99999"])
        .collect();

    // Act
    let submitted = sim
        .post(ALICE, "/bulk/issues/transition", &json!({ "bulkTransitionInputs": [{ "selectedIssueIdsOrKeys": selected, "transitionId": "11" }], "sendBulkNotification": false }))
        .await;

    // Assert
    assert_eq!(submitted.status, StatusCode::CREATED);
    let task_id = submitted.body["taskId"]
        .as_str()
        .expect("taskId")
        .to_string();
    let progress = wait_for_task(&sim, ALICE, &task_id).await;
    assert_eq!(progress["progressPercent"], 100);
    assert_eq!(progress["totalIssueCount"], 5);
    let processed: Vec<u64> = todo.iter().map(|i| i.id).collect();
    assert_eq!(progress["processedAccessibleIssues"], json!(processed));
    assert!(
        progress["failedAccessibleIssues"][done.id.to_string()].is_array(),
        "{progress}"
    );
    assert_eq!(progress["invalidOrInaccessibleIssueCount"], 1);
    assert_eq!(progress["submittedBy"]["accountId"], sim.account_id(ALICE));
    for issue in &todo {
        let after = sim
            .get(ALICE, &format!("/issue/{}?fields=status", issue.key))
            .await;
        assert_eq!(after.body["fields"]["status"]["name"], "In Progress");
    }
}

#[tokio::test]
async fn another_user_cannot_see_a_bulk_task() {
    let sim = Sim::start().await;
    let todo = sim.issue_where(|i| i.project == "DEMO" && i.status == TODO);
    let submitted = sim
        .post(ALICE, "/bulk/issues/transition", &json!({ "bulkTransitionInputs": [{ "selectedIssueIdsOrKeys": [todo.key], "transitionId": "11" }] }))
        .await;
    let task_id = submitted.body["taskId"].as_str().expect("taskId");

    let other = sim.get(VIEWER, &format!("/bulk/queue/{task_id}")).await;

    assert_eq!(other.status, StatusCode::NOT_FOUND);
    wait_for_task(&sim, ALICE, task_id).await;
}

#[tokio::test]
async fn bulk_errors_use_the_bulk_operation_error_shape() {
    let sim = Sim::start().await;

    let get = sim.get(ADMIN, "/bulk/issues/transition").await;
    let post = sim
        .post(
            ADMIN,
            "/bulk/issues/transition",
            &json!({ "bulkTransitionInputs": [] }),
        )
        .await;

    for answer in [get, post] {
        assert_eq!(answer.status, StatusCode::BAD_REQUEST);
        let errors = answer.body["errors"].as_array().expect("errors is a list");
        assert!(errors[0]["message"].is_string(), "{:?}", answer.body);
        assert!(answer.body.get("errorMessages").is_none());
    }
}
