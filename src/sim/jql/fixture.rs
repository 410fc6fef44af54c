//! A small hand-built site for the JQL unit tests (test builds only).

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};

use crate::sim::model::{
    Category, Comment, CustomField, CustomKind, Doc, Issue, IssueType, Priority, Project,
    Resolution, SiteData, Status, Ts, User, Workflow,
};

/// Wednesday 2024-01-31 12:00 UTC.
pub(crate) fn now() -> Ts {
    at(2024, 1, 31, 12)
}

pub(crate) fn at(y: i32, m: u32, d: u32, h: u32) -> Ts {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .expect("valid fixture date")
}

pub(crate) fn user(account_id: &str, name: &str, email: &str, admin: bool) -> User {
    User {
        account_id: account_id.to_owned(),
        email: email.to_owned(),
        display_name: name.to_owned(),
        api_token: "token".to_owned(),
        admin,
        time_zone: "UTC".to_owned(),
        locale: "en_US".to_owned(),
        active: true,
    }
}

pub(crate) fn doc(text: &str) -> Doc {
    Doc {
        adf: Arc::new(json!({"version": 1, "type": "doc", "content": []})),
        text: Arc::from(text),
    }
}

fn project(id: &str, key: &str, name: &str, admin_only: bool) -> Project {
    Project {
        id: id.to_owned(),
        key: key.to_owned(),
        name: name.to_owned(),
        type_key: "software".to_owned(),
        description: String::new(),
        lead: "alice".to_owned(),
        admin_only,
        workflow: Workflow {
            name: "Simple".to_owned(),
            transitions: Vec::new(),
        },
        issue_types: vec!["10001".to_owned(), "10002".to_owned()],
        next_number: 100,
    }
}

fn status(id: &str, name: &str, category: Category) -> Status {
    Status {
        id: id.to_owned(),
        name: name.to_owned(),
        description: String::new(),
        category,
    }
}

/// A bare issue; tests fill in what they need.
pub(crate) fn issue(id: u64, project: &str, number: u64, summary: &str) -> Issue {
    Issue {
        id,
        key: format!("{project}-{number}"),
        project: project.to_owned(),
        number,
        issue_type: "10001".to_owned(),
        status: "10000".to_owned(),
        priority: Some("3".to_owned()),
        resolution: None,
        resolution_date: None,
        summary: summary.to_owned(),
        description: None,
        assignee: None,
        reporter: Some("alice".to_owned()),
        creator: "alice".to_owned(),
        labels: Vec::new(),
        created: at(2024, 1, 1, 10),
        updated: at(2024, 1, 1, 10),
        due_date: None,
        parent: None,
        subtasks: Vec::new(),
        custom: BTreeMap::new(),
        comments: Vec::new(),
        changelog: Vec::new(),
        attachments: Vec::new(),
    }
}

fn comment(id: u64, author: &str, text: &str) -> Comment {
    Comment {
        id,
        author: author.to_owned(),
        update_author: author.to_owned(),
        body: doc(text),
        created: at(2024, 1, 12, 9),
        updated: at(2024, 1, 12, 9),
    }
}

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

fn set(issue: &mut Issue, field: &str, value: Value) {
    issue.custom.insert(field.to_owned(), value);
}

/// Users `alice`, `bob`, `sergey`, `somchai` and the admin `ada`; projects DEMO, OPS and the
/// admin-only SEC; six issues in several languages.
pub(crate) fn site() -> SiteData {
    let mut data = SiteData {
        cloud_id: "cloud".to_owned(),
        site_name: "sim".to_owned(),
        users: vec![
            user("alice", "Alice Smith", "alice@example.com", false),
            user("bob", "Bob Jones", "bob@example.com", false),
            user("sergey", "Сергей Иванов", "sergey@example.com", false),
            user("somchai", "สมชาย ใจดี", "somchai@example.com", false),
            user("ada", "Ada Admin", "ada@example.com", true),
        ],
        projects: vec![
            project("10000", "DEMO", "Demo Project", false),
            project("10001", "OPS", "Operations", false),
            project("10002", "SEC", "Security", true),
        ],
        statuses: vec![
            status("10000", "To Do", Category::ToDo),
            status("10001", "In Progress", Category::InProgress),
            status("10002", "Done", Category::Done),
            status("10003", "In Review", Category::InProgress),
        ],
        priorities: ["Highest", "High", "Medium", "Low", "Lowest"]
            .iter()
            .zip(1u8..)
            .map(|(name, rank)| Priority {
                id: rank.to_string(),
                name: (*name).to_owned(),
                rank,
            })
            .collect(),
        issue_types: vec![
            IssueType {
                id: "10001".into(),
                name: "Task".into(),
                description: String::new(),
                subtask: false,
                hierarchy_level: 0,
            },
            IssueType {
                id: "10002".into(),
                name: "Bug".into(),
                description: String::new(),
                subtask: false,
                hierarchy_level: 0,
            },
            IssueType {
                id: "10003".into(),
                name: "Epic".into(),
                description: String::new(),
                subtask: false,
                hierarchy_level: 1,
            },
        ],
        resolutions: vec![
            Resolution {
                id: "10000".into(),
                name: "Done".into(),
                description: String::new(),
            },
            Resolution {
                id: "10001".into(),
                name: "Won't Do".into(),
                description: String::new(),
            },
        ],
        custom_fields: vec![
            CustomField {
                id: "customfield_10030".into(),
                name: "Story Points".into(),
                kind: CustomKind::Number,
                options: vec![],
            },
            CustomField {
                id: "customfield_10040".into(),
                name: "Team".into(),
                kind: CustomKind::Select,
                options: vec![
                    ("10100".into(), "Alpha".into()),
                    ("10101".into(), "Beta".into()),
                ],
            },
            CustomField {
                id: "customfield_10050".into(),
                name: "Target Date".into(),
                kind: CustomKind::Date,
                options: vec![],
            },
            CustomField {
                id: "customfield_10060".into(),
                name: "Reviewer".into(),
                kind: CustomKind::User,
                options: vec![],
            },
        ],
        ..SiteData::default()
    };

    let mut epic = issue(10001, "DEMO", 1, "Login epic");
    epic.issue_type = "10003".into();
    epic.priority = Some("2".into());
    epic.assignee = Some("alice".into());
    epic.reporter = Some("bob".into());
    epic.creator = "bob".into();
    epic.labels = vec!["frontend".into()];
    epic.updated = at(2024, 1, 20, 8);
    epic.due_date = date(2024, 2, 1);
    epic.description = Some(doc("Everything about signing in"));
    epic.subtasks = vec![10002];
    set(&mut epic, "customfield_10030", json!(8));
    set(
        &mut epic,
        "customfield_10040",
        json!({"id": "10100", "value": "Alpha"}),
    );

    let mut task = issue(10002, "DEMO", 2, "Fix the LOGIN page");
    task.status = "10001".into();
    task.priority = Some("1".into());
    task.assignee = Some("bob".into());
    task.labels = vec!["frontend".into(), "urgent".into()];
    task.created = at(2024, 1, 10, 9);
    task.updated = at(2024, 1, 29, 9);
    task.parent = Some(10001);
    task.description = Some(doc("The login button is broken"));
    task.comments = vec![comment(1, "bob", "Seen on Safari too")];
    set(&mut task, "customfield_10030", json!(3));
    set(
        &mut task,
        "customfield_10040",
        json!({"id": "10101", "value": "Beta"}),
    );
    set(&mut task, "customfield_10050", json!("2024-03-01"));
    set(
        &mut task,
        "customfield_10060",
        json!({"accountId": "alice"}),
    );

    let mut bug = issue(10003, "DEMO", 3, "ระบบล็อกอินเสีย");
    bug.issue_type = "10002".into();
    bug.status = "10002".into();
    bug.resolution = Some("10000".into());
    bug.resolution_date = Some(at(2024, 1, 25, 16));
    bug.created = at(2024, 1, 15, 0);
    bug.updated = at(2024, 1, 25, 16);
    bug.description = Some(doc("ログイン画面のバグ"));
    bug.reporter = Some("somchai".into());

    let mut ops = issue(10004, "OPS", 1, "Ошибка входа в систему");
    ops.priority = Some("4".into());
    ops.assignee = Some("sergey".into());
    ops.labels = vec!["Backend".into()];
    ops.created = at(2024, 1, 20, 11);
    ops.updated = at(2024, 1, 21, 11);

    let mut secret = issue(10005, "SEC", 1, "Secret vulnerability");
    secret.issue_type = "10002".into();
    secret.status = "10003".into();
    secret.priority = None;
    secret.assignee = Some("ada".into());
    secret.reporter = Some("ada".into());
    secret.creator = "ada".into();
    secret.labels = vec!["security".into()];
    secret.created = at(2024, 1, 22, 10);
    secret.updated = at(2024, 1, 22, 10);

    let mut deploy = issue(10006, "OPS", 2, "Exact phrase here: deploy the service");
    deploy.status = "10001".into();
    deploy.priority = Some("5".into());
    deploy.assignee = Some("alice".into());
    deploy.labels = vec!["backend".into(), "ops".into()];
    deploy.created = at(2024, 1, 30, 15);
    deploy.updated = at(2024, 1, 31, 9);
    deploy.due_date = date(2024, 1, 31);
    set(&mut deploy, "customfield_10030", json!(5));

    for issue in [epic, task, bug, ops, secret, deploy] {
        data.keys.insert(issue.key.to_ascii_uppercase(), issue.id);
        data.issues.insert(issue.id, issue);
    }
    // OPS-1 used to be DEMO-7 before it was moved.
    data.keys.insert("OLD-7".to_owned(), 10004);
    data.next_issue_id = 10007;
    data
}

/// Looks up a fixture user by account id.
pub(crate) fn viewer(data: &SiteData, account_id: &str) -> User {
    data.user(account_id).cloned().expect("fixture user")
}

/// Keys of the issues `jql` finds for `account_id`, in result order.
pub(crate) fn keys(data: &SiteData, account_id: &str, jql: &str) -> Result<Vec<String>, String> {
    let viewer = viewer(data, account_id);
    super::search(data, &viewer, now(), jql)
        .map(|ids| {
            ids.iter()
                .filter_map(|id| data.issues.get(id))
                .map(|i| i.key.clone())
                .collect()
        })
        .map_err(|e| e.message().to_owned())
}

/// Keys as a sorted list, for order-independent assertions.
pub(crate) fn set_of(data: &SiteData, account_id: &str, jql: &str) -> Vec<String> {
    let mut found = keys(data, account_id, jql).unwrap_or_else(|e| panic!("{jql:?} failed: {e}"));
    found.sort();
    found
}

/// The error message `jql` produces for `account_id`.
pub(crate) fn error(data: &SiteData, account_id: &str, jql: &str) -> String {
    match keys(data, account_id, jql) {
        Ok(found) => panic!("{jql:?} unexpectedly found {found:?}"),
        Err(message) => message,
    }
}
