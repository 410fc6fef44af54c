//! In-memory data of one simulated Jira site: users, projects, workflows and issues.
//!
//! Plain data and lookups only. HTTP shapes live in `sim::json`, generation in `sim::seed`,
//! query evaluation in `sim::jql`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

/// Timestamps are kept in UTC and rendered the way Jira does (`2024-01-15T10:30:00.000+0000`).
pub type Ts = DateTime<Utc>;

/// A Jira user. `api_token` is what Basic auth checks against.
#[derive(Debug, Clone)]
pub struct User {
    pub account_id: String,
    pub email: String,
    pub display_name: String,
    pub api_token: String,
    /// Sees every project, including admin-only ones such as `SEC`.
    pub admin: bool,
    pub time_zone: String,
    pub locale: String,
    pub active: bool,
}

/// Jira's three fixed status categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    ToDo,
    InProgress,
    Done,
}

impl Category {
    pub fn id(self) -> u32 {
        match self {
            Category::ToDo => 2,
            Category::InProgress => 4,
            Category::Done => 3,
        }
    }
    /// Jira's category key: `new`, `indeterminate`, `done`.
    pub fn key(self) -> &'static str {
        match self {
            Category::ToDo => "new",
            Category::InProgress => "indeterminate",
            Category::Done => "done",
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Category::ToDo => "To Do",
            Category::InProgress => "In Progress",
            Category::Done => "Done",
        }
    }
    pub fn color(self) -> &'static str {
        match self {
            Category::ToDo => "blue-gray",
            Category::InProgress => "yellow",
            Category::Done => "green",
        }
    }
    pub const ALL: [Category; 3] = [Category::ToDo, Category::InProgress, Category::Done];
}

#[derive(Debug, Clone)]
pub struct Status {
    pub id: String,
    pub name: String,
    pub description: String,
    pub category: Category,
}

#[derive(Debug, Clone)]
pub struct Priority {
    pub id: String,
    pub name: String,
    /// 1 is the highest. JQL `priority > Medium` compares by rank.
    pub rank: u8,
}

#[derive(Debug, Clone)]
pub struct IssueType {
    pub id: String,
    pub name: String,
    pub description: String,
    pub subtask: bool,
    /// 1 for epics, 0 for standard types, -1 for subtasks (Jira's convention).
    pub hierarchy_level: i32,
}

#[derive(Debug, Clone)]
pub struct Resolution {
    pub id: String,
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone)]
pub struct Transition {
    pub id: String,
    pub name: String,
    /// Status ids this transition leaves from; empty means a global transition.
    pub from: Vec<String>,
    pub to: String,
    /// Field ids the transition screen requires (e.g. `resolution`).
    pub required_fields: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Workflow {
    pub name: String,
    pub transitions: Vec<Transition>,
}

impl Workflow {
    /// Transitions available from `status_id`, in workflow order.
    pub fn available_from<'a>(
        &'a self,
        status_id: &'a str,
    ) -> impl Iterator<Item = &'a Transition> {
        self.transitions
            .iter()
            .filter(move |t| t.from.is_empty() || t.from.iter().any(|f| f == status_id))
    }
}

#[derive(Debug, Clone)]
pub struct Project {
    pub id: String,
    pub key: String,
    pub name: String,
    /// `software` or `business`.
    pub type_key: String,
    pub description: String,
    /// Account id of the project lead.
    pub lead: String,
    /// Browsable by admins only (the `SEC` project).
    pub admin_only: bool,
    pub workflow: Workflow,
    /// Issue type ids usable in this project.
    pub issue_types: Vec<String>,
    /// The number the next created issue gets (`KEY-n`).
    pub next_number: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomKind {
    Number,
    Select,
    Date,
    User,
}

#[derive(Debug, Clone)]
pub struct CustomField {
    /// `customfield_10030`
    pub id: String,
    pub name: String,
    pub kind: CustomKind,
    /// Options of a select field: (id, value).
    pub options: Vec<(String, String)>,
}

impl CustomField {
    /// The numeric part, as used by JQL's `cf[10030]`.
    pub fn number(&self) -> &str {
        self.id.trim_start_matches("customfield_")
    }
}

/// A rich-text document (ADF) with its plain text kept beside it for text search.
/// Seeded documents are shared between issues through the `Arc`s.
#[derive(Debug, Clone)]
pub struct Doc {
    pub adf: Arc<Value>,
    pub text: Arc<str>,
}

#[derive(Debug, Clone)]
pub struct Comment {
    pub id: u64,
    pub author: String,
    pub update_author: String,
    pub body: Doc,
    pub created: Ts,
    pub updated: Ts,
}

#[derive(Debug, Clone)]
pub struct ChangeItem {
    pub field: String,
    pub field_id: String,
    /// `jira` or `custom`.
    pub field_type: String,
    pub from: Option<String>,
    pub from_string: Option<String>,
    pub to: Option<String>,
    pub to_string: Option<String>,
}

#[derive(Debug, Clone)]
pub struct History {
    pub id: u64,
    pub author: String,
    pub created: Ts,
    pub items: Vec<ChangeItem>,
}

#[derive(Debug, Clone)]
pub struct Attachment {
    pub id: u64,
    pub filename: String,
    pub author: String,
    pub created: Ts,
    pub mime_type: String,
    pub content: bytes::Bytes,
}

#[derive(Debug, Clone)]
pub struct Issue {
    /// Numeric id; bulkfetch answers in ascending id order.
    pub id: u64,
    /// `DEMO-12`, always upper case.
    pub key: String,
    /// Project key.
    pub project: String,
    pub number: u64,
    pub issue_type: String,
    pub status: String,
    pub priority: Option<String>,
    pub resolution: Option<String>,
    pub resolution_date: Option<Ts>,
    pub summary: String,
    pub description: Option<Doc>,
    pub assignee: Option<String>,
    pub reporter: Option<String>,
    pub creator: String,
    pub labels: Vec<String>,
    pub created: Ts,
    pub updated: Ts,
    pub due_date: Option<NaiveDate>,
    /// Id of the parent issue (subtasks, and stories under epics).
    pub parent: Option<u64>,
    /// Ids of the subtasks, kept in sync with `parent`.
    pub subtasks: Vec<u64>,
    /// Custom field values in Jira's JSON shape, by field id.
    pub custom: BTreeMap<String, Value>,
    pub comments: Vec<Comment>,
    /// Oldest first.
    pub changelog: Vec<History>,
    pub attachments: Vec<Attachment>,
}

/// Everything one simulated site holds.
#[derive(Debug, Default)]
pub struct SiteData {
    /// The site's cloud id, as OAuth's accessible-resources reports it.
    pub cloud_id: String,
    pub site_name: String,
    pub users: Vec<User>,
    pub projects: Vec<Project>,
    pub statuses: Vec<Status>,
    pub priorities: Vec<Priority>,
    pub issue_types: Vec<IssueType>,
    pub resolutions: Vec<Resolution>,
    pub custom_fields: Vec<CustomField>,
    /// By id, so iteration is in ascending id order.
    pub issues: BTreeMap<u64, Issue>,
    /// Upper-case key → id. Moved issues keep their old keys here.
    pub keys: HashMap<String, u64>,
    pub next_issue_id: u64,
    pub next_comment_id: u64,
    pub next_history_id: u64,
    pub next_attachment_id: u64,
}

impl SiteData {
    pub fn user(&self, account_id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.account_id == account_id)
    }

    pub fn user_by_email(&self, email: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.email.eq_ignore_ascii_case(email))
    }

    pub fn project(&self, key_or_id: &str) -> Option<&Project> {
        self.projects
            .iter()
            .find(|p| p.key.eq_ignore_ascii_case(key_or_id) || p.id == key_or_id)
    }

    pub fn project_mut(&mut self, key: &str) -> Option<&mut Project> {
        self.projects
            .iter_mut()
            .find(|p| p.key.eq_ignore_ascii_case(key))
    }

    pub fn status(&self, id: &str) -> Option<&Status> {
        self.statuses.iter().find(|s| s.id == id)
    }

    pub fn priority(&self, id: &str) -> Option<&Priority> {
        self.priorities.iter().find(|p| p.id == id)
    }

    pub fn issue_type(&self, id: &str) -> Option<&IssueType> {
        self.issue_types.iter().find(|t| t.id == id)
    }

    pub fn resolution(&self, id: &str) -> Option<&Resolution> {
        self.resolutions.iter().find(|r| r.id == id)
    }

    pub fn custom_field(&self, id: &str) -> Option<&CustomField> {
        self.custom_fields.iter().find(|f| f.id == id)
    }

    /// Whether `user` may browse `project_key`. Unknown projects are not browsable.
    pub fn can_browse(&self, user: &User, project_key: &str) -> bool {
        self.project(project_key)
            .is_some_and(|p| user.admin || !p.admin_only)
    }

    /// Finds an issue by numeric id or by key (case-insensitive, old keys of moved issues too).
    pub fn issue_id(&self, id_or_key: &str) -> Option<u64> {
        if let Ok(id) = id_or_key.parse::<u64>() {
            return self.issues.contains_key(&id).then_some(id);
        }
        self.keys.get(&id_or_key.to_ascii_uppercase()).copied()
    }

    pub fn issue(&self, id_or_key: &str) -> Option<&Issue> {
        self.issue_id(id_or_key).and_then(|id| self.issues.get(&id))
    }

    /// The issue if `user` may browse it; `None` both when missing and when forbidden, as Jira.
    pub fn visible_issue(&self, user: &User, id_or_key: &str) -> Option<&Issue> {
        self.issue(id_or_key)
            .filter(|i| self.can_browse(user, &i.project))
    }
}
