//! JQL clauses through `search/jql` against the same question asked of the seeded data in
//! process, with Jira Cloud's semantics (`!=` never matches an empty field, `~` needs every
//! term, `resolution = Unresolved` means no resolution, ...).

use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use jira_gateway::sim::model::Issue;
use serde_json::json;

use super::{ALICE, Sim};

/// Keys of every issue `user` finds with `jql`, or the status and error messages.
async fn found(sim: &Sim, user: &str, jql: &str) -> Result<BTreeSet<String>, String> {
    let answer = sim
        .post(
            user,
            "/search/jql",
            &json!({ "jql": jql, "maxResults": 5000, "fields": ["key"] }),
        )
        .await;
    if answer.status != reqwest::StatusCode::OK {
        return Err(format!("{} {:?}", answer.status, answer.messages()));
    }
    let ids: BTreeSet<u64> = super::ids(&answer.body).into_iter().collect();
    let data = sim.site.state.data.read();
    Ok(ids.iter().map(|id| data.issues[id].key.clone()).collect())
}

type Case = (String, Box<dyn Fn(&Issue) -> bool>);

#[tokio::test]
async fn jql_clauses_find_what_jira_would_find() {
    let sim = Sim::start().await;
    let alice = sim.account_id(ALICE);
    let now = Utc::now();
    let start_of_today = now
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc();
    let epic = sim.issue_where(|i| {
        i.issue_type == "10001" && sim.issues_where(|c| c.parent == Some(i.id)).len() >= 2
    });
    let word = "login";
    let a2 = alice.clone();
    let a3 = alice.clone();
    let a4 = alice.clone();
    let epic_id = epic.id;
    let cases: Vec<Case> = vec![
        (
            "status = \"In Progress\"".into(),
            Box::new(|i| i.status == "3"),
        ),
        (
            "status in (\"To Do\", Done)".into(),
            Box::new(|i| i.status == "10000" || i.status == "10002"),
        ),
        (
            "statusCategory = Done".into(),
            Box::new(|i| i.status == "10002"),
        ),
        (
            "statusCategory != Done".into(),
            Box::new(|i| i.status != "10002"),
        ),
        (
            "priority > Medium".into(),
            Box::new(|i| matches!(i.priority.as_deref(), Some("1" | "2"))),
        ),
        (
            "priority is EMPTY".into(),
            Box::new(|i| i.priority.is_none()),
        ),
        (
            "\"Story Points\" >= 5".into(),
            Box::new(|i| {
                i.custom
                    .get("customfield_10030")
                    .and_then(|v| v.as_f64())
                    .is_some_and(|p| p >= 5.0)
            }),
        ),
        (
            "cf[10030] = 3".into(),
            Box::new(|i| i.custom.get("customfield_10030").and_then(|v| v.as_f64()) == Some(3.0)),
        ),
        (
            "Team = Platform".into(),
            Box::new(|i| {
                i.custom
                    .get("customfield_10031")
                    .and_then(|v| v["value"].as_str())
                    == Some("Platform")
            }),
        ),
        (
            "Team != Platform".into(),
            Box::new(|i| {
                i.custom
                    .get("customfield_10031")
                    .and_then(|v| v["value"].as_str())
                    .is_some_and(|t| t != "Platform")
            }),
        ),
        (
            "resolution = Unresolved".into(),
            Box::new(|i| i.resolution.is_none()),
        ),
        (
            "resolution = \"Won't Do\"".into(),
            Box::new(|i| i.resolution.as_deref() == Some("10001")),
        ),
        (
            "key in (DEMO-1, OPS-2, demo-3)".into(),
            Box::new(|i| ["DEMO-1", "OPS-2", "DEMO-3"].contains(&i.key.as_str())),
        ),
        (
            "project = DEMO AND key > DEMO-300".into(),
            Box::new(|i| i.project == "DEMO" && i.number > 300),
        ),
        (
            format!("parent = {}", epic.key),
            Box::new(move |i| i.parent == Some(epic_id)),
        ),
        (
            "reporter != currentUser()".into(),
            Box::new(move |i| i.reporter.as_ref().is_some_and(|r| *r != a2)),
        ),
        (
            format!(
                "assignee in (currentUser(), \"{}\")",
                sim.account_id("dmitry@demo.test")
            ),
            {
                let dmitry = sim.account_id("dmitry@demo.test");
                Box::new(move |i| {
                    i.assignee
                        .as_ref()
                        .is_some_and(|a| *a == a3 || *a == dmitry)
                })
            },
        ),
        (
            "assignee not in (currentUser())".into(),
            Box::new(move |i| i.assignee.as_ref().is_some_and(|a| *a != a4)),
        ),
        ("labels is EMPTY".into(), Box::new(|i| i.labels.is_empty())),
        (
            "issuetype = Bug AND (priority = High OR priority = Highest)".into(),
            Box::new(|i| {
                i.issue_type == "10004" && matches!(i.priority.as_deref(), Some("1" | "2"))
            }),
        ),
        (
            "project = DEMO AND NOT status = Done".into(),
            Box::new(|i| i.project == "DEMO" && i.status != "10002"),
        ),
        (
            format!("summary ~ {word}"),
            Box::new(move |i| i.summary.to_lowercase().contains(word)),
        ),
        (
            "summary ~ \"login page\"".into(),
            Box::new(|i| {
                i.summary.to_lowercase().contains("login")
                    && i.summary.to_lowercase().contains("page")
            }),
        ),
        (
            "created > -1w".into(),
            Box::new(move |i| i.created > now - Duration::weeks(1)),
        ),
        (
            "duedate < now() AND resolution = Unresolved".into(),
            Box::new(move |i| {
                i.due_date.is_some_and(|d| d < now.date_naive()) && i.resolution.is_none()
            }),
        ),
        (
            "comment ~ \"Спасибо\"".into(),
            Box::new(|i| {
                i.comments
                    .iter()
                    .any(|c| c.body.text.to_lowercase().contains("спасибо"))
            }),
        ),
        (
            "created >= startOfDay(-7)".into(),
            Box::new(move |i| i.created >= start_of_today - Duration::days(7)),
        ),
        (
            "parent is not EMPTY AND issuetype = Sub-task".into(),
            Box::new(|i| i.parent.is_some() && i.issue_type == "10005"),
        ),
    ];

    let mut wrong = Vec::new();
    for (jql, predicate) in &cases {
        let expected: BTreeSet<String> = sim
            .issues_where(|i| i.project != "SEC" && predicate(i))
            .into_iter()
            .map(|i| i.key)
            .collect();
        match found(&sim, ALICE, jql).await {
            Err(e) => wrong.push(format!("{jql}: {e}")),
            Ok(keys) if keys != expected => {
                let missing: Vec<_> = expected.difference(&keys).take(3).collect();
                let extra: Vec<_> = keys.difference(&expected).take(3).collect();
                wrong.push(format!(
                    "{jql}: {} found, {} expected; missing {missing:?}, extra {extra:?}",
                    keys.len(),
                    expected.len()
                ));
            }
            Ok(_) => {}
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
