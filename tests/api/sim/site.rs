//! Site-level resources: `myself`, projects, fields, users, the removed search.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::{ADMIN, ALICE, Sim, VIEWER, auth};

fn project_keys(body: &Value) -> Vec<&str> {
    body["values"]
        .as_array()
        .expect("values")
        .iter()
        .map(|p| p["key"].as_str().expect("key"))
        .collect()
}

#[tokio::test]
async fn myself_expands_groups_and_application_roles() {
    let sim = Sim::start().await;

    let admin = sim
        .get(ADMIN, "/myself?expand=groups,applicationRoles")
        .await;

    assert_eq!(admin.status, StatusCode::OK);
    assert_eq!(admin.body["displayName"], "Admin Ada");
    assert_eq!(admin.body["groups"]["size"], 2);
    assert_eq!(admin.body["applicationRoles"]["size"], 1);
    assert!(admin.body["avatarUrls"]["48x48"].is_string());
}

#[tokio::test]
async fn project_search_pages_with_start_at_and_max_results() {
    let sim = Sim::start().await;

    let all = sim.get(ADMIN, "/project/search").await;
    let second = sim
        .get(ADMIN, "/project/search?startAt=1&maxResults=1")
        .await;
    let last = sim
        .get(ADMIN, "/project/search?startAt=2&maxResults=1")
        .await;

    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(project_keys(&all.body), vec!["DEMO", "OPS", "SEC"]);
    assert_eq!(all.body["total"], 3);
    assert_eq!(all.body["isLast"], true);
    assert_eq!(all.body["maxResults"], 50);
    assert_eq!(project_keys(&second.body), vec!["OPS"]);
    assert_eq!(second.body["startAt"], 1);
    assert_eq!(second.body["maxResults"], 1);
    assert_eq!(second.body["isLast"], false);
    assert!(
        second.body["nextPage"]
            .as_str()
            .is_some_and(|u| u.contains("startAt=2"))
    );
    assert_eq!(project_keys(&last.body), vec!["SEC"]);
    assert_eq!(last.body["isLast"], true);
    assert!(last.body.get("nextPage").is_none());
}

#[tokio::test]
async fn project_search_never_shows_sec_to_the_viewer() {
    let sim = Sim::start().await;

    let all = sim.get(VIEWER, "/project/search").await;
    let query = sim.get(VIEWER, "/project/search?query=sec").await;
    let keys = sim.get(VIEWER, "/project/search?keys=SEC").await;

    assert_eq!(project_keys(&all.body), vec!["DEMO", "OPS"]);
    assert_eq!(all.body["total"], 2);
    // Chosen: no match answers 200 with no values (the spec also allows 404 here).
    assert_eq!(query.status, StatusCode::OK);
    assert_eq!(query.body["total"], 0);
    assert_eq!(keys.body["total"], 0);
}

#[tokio::test]
async fn project_search_query_matches_key_or_name_ignoring_case() {
    let sim = Sim::start().await;

    let by_name = sim.get(ADMIN, "/project/search?query=oPeRa").await;
    let by_key = sim.get(ADMIN, "/project/search?query=demo").await;

    assert_eq!(project_keys(&by_name.body), vec!["OPS"]);
    assert_eq!(project_keys(&by_key.body), vec!["DEMO"]);
}

#[tokio::test]
async fn project_search_expands_description_and_lead() {
    let sim = Sim::start().await;

    let answer = sim
        .get(
            ADMIN,
            "/project/search?keys=DEMO&expand=description,lead,issueTypes",
        )
        .await;

    let demo = &answer.body["values"][0];
    assert_eq!(demo["key"], "DEMO");
    assert_eq!(demo["description"], "The team's software board.");
    assert_eq!(demo["lead"]["emailAddress"], ALICE);
    assert_eq!(demo["issueTypes"].as_array().map(Vec::len), Some(5));
}

#[tokio::test]
async fn a_project_the_viewer_cannot_browse_is_not_found() {
    let sim = Sim::start().await;

    let viewer = sim.get(VIEWER, "/project/SEC").await;
    let admin = sim.get(ADMIN, "/project/SEC").await;
    let missing = sim.get(ADMIN, "/project/NOPE").await;

    assert_eq!(viewer.status, StatusCode::NOT_FOUND);
    assert_eq!(
        viewer.messages(),
        vec!["No project could be found with key 'SEC'."]
    );
    assert_eq!(
        missing.messages(),
        vec!["No project could be found with key 'NOPE'."]
    );
    assert_eq!(admin.status, StatusCode::OK);
    assert_eq!(admin.body["key"], "SEC");
    assert_eq!(admin.body["lead"]["emailAddress"], ADMIN);
}

#[tokio::test]
async fn fields_list_system_and_custom_fields_with_their_schema() {
    let sim = Sim::start().await;

    let answer = sim.get(VIEWER, "/field").await;

    assert_eq!(answer.status, StatusCode::OK);
    let fields = answer.body.as_array().expect("array");
    let field = |id: &str| {
        fields
            .iter()
            .find(|f| f["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} listed"))
    };
    assert_eq!(field("summary")["schema"]["type"], "string");
    assert_eq!(field("labels")["schema"]["items"], "string");
    let points = field("customfield_10030");
    assert_eq!(points["custom"], true);
    assert_eq!(points["name"], "Story Points");
    assert_eq!(points["schema"]["type"], "number");
    assert_eq!(points["schema"]["customId"], 10030);
    assert_eq!(
        points["schema"]["custom"],
        "com.atlassian.jira.plugin.system.customfieldtypes:float"
    );
    assert!(
        points["clauseNames"]
            .as_array()
            .expect("clause names")
            .iter()
            .any(|c| c == "cf[10030]")
    );
    for id in [
        "customfield_10031",
        "customfield_10032",
        "customfield_10033",
    ] {
        assert_eq!(field(id)["custom"], true);
    }
}

#[tokio::test]
async fn a_user_is_found_by_account_id() {
    let sim = Sim::start().await;
    let alice = sim.account_id(ALICE);

    let found = sim.get(VIEWER, &format!("/user?accountId={alice}")).await;
    let missing = sim.get(VIEWER, "/user?accountId=nobody").await;
    let no_id = sim.get(VIEWER, "/user").await;

    assert_eq!(found.status, StatusCode::OK);
    assert_eq!(found.body["displayName"], "Alice Nguyen");
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(no_id.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn user_bulk_returns_the_known_users_of_the_ids_given() {
    let sim = Sim::start().await;
    let alice = sim.account_id(ALICE);
    let admin = sim.account_id(ADMIN);

    let answer = sim
        .get(
            VIEWER,
            &format!("/user/bulk?accountId={alice}&accountId=unknown&accountId={admin}"),
        )
        .await;

    assert_eq!(answer.status, StatusCode::OK);
    let names: Vec<&str> = answer.body["values"]
        .as_array()
        .expect("values")
        .iter()
        .map(|u| u["displayName"].as_str().expect("name"))
        .collect();
    assert_eq!(names, vec!["Alice Nguyen", "Admin Ada"]);
    assert_eq!(answer.body["total"], 2);
    assert_eq!(answer.body["isLast"], true);
}

#[tokio::test]
async fn the_removed_search_answers_410_with_jiras_message() {
    let sim = Sim::start().await;
    let expected = "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046";

    let get = sim.get(ADMIN, "/search?jql=project%3DDEMO").await;
    let post = sim
        .post(
            ADMIN,
            "/search",
            &serde_json::json!({ "jql": "project = DEMO" }),
        )
        .await;
    let v2 = sim
        .send(
            Method::GET,
            &format!("{}/rest/api/2/search?jql=project%3DDEMO", sim.base()),
            Some(&auth(ADMIN)),
            None,
        )
        .await;

    for answer in [get, post, v2] {
        assert_eq!(answer.status, StatusCode::GONE);
        assert_eq!(answer.messages(), vec![expected]);
        assert_eq!(answer.body["errors"], serde_json::json!({}));
    }
}

#[tokio::test]
async fn users_embedded_in_issues_have_no_locale_but_myself_has() {
    let sim = Sim::start().await;
    let issue =
        sim.issue_where(|i| i.project == "DEMO" && i.assignee.is_some() && !i.comments.is_empty());

    let got = sim
        .get(
            VIEWER,
            &format!(
                "/issue/{}?fields=assignee,comment&expand=changelog",
                issue.key
            ),
        )
        .await;
    let me = sim.get(VIEWER, "/myself").await;

    let assignee = got.body["fields"]["assignee"]
        .as_object()
        .expect("assignee");
    assert!(assignee.contains_key("timeZone") && !assignee.contains_key("locale"));
    assert!(
        got.body["fields"]["comment"]["comments"][0]["author"]
            .get("locale")
            .is_none()
    );
    assert_eq!(me.body["locale"], "en_US");
}
