//! `issue/{key}/comment` (list, add, edit, delete) and `comment/list`.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{ADMIN, ALICE, Sim, VIEWER, adf};

fn comment_ids(body: &Value, list: &str) -> Vec<String> {
    body[list]
        .as_array()
        .expect("comments")
        .iter()
        .map(|c| c["id"].as_str().expect("string id").to_string())
        .collect()
}

#[tokio::test]
async fn adding_a_comment_answers_201_with_the_comment() {
    let sim = Sim::start().await;
    let issue = sim.issue_where(|i| i.project == "DEMO");

    let answer = sim
        .post(
            VIEWER,
            &format!("/issue/{}/comment", issue.key),
            &json!({ "body": adf("Looks good to me") }),
        )
        .await;

    assert_eq!(answer.status, StatusCode::CREATED);
    assert_eq!(answer.body["body"], adf("Looks good to me"));
    assert_eq!(answer.body["author"]["emailAddress"], VIEWER);
    assert!(answer.body["id"].is_string());
    let list = sim
        .get(VIEWER, &format!("/issue/{}/comment", issue.key))
        .await;
    assert_eq!(list.body["total"], issue.comments.len() + 1);
    assert_eq!(
        comment_ids(&list.body, "comments").last(),
        answer.body["id"].as_str().map(str::to_string).as_ref()
    );
}

#[tokio::test]
async fn comments_page_with_start_at_and_max_results() {
    let sim = Sim::start().await;
    let issue = sim.issue_where(|i| i.project == "DEMO" && i.comments.len() >= 5);
    let all: Vec<String> = issue.comments.iter().map(|c| c.id.to_string()).collect();

    let page = sim
        .get(
            VIEWER,
            &format!("/issue/{}/comment?startAt=2&maxResults=2", issue.key),
        )
        .await;
    let default = sim
        .get(VIEWER, &format!("/issue/{}/comment", issue.key))
        .await;
    let bad_order = sim
        .get(
            VIEWER,
            &format!("/issue/{}/comment?orderBy=author", issue.key),
        )
        .await;

    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body["startAt"], 2);
    assert_eq!(page.body["maxResults"], 2);
    assert_eq!(page.body["total"], all.len());
    assert_eq!(comment_ids(&page.body, "comments"), all[2..4].to_vec());
    assert_eq!(default.body["maxResults"], 100);
    assert_eq!(comment_ids(&default.body, "comments"), all);
    assert_eq!(bad_order.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn editing_a_comment_replaces_its_body() {
    let sim = Sim::start().await;
    let issue = sim.issue_where(|i| i.project == "DEMO");
    let added = sim
        .post(
            ALICE,
            &format!("/issue/{}/comment", issue.key),
            &json!({ "body": adf("first") }),
        )
        .await;
    let id = added.body["id"].as_str().expect("id");

    let edited = sim
        .put(
            ALICE,
            &format!("/issue/{}/comment/{id}", issue.key),
            &json!({ "body": adf("second") }),
        )
        .await;
    let fetched = sim
        .get(VIEWER, &format!("/issue/{}/comment/{id}", issue.key))
        .await;
    let by_other = sim
        .put(
            VIEWER,
            &format!("/issue/{}/comment/{id}", issue.key),
            &json!({ "body": adf("third") }),
        )
        .await;

    assert_eq!(edited.status, StatusCode::OK);
    assert_eq!(edited.body["body"], adf("second"));
    assert_eq!(fetched.body["body"], adf("second"));
    assert_eq!(fetched.body["updateAuthor"]["emailAddress"], ALICE);
    assert_eq!(by_other.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn deleting_a_comment_answers_204_and_removes_it() {
    let sim = Sim::start().await;
    let issue = sim.issue_where(|i| i.project == "DEMO");
    let added = sim
        .post(
            ADMIN,
            &format!("/issue/{}/comment", issue.key),
            &json!({ "body": adf("temporary") }),
        )
        .await;
    let id = added.body["id"].as_str().expect("id");

    let deleted = sim
        .delete(ADMIN, &format!("/issue/{}/comment/{id}", issue.key))
        .await;
    let fetched = sim
        .get(ADMIN, &format!("/issue/{}/comment/{id}", issue.key))
        .await;

    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(fetched.status, StatusCode::NOT_FOUND);
    let list = sim
        .get(ADMIN, &format!("/issue/{}/comment", issue.key))
        .await;
    assert_eq!(list.body["total"], issue.comments.len());
}

#[tokio::test]
async fn an_invalid_comment_body_is_a_400() {
    let sim = Sim::start().await;
    let issue = sim.issue_where(|i| i.project == "DEMO");

    let plain = sim
        .post(
            VIEWER,
            &format!("/issue/{}/comment", issue.key),
            &json!({ "body": "plain text" }),
        )
        .await;
    let missing = sim
        .post(VIEWER, &format!("/issue/{}/comment", issue.key), &json!({}))
        .await;
    let empty = sim
        .post(
            VIEWER,
            &format!("/issue/{}/comment", issue.key),
            &json!({ "body": { "type": "doc", "version": 1, "content": [] } }),
        )
        .await;

    for answer in [plain, missing, empty] {
        assert_eq!(answer.status, StatusCode::BAD_REQUEST);
        assert!(
            answer.body["errors"]["comment"].is_string(),
            "{:?}",
            answer.body
        );
    }
    let list = sim
        .get(VIEWER, &format!("/issue/{}/comment", issue.key))
        .await;
    assert_eq!(list.body["total"], issue.comments.len());
}

#[tokio::test]
async fn comment_list_returns_only_comments_the_caller_may_see() {
    let sim = Sim::start().await;
    let demo = sim.issue_where(|i| i.project == "DEMO" && i.comments.len() >= 2);
    let sec = sim.issue_where(|i| i.project == "SEC" && !i.comments.is_empty());
    let wanted = [
        demo.comments[1].id,
        sec.comments[0].id,
        demo.comments[0].id,
        999_999_999,
    ];

    let viewer = sim
        .post(VIEWER, "/comment/list", &json!({ "ids": wanted }))
        .await;
    let admin = sim
        .post(ADMIN, "/comment/list", &json!({ "ids": wanted }))
        .await;
    let empty = sim
        .post(ADMIN, "/comment/list", &json!({ "ids": [] }))
        .await;

    assert_eq!(viewer.status, StatusCode::OK);
    assert_eq!(
        comment_ids(&viewer.body, "values"),
        vec![
            demo.comments[0].id.to_string(),
            demo.comments[1].id.to_string()
        ]
    );
    assert_eq!(viewer.body["total"], 2);
    assert_eq!(admin.body["total"], 3);
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
}
