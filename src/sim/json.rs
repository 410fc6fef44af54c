//! Jira v3 JSON shapes of the simulated site's data (IssueBean, User, Comment, ...).
//!
//! Field selection (`fields=*all,-comment`) and expansions (`expand=transitions,changelog`)
//! are decided here, once, for every endpoint that returns issues.

use std::collections::HashSet;

use chrono::SecondsFormat;
use serde_json::{Map, Value, json};

use super::model::{
    Attachment, Comment, History, Issue, Project, SiteData, Status, Transition, Ts, User,
};

/// System fields in the order Jira lists them. Custom fields follow.
pub const SYSTEM_FIELDS: &[&str] = &[
    "summary",
    "status",
    "priority",
    "issuetype",
    "assignee",
    "reporter",
    "creator",
    "labels",
    "created",
    "updated",
    "duedate",
    "resolution",
    "resolutiondate",
    "project",
    "parent",
    "subtasks",
    "description",
    "comment",
    "attachment",
];

/// How many comments and histories an issue carries inside search and bulkfetch answers.
pub const EMBEDDED_LIMIT: usize = 20;

/// Jira's timestamp format: `2024-01-15T10:30:00.000+0000`.
pub fn ts(t: &Ts) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3f%z").to_string()
}

/// ISO-8601 as used by `X-RateLimit-Reset` and webhook expiry.
pub fn iso(t: &Ts) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Which fields a request asked for.
#[derive(Debug, Clone)]
pub struct FieldSelection {
    all: bool,
    navigable: bool,
    include: HashSet<String>,
    exclude: HashSet<String>,
}

impl FieldSelection {
    /// Parses Jira's `fields` list: entries may themselves be comma-separated.
    /// `default` applies when the list is empty (`id` for search, `*all` for get issue).
    pub fn parse<S: AsRef<str>>(fields: &[S], default: &str) -> Self {
        let mut selection = FieldSelection {
            all: false,
            navigable: false,
            include: HashSet::new(),
            exclude: HashSet::new(),
        };
        let mut entries: Vec<String> = fields
            .iter()
            .flat_map(|f| {
                f.as_ref()
                    .split(',')
                    .map(|s| s.trim().to_string())
                    .collect::<Vec<_>>()
            })
            .filter(|s| !s.is_empty())
            .collect();
        if entries.is_empty() {
            entries.push(default.to_string());
        }
        let only_exclusions = entries.iter().all(|e| e.starts_with('-'));
        for entry in entries {
            match entry.as_str() {
                "*all" => selection.all = true,
                "*navigable" => selection.navigable = true,
                e if e.starts_with('-') => {
                    selection.exclude.insert(e[1..].to_string());
                }
                e => {
                    selection.include.insert(e.to_string());
                }
            }
        }
        // `-description` alone means "navigable fields except description".
        if only_exclusions {
            selection.navigable = true;
        }
        selection
    }

    pub fn wants(&self, field: &str) -> bool {
        if self.exclude.contains(field) {
            return false;
        }
        self.all || (self.navigable && field != "comment") || self.include.contains(field)
    }

    /// True when nothing but the id was asked for: the answer is `{"id": ...}`.
    pub fn ids_only(&self) -> bool {
        !self.all && !self.navigable && self.include.iter().all(|f| f == "id" || f == "key")
    }
}

/// Expansions a request asked for (`renderedFields`, `names`, `transitions`, `changelog`, ...).
#[derive(Debug, Clone, Default)]
pub struct Expand(HashSet<String>);

impl Expand {
    pub fn parse<S: AsRef<str>>(values: &[S]) -> Self {
        Expand(
            values
                .iter()
                .flat_map(|v| {
                    v.as_ref()
                        .split(',')
                        .map(|s| s.trim().to_string())
                        .collect::<Vec<_>>()
                })
                .filter(|s| !s.is_empty())
                .collect(),
        )
    }
    pub fn has(&self, name: &str) -> bool {
        self.0.contains(name)
    }
}

/// Renders values against one site's base URL.
pub struct Render<'a> {
    pub data: &'a SiteData,
    pub base: &'a str,
}

impl Render<'_> {
    /// A user embedded in another resource (`UserDetails`: no `locale`).
    pub fn user(&self, account_id: &str) -> Value {
        match self.data.user(account_id) {
            Some(u) => {
                let mut value = self.user_full(u);
                if let Some(obj) = value.as_object_mut() {
                    obj.remove("locale");
                }
                value
            }
            None => json!({
                "accountId": account_id,
                "accountType": "atlassian",
                "active": false,
                "displayName": "Former user",
                "self": format!("{}/rest/api/3/user?accountId={account_id}", self.base),
            }),
        }
    }

    pub fn user_full(&self, u: &User) -> Value {
        let initials: String = u
            .display_name
            .split_whitespace()
            .filter_map(|w| w.chars().next())
            .collect();
        let avatar = |size: u32| {
            format!(
                "{}/_sim/avatar/{}.png?size={size}&initials={}",
                self.base,
                u.account_id,
                urlencode(&initials)
            )
        };
        json!({
            "self": format!("{}/rest/api/3/user?accountId={}", self.base, u.account_id),
            "accountId": u.account_id,
            "accountType": "atlassian",
            "emailAddress": u.email,
            "avatarUrls": {"48x48": avatar(48), "24x24": avatar(24), "16x16": avatar(16), "32x32": avatar(32)},
            "displayName": u.display_name,
            "active": u.active,
            "timeZone": u.time_zone,
            "locale": u.locale,
        })
    }

    pub fn status(&self, s: &Status) -> Value {
        json!({
            "self": format!("{}/rest/api/3/status/{}", self.base, s.id),
            "description": s.description,
            "iconUrl": format!("{}/images/icons/statuses/generic.png", self.base),
            "name": s.name,
            "id": s.id,
            "statusCategory": {
                "self": format!("{}/rest/api/3/statuscategory/{}", self.base, s.category.id()),
                "id": s.category.id(),
                "key": s.category.key(),
                "colorName": s.category.color(),
                "name": s.category.name(),
            }
        })
    }

    fn status_by_id(&self, id: &str) -> Value {
        self.data.status(id).map_or(Value::Null, |s| self.status(s))
    }

    fn priority(&self, id: &str) -> Value {
        self.data.priority(id).map_or(Value::Null, |p| {
            json!({
                "self": format!("{}/rest/api/3/priority/{}", self.base, p.id),
                "iconUrl": format!("{}/images/icons/priorities/{}.svg", self.base, p.name.to_lowercase()),
                "name": p.name,
                "id": p.id,
            })
        })
    }

    fn issue_type(&self, id: &str) -> Value {
        self.data.issue_type(id).map_or(Value::Null, |t| {
            json!({
                "self": format!("{}/rest/api/3/issuetype/{}", self.base, t.id),
                "id": t.id,
                "description": t.description,
                "iconUrl": format!("{}/images/icons/issuetypes/{}.svg", self.base, t.name.to_lowercase()),
                "name": t.name,
                "subtask": t.subtask,
                "hierarchyLevel": t.hierarchy_level,
            })
        })
    }

    pub fn project(&self, p: &Project) -> Value {
        json!({
            "self": format!("{}/rest/api/3/project/{}", self.base, p.id),
            "id": p.id,
            "key": p.key,
            "name": p.name,
            "projectTypeKey": p.type_key,
            "simplified": false,
            "style": "classic",
            "isPrivate": p.admin_only,
            "avatarUrls": {
                "48x48": format!("{}/_sim/avatar/project-{}.png?size=48", self.base, p.key),
                "24x24": format!("{}/_sim/avatar/project-{}.png?size=24", self.base, p.key),
                "16x16": format!("{}/_sim/avatar/project-{}.png?size=16", self.base, p.key),
                "32x32": format!("{}/_sim/avatar/project-{}.png?size=32", self.base, p.key),
            },
        })
    }

    /// The full project, as `GET /project/{key}` answers.
    pub fn project_full(&self, p: &Project) -> Value {
        let mut value = self.project_expanded(p, &["description", "lead", "issueTypes"]);
        value["assigneeType"] = json!("UNASSIGNED");
        value
    }

    /// A project with the `expand` options of `project/search` (`description`, `lead`, `issueTypes`).
    pub fn project_expanded<S: AsRef<str>>(&self, p: &Project, expand: &[S]) -> Value {
        let mut value = self.project(p);
        let wants = |name: &str| expand.iter().any(|e| e.as_ref() == name);
        if wants("description") {
            value["description"] = json!(p.description);
        }
        if wants("lead") {
            value["lead"] = self.user(&p.lead);
        }
        if wants("issueTypes") {
            value["issueTypes"] =
                Value::Array(p.issue_types.iter().map(|t| self.issue_type(t)).collect());
        }
        value
    }

    /// The small form of an issue used in `parent` and `subtasks`.
    /// Jira leaves an unset `priority` out here (`LinkedIssue.fields.priority` is not nullable).
    fn issue_ref(&self, id: u64) -> Value {
        let Some(i) = self.data.issues.get(&id) else {
            return Value::Null;
        };
        let mut value = json!({
            "id": i.id.to_string(),
            "key": i.key,
            "self": format!("{}/rest/api/3/issue/{}", self.base, i.id),
            "fields": {
                "summary": i.summary,
                "status": self.status_by_id(&i.status),
                "issuetype": self.issue_type(&i.issue_type),
            }
        });
        if let Some(priority) = i.priority.as_deref() {
            value["fields"]["priority"] = self.priority(priority);
        }
        value
    }

    pub fn comment(&self, issue: &Issue, c: &Comment, rendered: bool) -> Value {
        let mut value = json!({
            "self": format!("{}/rest/api/3/issue/{}/comment/{}", self.base, issue.id, c.id),
            "id": c.id.to_string(),
            "author": self.user(&c.author),
            "body": *c.body.adf,
            "updateAuthor": self.user(&c.update_author),
            "created": ts(&c.created),
            "updated": ts(&c.updated),
            "jsdPublic": true,
        });
        if rendered {
            value["renderedBody"] = json!(crate::adf::to_html(&c.body.adf));
        }
        value
    }

    pub fn history(&self, h: &History) -> Value {
        json!({
            "id": h.id.to_string(),
            "author": self.user(&h.author),
            "created": ts(&h.created),
            "items": h.items.iter().map(|i| json!({
                "field": i.field,
                "fieldtype": i.field_type,
                "fieldId": i.field_id,
                "from": i.from,
                "fromString": i.from_string,
                "to": i.to,
                "toString": i.to_string,
            })).collect::<Vec<_>>(),
        })
    }

    /// An attachment; only images have a `thumbnail`.
    pub fn attachment(&self, a: &Attachment) -> Value {
        let mut value = json!({
            "self": format!("{}/rest/api/3/attachment/{}", self.base, a.id),
            "id": a.id.to_string(),
            "filename": a.filename,
            "author": self.user(&a.author),
            "created": ts(&a.created),
            "size": a.content.len(),
            "mimeType": a.mime_type,
            "content": format!("{}/rest/api/3/attachment/content/{}", self.base, a.id),
        });
        if a.mime_type.starts_with("image/") {
            value["thumbnail"] = json!(format!(
                "{}/rest/api/3/attachment/thumbnail/{}",
                self.base, a.id
            ));
        }
        value
    }

    pub fn transition(&self, t: &Transition, with_fields: bool) -> Value {
        let mut value = json!({
            "id": t.id,
            "name": t.name,
            "to": self.status_by_id(&t.to),
            "hasScreen": !t.required_fields.is_empty(),
            "isGlobal": t.from.is_empty(),
            "isInitial": false,
            "isAvailable": true,
            "isConditional": false,
            "isLooped": false,
        });
        if with_fields {
            let mut fields = Map::new();
            for f in &t.required_fields {
                fields.insert(f.clone(), self.field_meta(f, true));
            }
            value["fields"] = Value::Object(fields);
        }
        value
    }

    /// Field metadata of a transition screen (only `resolution` is used by the workflows).
    fn field_meta(&self, field: &str, required: bool) -> Value {
        let allowed: Vec<Value> = if field == "resolution" {
            self.data
                .resolutions
                .iter()
                .map(|r| json!({"self": format!("{}/rest/api/3/resolution/{}", self.base, r.id), "id": r.id, "name": r.name, "description": r.description}))
                .collect()
        } else {
            Vec::new()
        };
        json!({
            "required": required,
            "schema": {"type": field, "system": field},
            "name": field_name(self.data, field),
            "key": field,
            "hasDefaultValue": false,
            "operations": ["set"],
            "allowedValues": allowed,
        })
    }

    /// Value of one field of an issue in Jira's shape. `None` for unknown field ids.
    pub fn field(&self, i: &Issue, field: &str, comment_limit: usize) -> Option<Value> {
        let opt_user = |id: &Option<String>| id.as_deref().map_or(Value::Null, |a| self.user(a));
        let value = match field {
            "summary" => json!(i.summary),
            "status" => self.status_by_id(&i.status),
            "priority" => i.priority.as_deref().map_or(Value::Null, |p| self.priority(p)),
            "issuetype" => self.issue_type(&i.issue_type),
            "assignee" => opt_user(&i.assignee),
            "reporter" => opt_user(&i.reporter),
            "creator" => self.user(&i.creator),
            "labels" => json!(i.labels),
            "created" => json!(ts(&i.created)),
            "updated" => json!(ts(&i.updated)),
            "duedate" => i.due_date.map_or(Value::Null, |d| json!(d.format("%Y-%m-%d").to_string())),
            "resolution" => i.resolution.as_deref().and_then(|r| self.data.resolution(r)).map_or(Value::Null, |r| {
                json!({"self": format!("{}/rest/api/3/resolution/{}", self.base, r.id), "id": r.id, "description": r.description, "name": r.name})
            }),
            "resolutiondate" => i.resolution_date.as_ref().map_or(Value::Null, |t| json!(ts(t))),
            "project" => self.data.project(&i.project).map_or(Value::Null, |p| self.project(p)),
            "parent" => return Some(i.parent.map_or(Value::Null, |p| self.issue_ref(p))).filter(|v| !v.is_null()),
            "subtasks" => Value::Array(i.subtasks.iter().map(|s| self.issue_ref(*s)).collect()),
            "description" => i.description.as_ref().map_or(Value::Null, |d| (*d.adf).clone()),
            "comment" => json!({
                "comments": i.comments.iter().take(comment_limit).map(|c| self.comment(i, c, false)).collect::<Vec<_>>(),
                "self": format!("{}/rest/api/3/issue/{}/comment", self.base, i.id),
                "maxResults": comment_limit.min(i.comments.len()),
                "total": i.comments.len(),
                "startAt": 0,
            }),
            "attachment" => Value::Array(i.attachments.iter().map(|a| self.attachment(a)).collect()),
            custom if custom.starts_with("customfield_") => {
                let definition = self.data.custom_field(custom)?;
                match i.custom.get(custom) {
                    None => Value::Null,
                    Some(v) => self.custom_value(definition.kind, v),
                }
            }
            _ => return None,
        };
        Some(value)
    }

    fn custom_value(&self, kind: super::model::CustomKind, v: &Value) -> Value {
        use super::model::CustomKind;
        match kind {
            CustomKind::User => v
                .get("accountId")
                .and_then(Value::as_str)
                .map_or(Value::Null, |a| self.user(a)),
            CustomKind::Select => {
                let mut option = v.clone();
                if let (Some(obj), Some(id)) =
                    (option.as_object_mut(), v.get("id").and_then(Value::as_str))
                {
                    obj.insert(
                        "self".into(),
                        json!(format!("{}/rest/api/3/customFieldOption/{id}", self.base)),
                    );
                }
                option
            }
            CustomKind::Number | CustomKind::Date => v.clone(),
        }
    }

    /// An IssueBean. `embedded` caps comments and changelog at 20 as search and bulkfetch do.
    pub fn issue(
        &self,
        i: &Issue,
        fields: &FieldSelection,
        expand: &Expand,
        viewer: &User,
        embedded: bool,
    ) -> Value {
        let mut out = Map::new();
        if fields.ids_only() && !expand.has("transitions") && !expand.has("changelog") {
            out.insert("id".into(), json!(i.id.to_string()));
            if fields.include.contains("key") {
                out.insert("key".into(), json!(i.key));
            }
            return Value::Object(out);
        }
        out.insert(
            "expand".into(),
            json!(
                "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations"
            ),
        );
        out.insert("id".into(), json!(i.id.to_string()));
        out.insert(
            "self".into(),
            json!(format!("{}/rest/api/3/issue/{}", self.base, i.id)),
        );
        out.insert("key".into(), json!(i.key));
        let comment_limit = if embedded { EMBEDDED_LIMIT } else { usize::MAX };
        let mut values = Map::new();
        let mut names = Map::new();
        for field in SYSTEM_FIELDS
            .iter()
            .copied()
            .chain(self.data.custom_fields.iter().map(|f| f.id.as_str()))
        {
            if !fields.wants(field) {
                continue;
            }
            // Jira leaves `parent` out entirely when there is none.
            let Some(value) = self.field(i, field, comment_limit) else {
                continue;
            };
            values.insert(field.to_string(), value);
            names.insert(field.to_string(), json!(field_name(self.data, field)));
        }
        if expand.has("renderedFields") {
            let mut rendered = Map::new();
            for key in values.keys() {
                let html = match key.as_str() {
                    "description" => i
                        .description
                        .as_ref()
                        .map_or(Value::Null, |d| json!(crate::adf::to_html(&d.adf))),
                    "comment" => json!({
                        "comments": i.comments.iter().take(comment_limit).map(|c| self.comment(i, c, true)).collect::<Vec<_>>(),
                        "maxResults": comment_limit.min(i.comments.len()),
                        "total": i.comments.len(),
                        "startAt": 0,
                    }),
                    "created" => json!(i.created.format("%d/%b/%y %I:%M %p").to_string()),
                    "updated" => json!(i.updated.format("%d/%b/%y %I:%M %p").to_string()),
                    _ => Value::Null,
                };
                rendered.insert(key.clone(), html);
            }
            out.insert("renderedFields".into(), Value::Object(rendered));
        }
        if expand.has("names") {
            out.insert("names".into(), Value::Object(names));
        }
        if expand.has("transitions") {
            let transitions: Vec<Value> = self
                .data
                .project(&i.project)
                .map(|p| {
                    p.workflow
                        .available_from(&i.status)
                        .map(|t| self.transition(t, false))
                        .collect()
                })
                .unwrap_or_default();
            out.insert("transitions".into(), Value::Array(transitions));
        }
        if expand.has("changelog") {
            let limit = if embedded { EMBEDDED_LIMIT } else { 100 };
            let histories: Vec<Value> = i
                .changelog
                .iter()
                .rev()
                .take(limit)
                .map(|h| self.history(h))
                .collect();
            out.insert(
                "changelog".into(),
                json!({"startAt": 0, "maxResults": histories.len(), "total": i.changelog.len(), "histories": histories}),
            );
        }
        if expand.has("operations") {
            out.insert("operations".into(), json!({"linkGroups": []}));
        }
        if expand.has("editmeta") {
            let _ = viewer;
            out.insert("editmeta".into(), json!({"fields": {}}));
        }
        out.insert("fields".into(), Value::Object(values));
        Value::Object(out)
    }
}

/// Display name of a field id.
pub fn field_name(data: &SiteData, field: &str) -> String {
    let name = match field {
        "summary" => "Summary",
        "status" => "Status",
        "priority" => "Priority",
        "issuetype" => "Issue Type",
        "assignee" => "Assignee",
        "reporter" => "Reporter",
        "creator" => "Creator",
        "labels" => "Labels",
        "created" => "Created",
        "updated" => "Updated",
        "duedate" => "Due date",
        "resolution" => "Resolution",
        "resolutiondate" => "Resolved",
        "project" => "Project",
        "parent" => "Parent",
        "subtasks" => "Sub-tasks",
        "description" => "Description",
        "comment" => "Comment",
        "attachment" => "Attachment",
        other => {
            return data
                .custom_field(other)
                .map_or_else(|| other.to_string(), |f| f.name.clone());
        }
    };
    name.to_string()
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
