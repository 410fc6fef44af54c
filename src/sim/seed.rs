//! Deterministic dataset generation for the simulated site.
//!
//! The same seed and issue count give the same projects, users, issues, comments and
//! histories. Timestamps are laid out backwards from an anchor (the start of the current UTC
//! day by default), so relative JQL dates such as `created >= -7d` find issues on any day.
//! Descriptions and comment bodies come from shared pools (see [`super::content`]), which keeps
//! 100,000 issues in memory cheaply.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use serde_json::{Value, json};

use super::content::{self, Lang};
use super::model::{
    Attachment, Category, ChangeItem, Comment, CustomField, CustomKind, Doc, History, Issue,
    IssueType, Priority, Project, Resolution, SiteData, Status, Transition, Ts, User, Workflow,
};

/// The people of the demo site. Tokens are printed at start-up and listed in the README.
pub const USERS: &[(&str, &str, &str, &str, bool, &str, &str)] = &[
    // account id, email, display name, API token, admin, time zone, locale
    (
        "5b10ac8d82e05b22cc7d4ef5",
        "admin@demo.test",
        "Admin Ada",
        "admin-token",
        true,
        "Europe/London",
        "en_GB",
    ),
    (
        "5b10a2844c20165700ede21g",
        "viewer@demo.test",
        "Viewer Victor",
        "viewer-token",
        false,
        "America/New_York",
        "en_US",
    ),
    (
        "5b10a0effa615349cb016cd8",
        "alice@demo.test",
        "Alice Nguyen",
        "alice-token",
        false,
        "Asia/Ho_Chi_Minh",
        "en_US",
    ),
    (
        "5b109f2e9729b51b54dc274d",
        "dmitry@demo.test",
        "Дмитрий Иванов",
        "dmitry-token",
        false,
        "Europe/Moscow",
        "ru_RU",
    ),
    (
        "5b10ac8d82e05b22cc7d4ef6",
        "somchai@demo.test",
        "สมชาย ใจดี",
        "somchai-token",
        false,
        "Asia/Bangkok",
        "th_TH",
    ),
    (
        "5b10ac8d82e05b22cc7d4ef7",
        "hanako@demo.test",
        "田中 花子",
        "hanako-token",
        false,
        "Asia/Tokyo",
        "ja_JP",
    ),
];

pub const STATUS_TODO: &str = "10000";
pub const STATUS_IN_PROGRESS: &str = "3";
pub const STATUS_IN_REVIEW: &str = "10001";
pub const STATUS_DONE: &str = "10002";

pub const TYPE_EPIC: &str = "10001";
pub const TYPE_STORY: &str = "10002";
pub const TYPE_TASK: &str = "10003";
pub const TYPE_BUG: &str = "10004";
pub const TYPE_SUBTASK: &str = "10005";

/// Transition ids of every project's workflow.
pub const TR_START: &str = "11";
pub const TR_REVIEW: &str = "21";
/// In Review → Done; its screen requires `resolution`.
pub const TR_DONE: &str = "31";
pub const TR_REOPEN: &str = "41";
pub const TR_STOP: &str = "51";
pub const TR_CHANGES: &str = "61";

/// Options for [`generate`].
#[derive(Debug, Clone)]
pub struct SeedOptions {
    pub seed: u64,
    pub issues: usize,
    /// Newest timestamps are just before this instant.
    pub anchor: Ts,
}

fn statuses() -> Vec<Status> {
    let s = |id: &str, name: &str, description: &str, category| Status {
        id: id.into(),
        name: name.into(),
        description: description.into(),
        category,
    };
    vec![
        s(
            STATUS_TODO,
            "To Do",
            "Work that has not been started.",
            Category::ToDo,
        ),
        s(
            STATUS_IN_PROGRESS,
            "In Progress",
            "Work that is being done.",
            Category::InProgress,
        ),
        s(
            STATUS_IN_REVIEW,
            "In Review",
            "Work waiting for a review.",
            Category::InProgress,
        ),
        s(
            STATUS_DONE,
            "Done",
            "Work that is finished.",
            Category::Done,
        ),
    ]
}

fn workflow(name: &str) -> Workflow {
    let t = |id: &str, name: &str, from: &[&str], to: &str, required: &[&str]| Transition {
        id: id.into(),
        name: name.into(),
        from: from.iter().map(|s| s.to_string()).collect(),
        to: to.into(),
        required_fields: required.iter().map(|s| s.to_string()).collect(),
    };
    Workflow {
        name: name.into(),
        transitions: vec![
            t(
                TR_START,
                "Start Progress",
                &[STATUS_TODO],
                STATUS_IN_PROGRESS,
                &[],
            ),
            t(
                TR_REVIEW,
                "Submit for Review",
                &[STATUS_IN_PROGRESS],
                STATUS_IN_REVIEW,
                &[],
            ),
            t(
                TR_DONE,
                "Done",
                &[STATUS_IN_REVIEW],
                STATUS_DONE,
                &["resolution"],
            ),
            t(TR_REOPEN, "Reopen", &[STATUS_DONE], STATUS_TODO, &[]),
            t(
                TR_STOP,
                "Stop Progress",
                &[STATUS_IN_PROGRESS],
                STATUS_TODO,
                &[],
            ),
            t(
                TR_CHANGES,
                "Request Changes",
                &[STATUS_IN_REVIEW],
                STATUS_IN_PROGRESS,
                &[],
            ),
        ],
    }
}

fn status_name(id: &str) -> Option<String> {
    let name = match id {
        STATUS_TODO => "To Do",
        STATUS_IN_PROGRESS => "In Progress",
        STATUS_IN_REVIEW => "In Review",
        STATUS_DONE => "Done",
        _ => return None,
    };
    Some(name.to_string())
}

/// The path of transitions from To Do to `status`, used to write a plausible changelog.
fn path_to(status: &str) -> &'static [(&'static str, &'static str)] {
    const TO_PROGRESS: (&str, &str) = (STATUS_TODO, STATUS_IN_PROGRESS);
    const TO_REVIEW: (&str, &str) = (STATUS_IN_PROGRESS, STATUS_IN_REVIEW);
    const TO_DONE: (&str, &str) = (STATUS_IN_REVIEW, STATUS_DONE);
    match status {
        STATUS_IN_PROGRESS => &[TO_PROGRESS],
        STATUS_IN_REVIEW => &[TO_PROGRESS, TO_REVIEW],
        STATUS_DONE => &[TO_PROGRESS, TO_REVIEW, TO_DONE],
        _ => &[],
    }
}

fn doc(adf: Value) -> Doc {
    let text: Arc<str> = crate::adf::to_text(&adf).into();
    Doc {
        adf: Arc::new(adf),
        text,
    }
}

/// Builds the site: fixed catalogue (users, projects, statuses...) plus `issues` generated issues.
pub fn generate(options: &SeedOptions) -> SiteData {
    let mut rng = fastrand::Rng::with_seed(options.seed);
    let mut data = SiteData {
        cloud_id: format!(
            "{:08x}-5a1d-4c1e-9d2b-{:012x}",
            options.seed as u32,
            options.seed.wrapping_mul(0x9e37_79b9) & 0xffff_ffff_ffff
        ),
        site_name: "demo".into(),
        ..SiteData::default()
    };
    data.users = USERS
        .iter()
        .map(|&(id, email, name, token, admin, tz, locale)| User {
            account_id: id.into(),
            email: email.into(),
            display_name: name.into(),
            api_token: token.into(),
            admin,
            time_zone: tz.into(),
            locale: locale.into(),
            active: true,
        })
        .collect();
    data.statuses = statuses();
    data.priorities = ["Highest", "High", "Medium", "Low", "Lowest"]
        .iter()
        .enumerate()
        .map(|(i, name)| Priority {
            id: (i + 1).to_string(),
            name: (*name).into(),
            rank: i as u8 + 1,
        })
        .collect();
    data.issue_types = vec![
        IssueType {
            id: TYPE_EPIC.into(),
            name: "Epic".into(),
            description: "A big user story that needs to be broken down.".into(),
            subtask: false,
            hierarchy_level: 1,
        },
        IssueType {
            id: TYPE_STORY.into(),
            name: "Story".into(),
            description: "Functionality or a feature expressed as a user goal.".into(),
            subtask: false,
            hierarchy_level: 0,
        },
        IssueType {
            id: TYPE_TASK.into(),
            name: "Task".into(),
            description: "A small, distinct piece of work.".into(),
            subtask: false,
            hierarchy_level: 0,
        },
        IssueType {
            id: TYPE_BUG.into(),
            name: "Bug".into(),
            description: "A problem or error.".into(),
            subtask: false,
            hierarchy_level: 0,
        },
        IssueType {
            id: TYPE_SUBTASK.into(),
            name: "Sub-task".into(),
            description: "A small piece of work that's part of a larger task.".into(),
            subtask: true,
            hierarchy_level: -1,
        },
    ];
    data.resolutions = [
        ("10000", "Done", "Work has been completed on this issue."),
        ("10001", "Won't Do", "This issue won't be actioned."),
        (
            "10002",
            "Duplicate",
            "The problem is a duplicate of an existing issue.",
        ),
        (
            "10003",
            "Cannot Reproduce",
            "This issue couldn't be reproduced.",
        ),
    ]
    .iter()
    .map(|(id, name, d)| Resolution {
        id: (*id).into(),
        name: (*name).into(),
        description: (*d).into(),
    })
    .collect();
    data.custom_fields = vec![
        CustomField {
            id: "customfield_10030".into(),
            name: "Story Points".into(),
            kind: CustomKind::Number,
            options: vec![],
        },
        CustomField {
            id: "customfield_10031".into(),
            name: "Team".into(),
            kind: CustomKind::Select,
            options: ["Platform", "Mobile", "Payments", "Data"]
                .iter()
                .enumerate()
                .map(|(i, v)| ((10100 + i).to_string(), (*v).to_string()))
                .collect(),
        },
        CustomField {
            id: "customfield_10032".into(),
            name: "Start date".into(),
            kind: CustomKind::Date,
            options: vec![],
        },
        CustomField {
            id: "customfield_10033".into(),
            name: "Reviewer".into(),
            kind: CustomKind::User,
            options: vec![],
        },
    ];
    let all_types: Vec<String> = data.issue_types.iter().map(|t| t.id.clone()).collect();
    let project = |id: &str,
                   key: &str,
                   name: &str,
                   type_key: &str,
                   lead: &str,
                   admin_only: bool,
                   description: &str| Project {
        id: id.into(),
        key: key.into(),
        name: name.into(),
        type_key: type_key.into(),
        description: description.into(),
        lead: lead.into(),
        admin_only,
        workflow: workflow(&format!("{key} workflow")),
        issue_types: all_types.clone(),
        next_number: 1,
    };
    data.projects = vec![
        project(
            "10000",
            "DEMO",
            "Demo Board",
            "software",
            USERS[2].0,
            false,
            "The team's software board.",
        ),
        project(
            "10001",
            "OPS",
            "Operations",
            "business",
            USERS[3].0,
            false,
            "Operations requests and incidents.",
        ),
        project(
            "10002",
            "SEC",
            "Security",
            "software",
            USERS[0].0,
            true,
            "Security findings; admins only.",
        ),
    ];
    data.next_issue_id = 10000;
    data.next_comment_id = 10000;
    data.next_history_id = 10000;
    data.next_attachment_id = 10000;

    let descriptions: Vec<Doc> = content::description_pool().into_iter().map(doc).collect();
    let comment_bodies: Vec<Doc> = content::comment_pool().into_iter().map(doc).collect();
    let mut generator = Generator {
        rng: &mut rng,
        anchor: options.anchor,
        descriptions,
        comment_bodies,
    };
    for _ in 0..options.issues {
        generator.issue(&mut data);
    }
    data
}

struct Generator<'a> {
    rng: &'a mut fastrand::Rng,
    anchor: Ts,
    descriptions: Vec<Doc>,
    comment_bodies: Vec<Doc>,
}

impl Generator<'_> {
    fn pick<'b, T>(&mut self, items: &'b [T]) -> &'b T {
        &items[self.rng.usize(..items.len())]
    }

    /// Picks an index according to integer weights.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut roll = self.rng.u32(..total);
        for (i, w) in weights.iter().enumerate() {
            if roll < *w {
                return i;
            }
            roll -= w;
        }
        weights.len() - 1
    }

    fn chance(&mut self, percent: u32) -> bool {
        self.rng.u32(..100) < percent
    }

    fn account(&mut self) -> String {
        self.pick(USERS).0.to_string()
    }

    fn issue(&mut self, data: &mut SiteData) {
        let id = data.next_issue_id;
        data.next_issue_id += 1;
        let project_key = ["DEMO", "OPS", "SEC"][self.weighted(&[70, 20, 10])];
        let project = data
            .project_mut(project_key)
            .expect("seeded project exists");
        let number = project.next_number;
        project.next_number += 1;
        let key = format!("{project_key}-{number}");

        // Earlier issues of the same project can be parents.
        let same_project: Vec<(u64, String)> = data
            .issues
            .values()
            .rev()
            .filter(|i| i.project == project_key)
            .take(40)
            .map(|i| (i.id, i.issue_type.clone()))
            .collect();
        let mut issue_type = [TYPE_EPIC, TYPE_STORY, TYPE_TASK, TYPE_BUG, TYPE_SUBTASK]
            [self.weighted(&[5, 35, 25, 25, 10])]
        .to_string();
        let mut parent = None;
        if issue_type == TYPE_SUBTASK {
            let candidates: Vec<u64> = same_project
                .iter()
                .filter(|(_, t)| t != TYPE_SUBTASK && t != TYPE_EPIC)
                .map(|(id, _)| *id)
                .collect();
            if candidates.is_empty() {
                issue_type = TYPE_TASK.into();
            } else {
                parent = Some(*self.pick(&candidates));
            }
        } else if issue_type == TYPE_STORY && self.chance(40) {
            let epics: Vec<u64> = same_project
                .iter()
                .filter(|(_, t)| t == TYPE_EPIC)
                .map(|(id, _)| *id)
                .collect();
            if !epics.is_empty() {
                parent = Some(*self.pick(&epics));
            }
        }

        let status = [
            STATUS_TODO,
            STATUS_IN_PROGRESS,
            STATUS_IN_REVIEW,
            STATUS_DONE,
        ][self.weighted(&[35, 25, 15, 25])]
        .to_string();
        let lang = Lang::ALL[self.weighted(&[40, 20, 20, 20])];
        let summary = content::summary(self.rng, lang);
        let age_minutes = self.rng.i64(60..365 * 24 * 60);
        let created = self.anchor - Duration::minutes(age_minutes);
        let mut clock = created;
        let mut step = |g: &mut Self| {
            let remaining = (g.anchor - clock).num_minutes().max(2);
            clock += Duration::minutes(g.rng.i64(1..=(remaining / 2).max(1)));
            clock
        };

        let reporter = if self.chance(2) {
            None
        } else {
            Some(self.account())
        };
        let creator = reporter.clone().unwrap_or_else(|| USERS[0].0.to_string());
        let assignee = if self.chance(20) {
            None
        } else {
            Some(self.account())
        };
        let priority = if self.chance(3) {
            None
        } else {
            Some((self.weighted(&[5, 20, 50, 20, 5]) + 1).to_string())
        };
        let mut labels: Vec<String> = Vec::new();
        for _ in 0..self.weighted(&[35, 35, 20, 10]) {
            let label = self.pick(content::label_pool()).to_string();
            if !labels.contains(&label) {
                labels.push(label);
            }
        }
        let due_date = self
            .chance(40)
            .then(|| created.date_naive() + Duration::days(self.rng.i64(7..60)));
        // The description is written in the summary's language.
        let block =
            Lang::ALL.iter().position(|l| *l == lang).unwrap_or(0) * content::DESCRIPTIONS_PER_LANG;
        let description = self.chance(85).then(|| {
            let index = (block + self.rng.usize(..content::DESCRIPTIONS_PER_LANG))
                .min(self.descriptions.len().saturating_sub(1));
            self.descriptions[index].clone()
        });

        let mut custom = BTreeMap::new();
        if matches!(issue_type.as_str(), TYPE_STORY | TYPE_BUG) && self.chance(70) {
            custom.insert(
                "customfield_10030".into(),
                json!(*self.pick(&[1.0, 2.0, 3.0, 5.0, 8.0, 13.0])),
            );
        }
        if self.chance(60) {
            let (id, value) = self
                .pick(
                    &["Platform", "Mobile", "Payments", "Data"]
                        .iter()
                        .enumerate()
                        .map(|(i, v)| ((10100 + i).to_string(), *v))
                        .collect::<Vec<_>>(),
                )
                .clone();
            custom.insert(
                "customfield_10031".into(),
                json!({ "id": id, "value": value }),
            );
        }
        if self.chance(30) {
            let start: NaiveDate = created.date_naive() + Duration::days(self.rng.i64(0..14));
            custom.insert(
                "customfield_10032".into(),
                json!(start.format("%Y-%m-%d").to_string()),
            );
        }
        if self.chance(30) {
            custom.insert(
                "customfield_10033".into(),
                json!({ "accountId": self.account() }),
            );
        }

        let mut changelog = Vec::new();
        if let Some(assignee) = &assignee {
            changelog.push(History {
                id: next(&mut data.next_history_id),
                author: creator.clone(),
                created: step(self),
                items: vec![ChangeItem {
                    field: "assignee".into(),
                    field_id: "assignee".into(),
                    field_type: "jira".into(),
                    from: None,
                    from_string: None,
                    to: Some(assignee.clone()),
                    to_string: USERS
                        .iter()
                        .find(|u| u.0 == assignee)
                        .map(|u| u.2.to_string()),
                }],
            });
        }
        for (from, to) in path_to(&status) {
            changelog.push(History {
                id: next(&mut data.next_history_id),
                author: assignee.clone().unwrap_or_else(|| creator.clone()),
                created: step(self),
                items: vec![ChangeItem {
                    field: "status".into(),
                    field_id: "status".into(),
                    field_type: "jira".into(),
                    from: Some((*from).into()),
                    from_string: status_name(from),
                    to: Some((*to).into()),
                    to_string: status_name(to),
                }],
            });
        }
        let (resolution, resolution_date) = if status == STATUS_DONE {
            let resolution = ["10000", "10001", "10002", "10003"][self.weighted(&[80, 10, 5, 5])];
            (
                Some(resolution.to_string()),
                changelog.last().map(|h| h.created),
            )
        } else {
            (None, None)
        };

        // Most issues have a few comments; some have more than a search page carries (20).
        let comment_count = if self.chance(8) {
            self.rng.usize(21..=30)
        } else {
            self.weighted(&[30, 20, 20, 15, 10, 5])
        };
        let mut comments = Vec::with_capacity(comment_count);
        for _ in 0..comment_count {
            let at = step(self);
            let author = self.account();
            comments.push(Comment {
                id: next(&mut data.next_comment_id),
                update_author: author.clone(),
                author,
                body: self.comment_bodies[self.rng.usize(..self.comment_bodies.len())].clone(),
                created: at,
                updated: at,
            });
        }

        let mut attachments = Vec::new();
        if self.chance(15) {
            for n in 0..self.rng.usize(1..=2) {
                let attachment_id = next(&mut data.next_attachment_id);
                let (filename, mime_type, content) = if n == 0 {
                    (
                        format!("screenshot-{number}.png"),
                        "image/png",
                        png_bytes(attachment_id),
                    )
                } else {
                    let text = format!(
                        "Log excerpt for {key}\nERROR request failed: timeout after 30s\nОшибка: превышено время ожидания\nข้อผิดพลาด: หมดเวลา\n"
                    );
                    (
                        format!("log-{number}.txt"),
                        "text/plain",
                        bytes::Bytes::from(text),
                    )
                };
                attachments.push(Attachment {
                    id: attachment_id,
                    filename,
                    author: creator.clone(),
                    created: step(self),
                    mime_type: mime_type.into(),
                    content,
                });
            }
        }

        let updated = [
            Some(created),
            changelog.last().map(|h| h.created),
            comments.last().map(|c| c.created),
            attachments.last().map(|a| a.created),
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(created);

        // Jira lists only sub-tasks under `subtasks`; an epic's stories point at it via `parent`.
        if let Some(parent_id) = parent.filter(|_| issue_type == TYPE_SUBTASK)
            && let Some(p) = data.issues.get_mut(&parent_id)
        {
            p.subtasks.push(id);
        }
        data.keys.insert(key.clone(), id);
        data.issues.insert(
            id,
            Issue {
                id,
                key,
                project: project_key.into(),
                number,
                issue_type,
                status,
                priority,
                resolution,
                resolution_date,
                summary,
                description,
                assignee,
                reporter,
                creator,
                labels,
                created,
                updated,
                due_date,
                parent,
                subtasks: Vec::new(),
                custom,
                comments,
                changelog,
                attachments,
            },
        );
    }
}

fn next(counter: &mut u64) -> u64 {
    let id = *counter;
    *counter += 1;
    id
}

/// A small, valid PNG: a 48×32 gradient whose colours depend on `salt`.
pub fn png_bytes(salt: u64) -> bytes::Bytes {
    const W: u32 = 48;
    const H: u32 = 32;
    let (r0, g0, b0) = (
        (salt * 67 % 200) as u8,
        (salt * 131 % 200) as u8,
        (salt * 29 % 200) as u8,
    );
    let mut pixels = Vec::with_capacity((W * H * 3) as usize);
    for y in 0..H {
        for x in 0..W {
            pixels.extend_from_slice(&[
                r0.wrapping_add((x * 2) as u8),
                g0.wrapping_add((y * 3) as u8),
                b0,
            ]);
        }
    }
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, W, H);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let written = encoder
            .write_header()
            .and_then(|mut writer| writer.write_image_data(&pixels));
        if written.is_err() {
            // Encoding into a Vec cannot fail for valid dimensions; fall back to no content.
            return bytes::Bytes::new();
        }
    }
    bytes::Bytes::from(out)
}
