//! JQL through `search/jql`, and the JQL helpers (`jql/autocompletedata`, `.../suggestions`,
//! `jql/parse`).

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{ADMIN, ALICE, Answer, Sim, VIEWER, keys};

const UNBOUNDED: &str =
    "Unbounded JQL queries are not allowed here. Please add a search restriction to your query.";

/// Every issue matching `jql` with `fields`, paging through the whole result (100 a page).
async fn search_all(sim: &Sim, user: &str, jql: &str, fields: &[&str]) -> Vec<Value> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut request = json!({ "jql": jql, "maxResults": 100, "fields": fields });
        if let Some(token) = &token {
            request["nextPageToken"] = json!(token);
        }
        let page = sim.post(user, "/search/jql", &request).await;
        assert_eq!(page.status, StatusCode::OK, "{jql}: {:?}", page.body);
        out.extend(
            page.body["issues"]
                .as_array()
                .expect("issues")
                .iter()
                .cloned(),
        );
        match page.body["nextPageToken"].as_str() {
            Some(next) => token = Some(next.to_string()),
            None => return out,
        }
    }
}

async fn search(sim: &Sim, user: &str, jql: &str) -> Answer {
    sim.post(
        user,
        "/search/jql",
        &json!({ "jql": jql, "fields": ["summary"] }),
    )
    .await
}

#[tokio::test]
async fn a_jql_syntax_error_is_a_400_with_jiras_message() {
    let sim = Sim::start().await;

    let answer = search(&sim, ADMIN, "project = DEMO AND").await;
    let get = sim
        .get(ADMIN, "/search/jql?jql=project%20%3D%3D%20DEMO")
        .await;

    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer.messages(),
        vec!["Error in the JQL Query: Expecting a field name before the end of the query."]
    );
    assert_eq!(get.status, StatusCode::BAD_REQUEST);
    assert!(
        get.messages()[0].starts_with("Error in the JQL Query: "),
        "{:?}",
        get.body
    );
}

#[tokio::test]
async fn an_unbounded_query_is_a_400() {
    let sim = Sim::start().await;

    let ordered = search(&sim, ADMIN, "order by key").await;
    let empty = search(&sim, ADMIN, "").await;
    let missing = sim
        .post(ADMIN, "/search/jql", &json!({ "maxResults": 1 }))
        .await;

    for answer in [ordered, empty, missing] {
        assert_eq!(answer.status, StatusCode::BAD_REQUEST);
        assert_eq!(answer.messages(), vec![UNBOUNDED]);
    }
}

#[tokio::test]
async fn relative_dates_find_recent_issues() {
    let sim = Sim::start().await;
    let now = chrono::Utc::now();
    let expected = sim
        .issues_where(|i| i.created >= now - chrono::Duration::days(30))
        .len();
    assert!(expected > 0);

    let found = search_all(&sim, ADMIN, "created >= -30d", &["created"]).await;
    let older = search_all(&sim, ADMIN, "created < -30d", &["created"]).await;

    assert_eq!(found.len(), expected);
    assert_eq!(found.len() + older.len(), 500);
}

/// A Thai word and a Russian word taken from real summaries of the data, for text search.
fn thai_and_russian_words(sim: &Sim) -> (String, String) {
    const THAI: &[&str] = &[
        "แดชบอร์ด",
        "บอร์ดงาน",
        "ระบบค้นหา",
        "แอปมือถือ",
        "รายงานสปรินต์",
        "อีเมลแจ้งเตือน",
        "หน้าเข้าสู่ระบบ",
    ];
    let thai_issue = sim.issue_where(|i| THAI.iter().any(|w| i.summary.contains(w)));
    let thai = THAI
        .iter()
        .find(|w| thai_issue.summary.contains(**w))
        .expect("word")
        .to_string();
    let russian_issue = sim.issue_where(|i| {
        i.summary
            .chars()
            .any(|c| ('\u{0430}'..='\u{044F}').contains(&c))
    });
    let russian = russian_issue
        .summary
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphabetic()))
        .find(|w| {
            w.chars().count() >= 5 && w.chars().all(|c| ('\u{0400}'..='\u{04FF}').contains(&c))
        })
        .expect("a Russian word of five letters or more")
        .to_string();
    (thai, russian)
}

#[tokio::test]
async fn text_search_finds_thai_and_russian_summaries() {
    let sim = Sim::start().await;
    let (thai, russian) = thai_and_russian_words(&sim);

    for word in [thai, russian] {
        let expected: BTreeSet<String> = sim
            .issues_where(|i| i.summary.to_lowercase().contains(&word.to_lowercase()))
            .into_iter()
            .map(|i| i.key)
            .collect();
        let found = search_all(&sim, ADMIN, &format!("summary ~ \"{word}\""), &["summary"]).await;
        let found: BTreeSet<String> = found
            .iter()
            .map(|i| i["key"].as_str().expect("key").to_string())
            .collect();
        assert!(!found.is_empty(), "{word}");
        assert_eq!(found, expected, "{word}");
    }
}

#[tokio::test]
async fn order_by_two_fields_sorts_by_the_first_then_the_second() {
    let sim = Sim::start().await;

    let found = search_all(
        &sim,
        ADMIN,
        "project = DEMO AND duedate is not EMPTY ORDER BY duedate ASC, key DESC",
        &["duedate"],
    )
    .await;

    assert!(found.len() > 20);
    let pairs: Vec<(String, i64)> = found
        .iter()
        .map(|i| {
            let due = i["fields"]["duedate"]
                .as_str()
                .expect("due date")
                .to_string();
            let number = i["key"]
                .as_str()
                .and_then(|k| k.strip_prefix("DEMO-"))
                .and_then(|n| n.parse().ok())
                .expect("DEMO key");
            (due, number)
        })
        .collect();
    let mut sorted = pairs.clone();
    sorted.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    assert_eq!(pairs, sorted);
    assert!(
        pairs.windows(2).any(|w| w[0].0 == w[1].0),
        "some due dates repeat, so the second field matters"
    );
}

#[tokio::test]
async fn current_user_is_the_caller() {
    let sim = Sim::start().await;
    let alice = sim.account_id(ALICE);
    let expected = sim
        .issues_where(|i| i.project != "SEC" && i.assignee.as_deref() == Some(alice.as_str()))
        .len();

    let found = search_all(&sim, ALICE, "assignee = currentUser()", &["assignee"]).await;

    assert_eq!(found.len(), expected);
    assert!(
        found
            .iter()
            .all(|i| i["fields"]["assignee"]["accountId"] == alice.as_str())
    );
}

#[tokio::test]
async fn labels_in_a_list_matches_any_of_them() {
    let sim = Sim::start().await;
    let labelled = sim.issue_where(|i| i.labels.len() >= 2);
    let (a, b) = (labelled.labels[0].clone(), labelled.labels[1].clone());
    let expected: BTreeSet<String> = sim
        .issues_where(|i| i.labels.contains(&a) || i.labels.contains(&b))
        .into_iter()
        .map(|i| i.key)
        .collect();

    let found = search_all(
        &sim,
        ADMIN,
        &format!("labels in ({a}, \"{b}\")"),
        &["labels"],
    )
    .await;

    let found: BTreeSet<String> = found
        .iter()
        .map(|i| i["key"].as_str().expect("key").to_string())
        .collect();
    assert_eq!(found, expected);
}

#[tokio::test]
async fn is_empty_finds_issues_without_a_value() {
    let sim = Sim::start().await;
    let expected = sim.issues_where(|i| i.assignee.is_none()).len();
    assert!(expected > 0);

    let found = search_all(&sim, ADMIN, "assignee is EMPTY", &["assignee"]).await;
    let not_empty = search_all(&sim, ADMIN, "assignee is not EMPTY", &["assignee"]).await;

    assert_eq!(found.len(), expected);
    assert!(found.iter().all(|i| i["fields"]["assignee"].is_null()));
    assert_eq!(found.len() + not_empty.len(), 500);
}

#[tokio::test]
async fn project_sec_is_reported_to_the_viewer_like_a_missing_project() {
    let sim = Sim::start().await;

    let sec = search(&sim, VIEWER, "project = SEC").await;
    let missing = search(&sim, VIEWER, "project = NOPE").await;
    let admin = search(&sim, ADMIN, "project = SEC").await;

    assert_eq!(sec.status, StatusCode::BAD_REQUEST);
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        sec.messages(),
        vec!["The value 'SEC' does not exist for the field 'project'."]
    );
    assert_eq!(
        missing.messages(),
        vec!["The value 'NOPE' does not exist for the field 'project'."]
    );
    assert_eq!(admin.status, StatusCode::OK);
    assert!(keys(&admin.body).iter().all(|k| k.starts_with("SEC-")));
}

#[tokio::test]
async fn autocomplete_data_lists_fields_functions_and_reserved_words() {
    let sim = Sim::start().await;

    let get = sim.get(VIEWER, "/jql/autocompletedata").await;
    let post = sim
        .post(
            VIEWER,
            "/jql/autocompletedata",
            &json!({ "projectIds": [10000], "includeCollapsedFields": true }),
        )
        .await;

    assert_eq!(get.status, StatusCode::OK);
    assert_eq!(post.status, StatusCode::OK);
    let fields = get.body["visibleFieldNames"].as_array().expect("fields");
    assert!(fields.iter().any(|f| f["value"] == "project"));
    assert!(fields.iter().any(|f| f["cfid"] == "cf[10030]"));
    let functions = get.body["visibleFunctionNames"]
        .as_array()
        .expect("functions");
    assert!(functions.iter().any(|f| f["value"] == "currentUser()"));
    assert!(
        get.body["jqlReservedWords"]
            .as_array()
            .is_some_and(|w| !w.is_empty())
    );
}

#[tokio::test]
async fn project_suggestions_do_not_offer_sec_to_the_viewer() {
    let sim = Sim::start().await;

    let viewer = sim
        .get(
            VIEWER,
            "/jql/autocompletedata/suggestions?fieldName=project&fieldValue=",
        )
        .await;
    let admin = sim
        .get(
            ADMIN,
            "/jql/autocompletedata/suggestions?fieldName=project&fieldValue=",
        )
        .await;

    assert_eq!(viewer.status, StatusCode::OK);
    let shown = |a: &Answer| -> Vec<String> {
        a.body["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| r["displayName"].as_str().expect("displayName").to_string())
            .collect()
    };
    assert_eq!(
        shown(&viewer),
        vec!["Demo Board (DEMO)", "Operations (OPS)"]
    );
    assert_eq!(
        shown(&admin),
        vec!["Demo Board (DEMO)", "Operations (OPS)", "Security (SEC)"]
    );
    let typed = sim
        .get(
            VIEWER,
            "/jql/autocompletedata/suggestions?fieldName=project&fieldValue=sec",
        )
        .await;
    assert_eq!(typed.body["results"], json!([]));
}

#[tokio::test]
async fn jql_parse_gives_errors_for_bad_queries_and_structure_for_good_ones() {
    let sim = Sim::start().await;

    let answer = sim
        .post(VIEWER, "/jql/parse?validation=strict", &json!({ "queries": ["project = DEMO AND status = \"To Do\" ORDER BY created DESC", "project = ", "nosuchfield = 1"] }))
        .await;

    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    let queries = answer.body["queries"].as_array().expect("queries");
    let good = &queries[0];
    assert_eq!(good["structure"]["where"]["operator"], "and");
    assert_eq!(
        good["structure"]["where"]["clauses"][0]["field"]["name"],
        "project"
    );
    assert_eq!(good["structure"]["where"]["clauses"][0]["operator"], "=");
    assert_eq!(
        good["structure"]["where"]["clauses"][0]["operand"]["value"],
        "DEMO"
    );
    assert_eq!(
        good["structure"]["orderBy"]["fields"][0]["field"]["name"],
        "created"
    );
    assert_eq!(
        good["structure"]["orderBy"]["fields"][0]["direction"],
        "desc"
    );
    assert!(
        good.get("errors")
            .is_none_or(|e| e.as_array().is_some_and(Vec::is_empty)),
        "{good}"
    );
    assert!(
        queries[1]["errors"][0]
            .as_str()
            .is_some_and(|e| e.starts_with("Error in the JQL Query"))
    );
    assert_eq!(
        queries[2]["errors"][0],
        "Field 'nosuchfield' does not exist or you do not have permission to view it."
    );
}

#[tokio::test]
async fn jql_parse_with_validation_none_only_checks_syntax() {
    let sim = Sim::start().await;

    let answer = sim
        .post(
            VIEWER,
            "/jql/parse?validation=none",
            &json!({ "queries": ["nosuchfield = 1"] }),
        )
        .await;
    let bad_level = sim
        .post(
            VIEWER,
            "/jql/parse?validation=loose",
            &json!({ "queries": ["project = DEMO"] }),
        )
        .await;

    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.body["queries"][0]["structure"]["where"].is_object());
    assert!(
        answer.body["queries"][0]
            .get("errors")
            .is_none_or(|e| e.as_array().is_some_and(Vec::is_empty))
    );
    assert_eq!(bad_level.status, StatusCode::BAD_REQUEST);
}
