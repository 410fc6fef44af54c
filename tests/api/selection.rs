//! The per-user issue selection through the gateway: `selection`, `select`, `deselect`,
//! `selectAll`, `clearSelection` and `exportIssues(selection: true)`, with logged-in users
//! against a simulated site.

use std::collections::BTreeSet;
use std::time::Duration;

use jira_gateway::config::Config;
use jira_gateway::sim::{SimConfig, SimHandle};
use serde_json::{Value, json};

use crate::helpers::{
    Session, api_token, error_codes, identity_config, keys_in, login, pdf_text, spawn_gateway,
    spawn_site,
};

const SELECT: &str = "mutation($keys: [String!]!) { select(keys: $keys) { keys count } }";
const DESELECT: &str = "mutation($keys: [String!]!) { deselect(keys: $keys) { keys count } }";
const SELECT_ALL: &str = "mutation($jql: String, $filter: IssueFilter) { selectAll(jql: $jql, filter: $filter) { keys count } }";

/// A simulated site and a gateway with logins (and `workers` export workers) on a fresh
/// SQLite file, kept alive by the returned directory.
async fn setup(sim: SimConfig, workers: usize) -> (SimHandle, tempfile::TempDir, String) {
    let site = spawn_site(sim).await;
    let dir = tempfile::tempdir().expect("dir");
    let gateway = spawn_gateway(gateway_config(dir.path(), workers)).await;
    (site, dir, gateway)
}

fn gateway_config(dir: &std::path::Path, workers: usize) -> Config {
    Config {
        export_workers: workers,
        ..identity_config(dir)
    }
}

async fn user(site: &SimHandle, gateway: &str, name: &str) -> Session {
    login(
        gateway,
        site.base_url(),
        &format!("{name}@demo.test"),
        &format!("{name}-token"),
    )
    .await
}

async fn select(user: &Session, keys: &[&str]) -> Value {
    user.graphql(SELECT, json!({ "keys": keys })).await
}

async fn selection(user: &Session) -> Value {
    user.graphql("{ selection { keys count } }", Value::Null)
        .await
}

/// `data.<field>.keys` of an answer that must have succeeded.
fn keys_of(answer: &Value, field: &str) -> Vec<String> {
    assert!(answer["errors"].is_null(), "{answer}");
    answer["data"][field]["keys"]
        .as_array()
        .unwrap_or_else(|| panic!("no keys: {answer}"))
        .iter()
        .map(|k| k.as_str().expect("a key").to_owned())
        .collect()
}

/// `data.selection.issues.nodes[].key`.
fn node_keys(answer: &Value) -> Vec<String> {
    assert!(answer["errors"].is_null(), "{answer}");
    answer["data"]["selection"]["issues"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("no nodes: {answer}"))
        .iter()
        .map(|n| n["key"].as_str().expect("a key").to_owned())
        .collect()
}

/// REST calls that reached the site since the log was last cleared, as `METHOD path`.
fn jira_calls(site: &SimHandle) -> Vec<String> {
    site.log()
        .entries()
        .into_iter()
        .filter(|e| e.path.contains("/rest/api/"))
        .map(|e| format!("{} {}", e.method, e.path))
        .collect()
}

/// Keys of the project's issues, by number.
fn project_keys(site: &SimHandle, project: &str) -> Vec<String> {
    let data = site.state.data.read();
    let mut issues: Vec<(u64, String)> = data
        .issues
        .values()
        .filter(|i| i.project == project)
        .map(|i| (i.number, i.key.clone()))
        .collect();
    issues.sort();
    issues.into_iter().map(|(_, key)| key).collect()
}

fn summary(site: &SimHandle, key: &str) -> String {
    site.state
        .data
        .read()
        .issue(key)
        .expect("a simulated issue")
        .summary
        .clone()
}

/// Moves an issue to another project and number, as Jira does: its old key still finds it.
fn move_issue(site: &SimHandle, key: &str, project: &str, number: u64) -> String {
    let mut data = site.state.data.write();
    let id = data.issue_id(key).expect("a simulated issue");
    let new_key = format!("{project}-{number}");
    let issue = data.issues.get_mut(&id).expect("the issue");
    issue.key = new_key.clone();
    issue.project = project.to_owned();
    issue.number = number;
    data.keys.insert(new_key.clone(), id);
    new_key
}

#[tokio::test]
async fn select_deselect_and_clear_keep_the_selection_in_order() {
    let (site, _dir, gateway) = setup(SimConfig::default(), 0).await;
    let alice = user(&site, &gateway, "alice").await;

    let answer = select(&alice, &["DEMO-3", "demo-1", " DEMO-3 "]).await;
    assert_eq!(keys_of(&answer, "select"), ["DEMO-3", "DEMO-1"]);
    assert_eq!(answer["data"]["select"]["count"], 2, "{answer}");
    // Keys already selected keep their place.
    let answer = select(&alice, &["DEMO-2", "DEMO-1"]).await;
    assert_eq!(keys_of(&answer, "select"), ["DEMO-3", "DEMO-1", "DEMO-2"]);

    // The query answers the same, with the issues as Jira shows them now.
    let answer = alice
        .graphql(
            "{ selection { site keys count issues { nodes { key summary } pageInfo { hasNextPage hasPreviousPage } } } }",
            Value::Null,
        )
        .await;
    assert_eq!(
        keys_of(&answer, "selection"),
        ["DEMO-3", "DEMO-1", "DEMO-2"]
    );
    assert_eq!(answer["data"]["selection"]["count"], 3);
    assert_eq!(
        answer["data"]["selection"]["site"].as_str(),
        Some(site.base_url().trim_end_matches('/')),
        "{answer}"
    );
    assert_eq!(node_keys(&answer), ["DEMO-3", "DEMO-1", "DEMO-2"]);
    for node in answer["data"]["selection"]["issues"]["nodes"]
        .as_array()
        .expect("nodes")
    {
        let key = node["key"].as_str().expect("key");
        assert_eq!(node["summary"].as_str(), Some(summary(&site, key).as_str()));
    }
    let page_info = &answer["data"]["selection"]["issues"]["pageInfo"];
    assert_eq!(
        (&page_info["hasNextPage"], &page_info["hasPreviousPage"]),
        (&json!(false), &json!(false))
    );

    // Pages follow the selection order; a cursor stays valid when earlier keys go.
    let page = |after: Value| {
        let alice = &alice;
        async move {
            alice
                .graphql(
                    "query($after: String) { selection { issues(first: 2, after: $after) { nodes { key } pageInfo { hasNextPage endCursor } } } }",
                    json!({ "after": after }),
                )
                .await
        }
    };
    let first = page(Value::Null).await;
    assert_eq!(node_keys(&first), ["DEMO-3", "DEMO-1"]);
    let info = &first["data"]["selection"]["issues"]["pageInfo"];
    assert_eq!(info["hasNextPage"], true, "{first}");
    let cursor = info["endCursor"].clone();
    alice.graphql(DESELECT, json!({ "keys": ["DEMO-3"] })).await;
    let second = page(cursor).await;
    assert_eq!(node_keys(&second), ["DEMO-2"]);
    assert_eq!(
        second["data"]["selection"]["issues"]["pageInfo"]["hasNextPage"],
        false
    );

    let answer = alice
        .graphql(DESELECT, json!({ "keys": ["DEMO-1", "DEMO-99"] }))
        .await;
    assert_eq!(keys_of(&answer, "deselect"), ["DEMO-2"]);
    let answer = alice
        .graphql("mutation { clearSelection { keys count } }", Value::Null)
        .await;
    assert_eq!(keys_of(&answer, "clearSelection"), Vec::<String>::new());
    assert_eq!(answer["data"]["clearSelection"]["count"], 0);
    assert_eq!(
        keys_of(&selection(&alice).await, "selection"),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn select_checks_keys_with_one_bulkfetch_per_100_and_issues_are_read_the_same_way() {
    let (site, _dir, gateway) = setup(SimConfig::default(), 0).await;
    let alice = user(&site, &gateway, "alice").await;
    let demo = project_keys(&site, "DEMO");
    assert!(demo.len() > 160, "the default site has enough DEMO issues");
    let bulkfetch = "POST /rest/api/3/issue/bulkfetch";

    site.log().clear();
    let answer = select(&alice, &["DEMO-3", "DEMO-1", "DEMO-2"]).await;
    assert_eq!(keys_of(&answer, "select").len(), 3);
    assert_eq!(jira_calls(&site), [bulkfetch]);

    site.log().clear();
    let many: Vec<&str> = demo[10..160].iter().map(String::as_str).collect();
    let answer = select(&alice, &many).await;
    assert_eq!(answer["data"]["select"]["count"], 153, "{answer}");
    assert_eq!(
        jira_calls(&site),
        [bulkfetch, bulkfetch],
        "150 keys, 2 calls"
    );

    // A page of 100 issues with the fields a board shows: one bulkfetch.
    site.log().clear();
    let answer = alice
        .graphql(
            "{ selection { issues(first: 100) { nodes { key summary status { name } assignee { displayName } } } } }",
            Value::Null,
        )
        .await;
    assert_eq!(node_keys(&answer).len(), 100, "{answer}");
    assert_eq!(jira_calls(&site), [bulkfetch]);

    // The keys and count alone come from the store.
    site.log().clear();
    assert_eq!(selection(&alice).await["data"]["selection"]["count"], 153);
    assert_eq!(jira_calls(&site), Vec::<String>::new());
}

#[tokio::test]
async fn select_all_adds_every_match_with_one_search_call_per_100() {
    let (site, _dir, gateway) = setup(SimConfig::default(), 0).await;
    let alice = user(&site, &gateway, "alice").await;
    let demo = project_keys(&site, "DEMO");
    assert!(demo.len() > 200, "several pages: {}", demo.len());

    site.log().clear();
    let answer = alice
        .graphql(SELECT_ALL, json!({ "jql": "project = DEMO" }))
        .await;
    let selected = keys_of(&answer, "selectAll");
    assert_eq!(
        selected.iter().cloned().collect::<BTreeSet<_>>(),
        demo.iter().cloned().collect::<BTreeSet<_>>()
    );
    assert_eq!(selected.len(), demo.len(), "no repeats");
    let calls = jira_calls(&site);
    assert_eq!(
        calls,
        vec!["POST /rest/api/3/search/jql".to_owned(); demo.len().div_ceil(100)],
        "one search call per 100 issues"
    );

    // A filter adds after what is there; issues already selected keep their place.
    let ops: BTreeSet<String> = project_keys(&site, "OPS").into_iter().collect();
    assert!(!ops.is_empty());
    let answer = alice
        .graphql(SELECT_ALL, json!({ "filter": { "projectKeys": ["OPS"] } }))
        .await;
    let after = keys_of(&answer, "selectAll");
    assert_eq!(after[..selected.len()], selected[..]);
    assert_eq!(
        after[selected.len()..]
            .iter()
            .cloned()
            .collect::<BTreeSet<_>>(),
        ops
    );

    // Jira refuses the JQL: INVALID_JQL, and nothing changes.
    let answer = alice
        .graphql(SELECT_ALL, json!({ "jql": "project = NOSUCHPROJECT" }))
        .await;
    assert_eq!(error_codes(&answer), ["INVALID_JQL"], "{answer}");
    assert_eq!(keys_of(&selection(&alice).await, "selection"), after);
}

#[tokio::test]
async fn the_selection_holds_at_most_1000_issues_and_a_refused_add_stores_nothing() {
    let (site, _dir, gateway) = setup(
        SimConfig {
            issues: 1700,
            ..SimConfig::default()
        },
        0,
    )
    .await;
    let alice = user(&site, &gateway, "alice").await;
    let demo = project_keys(&site, "DEMO");
    assert!(demo.len() > 1001, "enough DEMO issues: {}", demo.len());
    let keys = |range: std::ops::Range<usize>| -> Vec<&str> {
        demo[range].iter().map(String::as_str).collect()
    };

    // Exactly the cap is fine.
    assert!(select(&alice, &keys(0..600)).await["errors"].is_null());
    let answer = select(&alice, &keys(600..1000)).await;
    assert_eq!(answer["data"]["select"]["count"], 1000, "{answer}");
    // One more is refused whole, by select and by selectAll.
    let answer = select(&alice, &keys(999..1001)).await;
    assert_eq!(error_codes(&answer), ["BAD_USER_INPUT"], "{answer}");
    let last = demo[1000].clone();
    let answer = alice
        .graphql(SELECT_ALL, json!({ "jql": format!("key = {last}") }))
        .await;
    assert_eq!(error_codes(&answer), ["BAD_USER_INPUT"], "{answer}");
    let now = keys_of(&selection(&alice).await, "selection");
    assert_eq!(now, keys(0..1000));

    // A search that matches more than 1000 issues selects none of them.
    alice
        .graphql("mutation { clearSelection { count } }", Value::Null)
        .await;
    site.log().clear();
    let answer = alice
        .graphql(SELECT_ALL, json!({ "jql": "project = DEMO" }))
        .await;
    assert_eq!(error_codes(&answer), ["BAD_USER_INPUT"], "{answer}");
    assert_eq!(selection(&alice).await["data"]["selection"]["count"], 0);
    assert!(
        jira_calls(&site).len() <= 11,
        "stops reading once past the cap: {:?}",
        jira_calls(&site)
    );

    // More than 1000 keys in one call are refused before asking Jira.
    site.log().clear();
    let answer = select(&alice, &keys(0..1001)).await;
    assert_eq!(error_codes(&answer), ["BAD_USER_INPUT"], "{answer}");
    assert_eq!(jira_calls(&site), Vec::<String>::new());
}

#[tokio::test]
async fn a_selection_survives_a_restart_and_belongs_to_its_user_alone() {
    let (site, dir, gateway) = setup(SimConfig::default(), 0).await;
    let alice = user(&site, &gateway, "alice").await;
    let viewer = user(&site, &gateway, "viewer").await;

    select(&alice, &["DEMO-5", "DEMO-4"]).await;
    assert_eq!(
        keys_of(&selection(&viewer).await, "selection"),
        Vec::<String>::new()
    );
    select(&viewer, &["DEMO-1"]).await;
    viewer
        .graphql(DESELECT, json!({ "keys": ["DEMO-5"] }))
        .await;
    assert_eq!(
        keys_of(&selection(&alice).await, "selection"),
        ["DEMO-5", "DEMO-4"]
    );

    // A second gateway on the same database sees both selections, each to its owner.
    let second = spawn_gateway(gateway_config(dir.path(), 0)).await;
    let (alice_b, viewer_b) = (alice.on(&second), viewer.on(&second));
    assert_eq!(
        keys_of(&selection(&alice_b).await, "selection"),
        ["DEMO-5", "DEMO-4"]
    );
    assert_eq!(
        keys_of(&selection(&viewer_b).await, "selection"),
        ["DEMO-1"]
    );
    alice_b
        .graphql("mutation { clearSelection { count } }", Value::Null)
        .await;
    assert_eq!(selection(&alice).await["data"]["selection"]["count"], 0);
    assert_eq!(keys_of(&selection(&viewer).await, "selection"), ["DEMO-1"]);
}

#[tokio::test]
async fn an_issue_the_caller_cannot_see_is_not_found_exactly_like_a_missing_one() {
    let (site, _dir, gateway) = setup(SimConfig::default(), 0).await;
    let viewer = user(&site, &gateway, "viewer").await;
    let admin = user(&site, &gateway, "admin").await;
    let secret = summary(&site, "SEC-1");

    let forbidden = select(&viewer, &["SEC-1"]).await;
    let missing = select(&viewer, &["DEMO-99999"]).await;
    assert_eq!(error_codes(&forbidden), ["NOT_FOUND"], "{forbidden}");
    assert_eq!(error_codes(&missing), ["NOT_FOUND"], "{missing}");
    let message = |answer: &Value, key: &str| {
        answer["errors"][0]["message"]
            .as_str()
            .expect("message")
            .replace(key, "KEY")
    };
    assert_eq!(
        message(&forbidden, "SEC-1"),
        message(&missing, "DEMO-99999")
    );
    assert!(message(&forbidden, "SEC-1").contains("KEY"));

    // One key Jira does not return fails the whole call: nothing is stored.
    let mixed = select(&viewer, &["DEMO-1", "SEC-1", "DEMO-99999"]).await;
    assert_eq!(error_codes(&mixed), ["NOT_FOUND"], "{mixed}");
    let text = mixed["errors"][0]["message"].as_str().expect("message");
    assert!(
        text.contains("SEC-1") && text.contains("DEMO-99999") && !text.contains("DEMO-1`"),
        "{text}"
    );
    assert_eq!(selection(&viewer).await["data"]["selection"]["count"], 0);
    assert!(!format!("{forbidden}{missing}{mixed}").contains(&secret));

    // The admin may select it; the viewer still sees nothing of it.
    let answer = select(&admin, &["SEC-1"]).await;
    assert_eq!(keys_of(&answer, "select"), ["SEC-1"]);
    let theirs = viewer
        .graphql(
            "{ selection { keys issues { nodes { key summary } } } }",
            Value::Null,
        )
        .await;
    assert!(!theirs.to_string().contains("SEC-1"), "{theirs}");
}

#[tokio::test]
async fn selection_issues_shows_only_what_the_caller_can_see_now() {
    let (site, _dir, gateway) = setup(SimConfig::default(), 0).await;
    let alice = user(&site, &gateway, "alice").await;
    select(&alice, &["DEMO-5", "DEMO-6", "DEMO-7"]).await;
    let hidden = summary(&site, "DEMO-6");

    // DEMO-6 now lives in the admin-only project; DEMO-7 is deleted.
    {
        let mut data = site.state.data.write();
        let id = data.issue_id("DEMO-6").expect("DEMO-6");
        data.issues.get_mut(&id).expect("issue").project = "SEC".into();
    }
    let deleted = alice
        .http
        .delete(format!(
            "{}/_sim/as/admin@demo.test/rest/api/3/issue/DEMO-7?deleteSubtasks=true",
            site.base_url()
        ))
        .send()
        .await
        .expect("delete answers");
    assert_eq!(deleted.status(), 204);

    let query = "{ selection { keys count issues { nodes { key summary } } } }";
    let answer = alice.graphql(query, Value::Null).await;
    assert_eq!(node_keys(&answer), ["DEMO-5"]);
    // The keys are what she selected; the issues are what Jira shows her now.
    assert_eq!(
        keys_of(&answer, "selection"),
        ["DEMO-5", "DEMO-6", "DEMO-7"]
    );
    assert!(!answer.to_string().contains(&hidden), "{answer}");

    // The admin's own selection of it does show it: the difference is the credentials.
    let admin = user(&site, &gateway, "admin").await;
    select(&admin, &["DEMO-6"]).await;
    let theirs = admin.graphql(query, Value::Null).await;
    assert_eq!(node_keys(&theirs), ["DEMO-6"]);
}

#[tokio::test]
async fn a_moved_issue_is_selected_under_the_key_jira_answers_with() {
    let (site, _dir, gateway) = setup(SimConfig::default(), 0).await;
    let alice = user(&site, &gateway, "alice").await;

    let moved = move_issue(&site, "DEMO-7", "OPS", 9001);
    site.log().clear();
    let answer = select(&alice, &["DEMO-7"]).await;
    assert_eq!(keys_of(&answer, "select"), [moved.as_str()]);
    assert_eq!(jira_calls(&site).len(), 1);

    // Two moved issues in one bulkfetch: Jira does not say which old key found which, so
    // the gateway asks for those keys one by one.
    let eight = move_issue(&site, "DEMO-8", "OPS", 9002);
    let nine = move_issue(&site, "DEMO-9", "OPS", 9003);
    let answer = select(&alice, &["DEMO-9", "DEMO-10", "DEMO-8"]).await;
    let expected = [moved.as_str(), nine.as_str(), "DEMO-10", eight.as_str()];
    assert_eq!(keys_of(&answer, "select"), expected);
    let answer = alice
        .graphql("{ selection { issues { nodes { key } } } }", Value::Null)
        .await;
    assert_eq!(node_keys(&answer), expected);
}

#[tokio::test]
async fn bad_selection_input_is_refused_before_any_jira_call() {
    let site = spawn_site(SimConfig::default()).await;
    let dir = tempfile::tempdir().expect("dir");
    let token = api_token(&site, "admin@demo.test");
    // Logins and a service account: requests without a token act as the service account.
    let gateway = spawn_gateway(Config {
        jira_base_url: Some(site.base_url().to_string()),
        jira_email: Some("admin@demo.test".into()),
        jira_api_token: Some(secrecy::SecretString::from(token)),
        ..gateway_config(dir.path(), 0)
    })
    .await;
    for query in [
        "{ selection { keys } }",
        "mutation { select(keys: [\"DEMO-1\"]) { keys } }",
        "mutation { clearSelection { keys } }",
    ] {
        let answer: Value = reqwest::Client::new()
            .post(format!("{gateway}/graphql"))
            .json(&json!({ "query": query }))
            .send()
            .await
            .expect("answer")
            .json()
            .await
            .expect("JSON");
        assert_eq!(error_codes(&answer), ["FORBIDDEN"], "{query}: {answer}");
    }

    let alice = user(&site, &gateway, "alice").await;
    site.log().clear();
    let thousand_and_one: Vec<String> = (1..=1001).map(|n| format!("DEMO-{n}")).collect();
    for (query, variables) in [
        (SELECT, json!({ "keys": ["not a key"] })),
        (SELECT, json!({ "keys": ["DEMO-1", "DEMO-1 OR 1=1"] })),
        (SELECT, json!({ "keys": thousand_and_one })),
        (DESELECT, json!({ "keys": ["../DEMO-1"] })),
        (SELECT_ALL, json!({})),
        (SELECT_ALL, json!({ "filter": {} })),
        (
            "{ selection { issues(first: 1000) { nodes { key } } } }",
            Value::Null,
        ),
        (
            "{ selection { issues(after: \"garbage\") { nodes { key } } } }",
            Value::Null,
        ),
        (
            "mutation { exportIssues(selection: true) { id } }",
            Value::Null,
        ),
    ] {
        let answer = alice.graphql(query, variables).await;
        assert_eq!(
            error_codes(&answer),
            ["BAD_USER_INPUT"],
            "{query}: {answer}"
        );
    }
    assert_eq!(jira_calls(&site), Vec::<String>::new());
    let answer = alice
        .graphql(
            "{ selection(site: \"https://elsewhere.example\") { keys } }",
            Value::Null,
        )
        .await;
    assert_eq!(error_codes(&answer), ["FORBIDDEN"], "{answer}");
}

/// Polls an export job until it finishes (bounded); its last state.
async fn wait_finished(user: &Session, id: &str) -> Value {
    for _ in 0..600 {
        let answer = user
            .graphql(
                "query($id: ID!) { exportJob(id: $id) { status progress { done total } error downloadUrl } }",
                json!({ "id": id }),
            )
            .await;
        let job = answer["data"]["exportJob"].clone();
        if matches!(
            job["status"].as_str(),
            Some("SUCCEEDED" | "FAILED" | "CANCELLED")
        ) {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("export {id} did not finish");
}

#[tokio::test]
async fn exporting_the_selection_renders_exactly_the_selection_as_it_was_when_queued() {
    // Gateway A runs no jobs, so the job waits while the selection changes.
    let (site, dir, gateway) = setup(SimConfig::default(), 0).await;
    let alice = user(&site, &gateway, "alice").await;
    select(&alice, &["DEMO-3", "DEMO-1"]).await;
    let queued = alice
        .graphql(
            "mutation { exportIssues(selection: true, keys: [\"DEMO-9\", \"demo-3\"], template: ISSUE) { id status } }",
            Value::Null,
        )
        .await;
    assert!(queued["errors"].is_null(), "{queued}");
    let id = queued["data"]["exportIssues"]["id"]
        .as_str()
        .expect("job id")
        .to_owned();
    alice.graphql(DESELECT, json!({ "keys": ["DEMO-1"] })).await;
    select(&alice, &["DEMO-2"]).await;

    // Gateway B runs it: the snapshot taken when it was queued, plus `keys`.
    let runner = spawn_gateway(gateway_config(dir.path(), 1)).await;
    let alice_b = alice.on(&runner);
    let job = wait_finished(&alice_b, &id).await;
    assert_eq!(job["status"], "SUCCEEDED", "{job}");
    assert_eq!(job["progress"]["total"], 3, "three issues: {job}");
    let url = job["downloadUrl"].as_str().expect("download URL");
    let bytes = alice_b
        .http
        .get(format!("{runner}{url}"))
        .bearer_auth(&alice_b.token)
        .send()
        .await
        .expect("download")
        .bytes()
        .await
        .expect("PDF");
    let text = pdf_text(&bytes);
    let exported = ["DEMO-3", "DEMO-1", "DEMO-9"];
    // Every issue key in the PDF is an exported issue or its parent or subtask.
    let related: BTreeSet<String> = {
        let data = site.state.data.read();
        let key_of = |id: &u64| data.issues.get(id).map(|i| i.key.clone());
        exported
            .iter()
            .filter_map(|k| data.issue(k))
            .flat_map(|i| {
                std::iter::once(i.key.clone())
                    .chain(i.parent.iter().filter_map(key_of))
                    .chain(i.subtasks.iter().filter_map(key_of))
            })
            .collect()
    };
    assert!(!related.contains("DEMO-2"), "pick another late key");
    let in_pdf = keys_in(&text, "DEMO");
    for key in exported {
        assert!(in_pdf.contains(key), "{key} missing: {text}");
    }
    assert!(in_pdf.is_subset(&related), "{in_pdf:?} vs {related:?}");
}

#[tokio::test]
async fn selection_changed_pushes_the_owners_selection_after_each_change_read_afresh() {
    use crate::gateway::ws::{connect, next_json, send};
    let (site, _dir, gateway) = setup(SimConfig::default(), 0).await;
    let alice = user(&site, &gateway, "alice").await;
    let viewer = user(&site, &gateway, "viewer").await;
    select(&alice, &["DEMO-1"]).await;

    let mut socket = connect(&gateway, "graphql-transport-ws").await;
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {}", alice.token) } }),
    )
    .await;
    assert_eq!(next_json(&mut socket).await["type"], "connection_ack");
    send(
        &mut socket,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { selectionChanged { keys issues { nodes { key summary } } } }" } }),
    )
    .await;
    let mut next = async || {
        let message = next_json(&mut socket).await;
        assert_eq!(message["type"], "next", "{message}");
        let value = message["payload"]["data"]["selectionChanged"].clone();
        let keys: Vec<String> = value["keys"]
            .as_array()
            .unwrap_or_else(|| panic!("no keys: {message}"))
            .iter()
            .map(|k| k.as_str().expect("key").to_owned())
            .collect();
        (keys, value["issues"]["nodes"].clone())
    };

    // First the selection as it is.
    let (keys, nodes) = next().await;
    assert_eq!(keys, ["DEMO-1"]);
    assert_eq!(
        nodes[0]["summary"].as_str(),
        Some(summary(&site, "DEMO-1").as_str())
    );

    // Another user's change and a change that changes nothing push nothing: the next value
    // is Alice's own select.
    select(&viewer, &["DEMO-2"]).await;
    alice.graphql(DESELECT, json!({ "keys": ["DEMO-9"] })).await;
    select(&alice, &["DEMO-3"]).await;
    assert_eq!(next().await.0, ["DEMO-1", "DEMO-3"]);

    // Each value reads the issues afresh: an edit made in Jira meanwhile shows.
    {
        let mut data = site.state.data.write();
        let id = data.issue_id("DEMO-1").expect("DEMO-1");
        data.issues.get_mut(&id).expect("issue").summary = "Renamed in Jira".into();
    }
    alice.graphql(DESELECT, json!({ "keys": ["DEMO-3"] })).await;
    let (keys, nodes) = next().await;
    assert_eq!(keys, ["DEMO-1"]);
    assert_eq!(nodes[0]["summary"], "Renamed in Jira");

    alice
        .graphql("mutation { clearSelection { count } }", Value::Null)
        .await;
    assert_eq!(next().await.0, Vec::<String>::new());
}
