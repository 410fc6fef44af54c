//! `/_sim/as/{user}/rest/api/3/...`: changes made by someone other than the gateway.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{ADMIN, ALICE, NO_ISSUE, Sim, adf};

#[tokio::test]
async fn a_comment_made_as_alice_has_alice_as_author() {
    let sim = Sim::start().await;
    let issue = sim.issue_where(|i| i.project == "DEMO");

    let added = sim
        .act_as(
            Method::POST,
            ALICE,
            &format!("/issue/{}/comment", issue.key),
            Some(&json!({ "body": adf("From Alice") })),
        )
        .await;

    assert_eq!(added.status, StatusCode::CREATED);
    assert_eq!(added.body["author"]["emailAddress"], ALICE);
    let comments = sim
        .get(ADMIN, &format!("/issue/{}/comment", issue.key))
        .await;
    let last = comments.body["comments"]
        .as_array()
        .and_then(|c| c.last())
        .cloned()
        .expect("a comment");
    assert_eq!(last["author"]["displayName"], "Alice Nguyen");
    assert_eq!(last["body"], adf("From Alice"));
}

#[tokio::test]
async fn acting_as_a_user_also_works_with_the_account_id_and_an_encoded_email() {
    let sim = Sim::start().await;
    let alice = sim.account_id(ALICE);

    let by_id = sim.act_as(Method::GET, &alice, "/myself", None).await;
    let encoded = sim
        .act_as(Method::GET, "alice%40demo.test", "/myself", None)
        .await;
    let unknown = sim
        .act_as(Method::GET, "nobody@demo.test", "/myself", None)
        .await;

    assert_eq!(by_id.body["emailAddress"], ALICE);
    assert_eq!(encoded.body["emailAddress"], ALICE);
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn create_edit_transition_and_delete_as_another_user_are_seen_by_the_admin() {
    // Create
    let sim = Sim::start().await;
    let created = sim
        .act_as(
            Method::POST,
            ALICE,
            "/issue",
            Some(&json!({ "fields": { "project": { "key": "DEMO" }, "issuetype": { "name": "Task" }, "summary": "Made by Alice", "labels": ["from-alice"] } })),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let key = created.body["key"].as_str().expect("key").to_string();
    assert!(key.starts_with("DEMO-"));
    let seen = sim.get(ADMIN, &format!("/issue/{key}")).await;
    assert_eq!(seen.body["fields"]["summary"], "Made by Alice");
    assert_eq!(seen.body["fields"]["reporter"]["emailAddress"], ALICE);
    assert_eq!(seen.body["fields"]["creator"]["emailAddress"], ALICE);
    assert_eq!(seen.body["fields"]["status"]["name"], "To Do");
    assert_eq!(seen.body["fields"]["labels"], json!(["from-alice"]));
    let found = sim
        .post(
            ADMIN,
            "/search/jql",
            &json!({ "jql": "labels = \"from-alice\"", "fields": ["summary"] }),
        )
        .await;
    assert_eq!(super::keys(&found.body), vec![key.clone()]);

    // Edit
    let edited = sim
        .act_as(
            Method::PUT,
            ALICE,
            &format!("/issue/{key}"),
            Some(&json!({ "fields": { "summary": "Edited by Alice" } })),
        )
        .await;
    assert_eq!(edited.status, StatusCode::NO_CONTENT);
    let seen = sim
        .get(ADMIN, &format!("/issue/{key}?expand=changelog"))
        .await;
    assert_eq!(seen.body["fields"]["summary"], "Edited by Alice");
    assert_eq!(
        seen.body["changelog"]["histories"][0]["author"]["emailAddress"],
        ALICE
    );

    // Transition
    let moved = sim
        .act_as(
            Method::POST,
            ALICE,
            &format!("/issue/{key}/transitions"),
            Some(&json!({ "transition": { "id": "11" } })),
        )
        .await;
    assert_eq!(moved.status, StatusCode::NO_CONTENT);
    let seen = sim.get(ADMIN, &format!("/issue/{key}?fields=status")).await;
    assert_eq!(seen.body["fields"]["status"]["name"], "In Progress");

    // Delete
    let deleted = sim
        .act_as(Method::DELETE, ALICE, &format!("/issue/{key}"), None)
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = sim.get(ADMIN, &format!("/issue/{key}")).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.messages(), vec![NO_ISSUE]);
}

#[tokio::test]
async fn creating_an_issue_without_required_fields_is_a_400_per_field() {
    let sim = Sim::start().await;

    let answer = sim
        .act_as(
            Method::POST,
            ALICE,
            "/issue",
            Some(&json!({ "fields": { "project": { "key": "SEC" } } })),
        )
        .await;

    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    let errors = answer.body["errors"].as_object().expect("errors");
    assert!(
        errors.contains_key("project")
            && errors.contains_key("issuetype")
            && errors.contains_key("summary"),
        "{errors:?}"
    );
}

#[tokio::test]
async fn a_subtask_created_under_a_parent_is_listed_by_the_parent() {
    let sim = Sim::start().await;
    let parent = sim.issue_where(|i| i.project == "DEMO" && i.issue_type == "10003");

    let created = sim
        .act_as(
            Method::POST,
            ALICE,
            "/issue",
            Some(&json!({ "fields": { "project": { "key": "DEMO" }, "issuetype": { "id": "10005" }, "summary": "A piece", "parent": { "key": parent.key } } })),
        )
        .await;

    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let key = created.body["key"].as_str().expect("key");
    let seen = sim
        .get(ADMIN, &format!("/issue/{}?fields=subtasks", parent.key))
        .await;
    assert!(
        seen.body["fields"]["subtasks"]
            .as_array()
            .expect("subtasks")
            .iter()
            .any(|s| s["key"] == key)
    );
    let child = sim.get(ADMIN, &format!("/issue/{key}?fields=parent")).await;
    assert_eq!(child.body["fields"]["parent"]["key"], parent.key.as_str());
}

#[tokio::test]
async fn acting_as_a_user_is_logged_under_the_admin_path() {
    let sim = Sim::start().await;

    sim.act_as(Method::GET, ALICE, "/myself", None).await;

    let entries = sim.site.log().entries();
    assert_eq!(entries.len(), 1);
    assert_eq!(
        entries[0].path,
        "/_sim/as/alice@demo.test/rest/api/3/myself"
    );
    assert_eq!(entries[0].status, 200);
}

#[tokio::test]
async fn a_subtask_needs_a_parent_from_the_level_above() {
    let sim = Sim::start().await;
    let epic = sim.issue_where(|i| i.project == "DEMO" && i.issue_type == "10001");
    let create = |parent: Option<&str>| {
        let mut fields = json!({ "project": { "key": "DEMO" }, "issuetype": { "name": "Sub-task" }, "summary": "Orphan" });
        if let Some(parent) = parent {
            fields["parent"] = json!({ "key": parent });
        }
        json!({ "fields": fields })
    };

    let orphan = sim
        .act_as(Method::POST, ALICE, "/issue", Some(&create(None)))
        .await;
    let under_epic = sim
        .act_as(
            Method::POST,
            ALICE,
            "/issue",
            Some(&create(Some(&epic.key))),
        )
        .await;

    assert_eq!(orphan.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        orphan.body["errors"]["parent"],
        "Issue type is a sub-task but parent issue key or id not specified."
    );
    assert_eq!(under_epic.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        under_epic.body["errors"]["parent"],
        "Given parent issue does not belong to appropriate hierarchy."
    );
}

#[tokio::test]
async fn the_admin_api_lists_the_users_with_their_tokens() {
    let sim = Sim::start().await;

    let users = sim
        .send(
            Method::GET,
            &format!("{}/_sim/users", sim.base()),
            None,
            None,
        )
        .await;
    let health = sim
        .send(
            Method::GET,
            &format!("{}/_sim/health", sim.base()),
            None,
            None,
        )
        .await;

    assert_eq!(users.status, StatusCode::OK);
    let list = users.body.as_array().expect("users");
    assert_eq!(list.len(), 6);
    let alice = list.iter().find(|u| u["email"] == ALICE).expect("alice");
    assert_eq!(alice["apiToken"], "alice-token");
    assert_eq!(alice["admin"], false);
    assert_eq!(health.body, json!({ "status": "ok" }));
    assert!(sim.site.log().is_empty(), "the admin API is not logged");
}
