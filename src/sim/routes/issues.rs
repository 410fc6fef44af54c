//! `issue` (create, get, edit, delete), `issue/bulkfetch`, `issue/{key}/changelog` and
//! `issue/{key}/transitions`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{Body, Params};
use crate::sim::SimState;
use crate::sim::auth::Caller;
use crate::sim::error::{ApiError, ApiResult};
use crate::sim::json::{Expand, FieldSelection, Render, field_name};
use crate::sim::model::{ChangeItem, Comment, CustomKind, Doc, History, Issue, SiteData, Ts};
use crate::sim::webhooks::Event;

pub async fn get_issue(
    State(state): State<Arc<SimState>>,
    caller: Caller,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let params = Params::parse(raw.as_deref());
    let fields = FieldSelection::parse(&params.list("fields"), "*all");
    let expand = Expand::parse(&params.list("expand"));
    let data = state.data.read();
    let issue = data
        .visible_issue(&caller.user, &key)
        .ok_or_else(ApiError::issue_not_found)?;
    let render = Render {
        data: &data,
        base: &state.base_url,
    };
    Ok(Json(render.issue(
        issue,
        &fields,
        &expand,
        &caller.user,
        false,
    )))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkFetchRequest {
    issue_ids_or_keys: Option<Vec<Value>>,
    #[serde(default)]
    fields: Vec<String>,
    #[serde(default)]
    expand: Vec<String>,
    #[serde(default)]
    properties: Vec<String>,
    #[serde(default)]
    fields_by_keys: bool,
}

/// Up to 100 issues by id or key, in ascending id order; unknown and forbidden ones are
/// silently left out, as Jira does.
pub async fn bulkfetch(
    State(state): State<Arc<SimState>>,
    caller: Caller,
    Body(request): Body<BulkFetchRequest>,
) -> ApiResult<Json<Value>> {
    let wanted = request.issue_ids_or_keys.unwrap_or_default();
    if wanted.is_empty() {
        return Err(ApiError::bad_request(
            "At least one issue key or id must be provided.",
        ));
    }
    if wanted.len() > 100 {
        return Err(ApiError::bad_request(
            "The number of issues requested exceeds the maximum of 100.",
        ));
    }
    if request.properties.len() > 5 {
        return Err(ApiError::bad_request(
            "A maximum of 5 issue property keys can be specified.",
        ));
    }
    let _ = request.fields_by_keys;
    let fields = FieldSelection::parse(&request.fields, "*navigable");
    let expand = Expand::parse(&request.expand);
    let data = state.data.read();
    let mut ids: Vec<u64> = wanted
        .iter()
        .filter_map(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .filter_map(|k| data.visible_issue(&caller.user, &k).map(|i| i.id))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let render = Render {
        data: &data,
        base: &state.base_url,
    };
    let issues: Vec<Value> = ids
        .iter()
        .filter_map(|id| data.issues.get(id))
        .map(|i| render.issue(i, &fields, &expand, &caller.user, true))
        .collect();
    Ok(Json(json!({ "issues": issues, "issueErrors": [] })))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct IssueUpdate {
    #[serde(default)]
    pub fields: Map<String, Value>,
    #[serde(default)]
    pub update: Map<String, Value>,
    #[serde(default)]
    pub transition: Option<Value>,
    #[serde(default)]
    pub history_metadata: Option<Value>,
    #[serde(default)]
    pub properties: Option<Value>,
}

pub async fn create(
    State(state): State<Arc<SimState>>,
    caller: Caller,
    Body(request): Body<IssueUpdate>,
) -> ApiResult<Response> {
    let mut data = state.data.write();
    let now = Utc::now();
    let fields = &request.fields;
    let mut errors = BTreeMap::new();
    let project_key = fields
        .get("project")
        .and_then(|p| p.get("key").or_else(|| p.get("id")))
        .and_then(Value::as_str)
        .and_then(|k| data.project(k))
        .filter(|p| data.can_browse(&caller.user, &p.key))
        .map(|p| p.key.clone());
    if project_key.is_none() {
        errors.insert(
            "project".to_string(),
            "Specify a valid project ID or key".to_string(),
        );
    }
    let issue_type = fields
        .get("issuetype")
        .and_then(|t| {
            let by_id = t
                .get("id")
                .and_then(Value::as_str)
                .and_then(|id| data.issue_type(id));
            by_id.or_else(|| {
                t.get("name").and_then(Value::as_str).and_then(|n| {
                    data.issue_types
                        .iter()
                        .find(|it| it.name.eq_ignore_ascii_case(n))
                })
            })
        })
        .map(|t| t.id.clone());
    if issue_type.is_none() {
        errors.insert("issuetype".to_string(), "Specify an issue type".to_string());
    }
    if fields
        .get("summary")
        .and_then(Value::as_str)
        .is_none_or(|s| s.trim().is_empty())
    {
        errors.insert(
            "summary".to_string(),
            "You must specify a summary of the issue.".to_string(),
        );
    }
    let (Some(project_key), Some(issue_type)) = (project_key, issue_type) else {
        return Err(ApiError {
            status: StatusCode::BAD_REQUEST,
            messages: vec![],
            errors,
        });
    };
    if !errors.is_empty() {
        return Err(ApiError {
            status: StatusCode::BAD_REQUEST,
            messages: vec![],
            errors,
        });
    }
    let id = data.next_issue_id;
    let project = data
        .project_mut(&project_key)
        .ok_or_else(|| ApiError::bad_request("Unknown project"))?;
    let number = project.next_number;
    let initial = project
        .workflow
        .transitions
        .first()
        .and_then(|t| t.from.first())
        .cloned()
        .unwrap_or_else(|| crate::sim::seed::STATUS_TODO.to_string());
    let key = format!("{project_key}-{number}");
    let mut issue = Issue {
        id,
        key: key.clone(),
        project: project_key.clone(),
        number,
        issue_type,
        status: initial,
        priority: Some("3".into()),
        resolution: None,
        resolution_date: None,
        summary: String::new(),
        description: None,
        assignee: None,
        reporter: Some(caller.user.account_id.clone()),
        creator: caller.user.account_id.clone(),
        labels: Vec::new(),
        created: now,
        updated: now,
        due_date: None,
        parent: None,
        subtasks: Vec::new(),
        custom: BTreeMap::new(),
        comments: Vec::new(),
        changelog: Vec::new(),
        attachments: Vec::new(),
    };
    let mut items = Vec::new();
    for (field, value) in fields {
        if matches!(field.as_str(), "project" | "issuetype") {
            continue;
        }
        if let Err(message) = set_field(&data, &mut issue, field, value, &mut items) {
            errors.insert(field.clone(), message);
        }
    }
    if issue.parent.is_none()
        && data
            .issue_type(&issue.issue_type)
            .is_some_and(|t| t.subtask)
    {
        errors.entry("parent".to_string()).or_insert_with(|| {
            "Issue type is a sub-task but parent issue key or id not specified.".to_string()
        });
    }
    if !errors.is_empty() {
        return Err(ApiError {
            status: StatusCode::BAD_REQUEST,
            messages: vec![],
            errors,
        });
    }
    if let Some(project) = data.project_mut(&project_key) {
        project.next_number += 1;
    }
    data.next_issue_id += 1;
    // Jira lists only sub-tasks under a parent's `subtasks`.
    let is_subtask = data
        .issue_type(&issue.issue_type)
        .is_some_and(|t| t.subtask);
    if let Some(parent) = issue.parent.filter(|_| is_subtask)
        && let Some(p) = data.issues.get_mut(&parent)
    {
        p.subtasks.push(id);
    }
    data.keys.insert(key.clone(), id);
    data.issues.insert(id, issue);
    drop(data);
    state.bump_version();
    state.emit(Event::issue(
        "jira:issue_created",
        id,
        &caller.user.account_id,
        Vec::new(),
    ));
    let body = json!({ "id": id.to_string(), "key": key, "self": format!("{}/rest/api/3/issue/{id}", state.base_url) });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

pub async fn edit(
    State(state): State<Arc<SimState>>,
    caller: Caller,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
    Body(request): Body<IssueUpdate>,
) -> ApiResult<Response> {
    let params = Params::parse(raw.as_deref());
    let (id, items, comments) = {
        let mut data = state.data.write();
        let mut issue = data
            .visible_issue(&caller.user, &key)
            .ok_or_else(ApiError::issue_not_found)?
            .clone();
        let mut errors = BTreeMap::new();
        let mut items = Vec::new();
        for field in request.fields.keys() {
            if request.update.contains_key(field) {
                errors.insert(
                    field.clone(),
                    "Field cannot be specified in both 'fields' and 'update'.".to_string(),
                );
            }
        }
        for (field, value) in &request.fields {
            if let Err(message) = set_field(&data, &mut issue, field, value, &mut items) {
                errors.entry(field.clone()).or_insert(message);
            }
        }
        let mut new_comments = Vec::new();
        for (field, operations) in &request.update {
            if let Err(message) = apply_operations(
                &data,
                &mut issue,
                field,
                operations,
                &mut items,
                &mut new_comments,
            ) {
                errors.entry(field.clone()).or_insert(message);
            }
        }
        if !errors.is_empty() {
            return Err(ApiError {
                status: StatusCode::BAD_REQUEST,
                messages: vec![],
                errors,
            });
        }
        let now = Utc::now();
        let comments = commit_changes(
            &mut data,
            &mut issue,
            &caller.user.account_id,
            items.clone(),
            new_comments,
            now,
        );
        let id = issue.id;
        // Keep the parents' `subtasks` in sync with a changed `parent`.
        let old_parent = data.issues.get(&id).and_then(|i| i.parent);
        if old_parent != issue.parent {
            if let Some(p) = old_parent.and_then(|p| data.issues.get_mut(&p)) {
                p.subtasks.retain(|s| *s != id);
            }
            let is_subtask = data
                .issue_type(&issue.issue_type)
                .is_some_and(|t| t.subtask);
            if let Some(p) = issue
                .parent
                .filter(|_| is_subtask)
                .and_then(|p| data.issues.get_mut(&p))
            {
                p.subtasks.push(id);
            }
        }
        data.issues.insert(id, issue);
        (id, items, comments)
    };
    state.bump_version();
    state.emit_update(id, &caller.user.account_id, items, comments);
    if params.bool("returnIssue", false) {
        let data = state.data.read();
        let issue = data.issues.get(&id).ok_or_else(ApiError::issue_not_found)?;
        let render = Render {
            data: &data,
            base: &state.base_url,
        };
        let expand = Expand::parse(&params.list("expand"));
        let body = render.issue(
            issue,
            &FieldSelection::parse(&[] as &[&str], "*all"),
            &expand,
            &caller.user,
            false,
        );
        return Ok((StatusCode::OK, Json(body)).into_response());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn delete(
    State(state): State<Arc<SimState>>,
    caller: Caller,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<StatusCode> {
    let params = Params::parse(raw.as_deref());
    let removed = {
        let mut data = state.data.write();
        let issue = data
            .visible_issue(&caller.user, &key)
            .ok_or_else(ApiError::issue_not_found)?;
        if !issue.subtasks.is_empty() && !params.bool("deleteSubtasks", false) {
            return Err(ApiError::bad_request(
                "The issue has subtasks. Use deleteSubtasks=true to delete them too.",
            ));
        }
        let mut removed = vec![issue.id];
        removed.extend(issue.subtasks.iter().copied());
        let parent = issue.parent;
        let id = issue.id;
        if let Some(p) = parent.and_then(|p| data.issues.get_mut(&p)) {
            p.subtasks.retain(|s| *s != id);
        }
        let ids = removed;
        let removed: Vec<Issue> = ids.iter().filter_map(|id| data.issues.remove(id)).collect();
        data.keys.retain(|_, v| !ids.contains(v));
        removed
    };
    state.bump_version();
    for issue in removed {
        state.emit(
            Event::issue(
                "jira:issue_deleted",
                issue.id,
                &caller.user.account_id,
                Vec::new(),
            )
            .with_before(issue),
        );
    }
    Ok(StatusCode::NO_CONTENT)
}

pub async fn changelog(
    State(state): State<Arc<SimState>>,
    caller: Caller,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let params = Params::parse(raw.as_deref());
    let start = params.int("startAt", 0)? as usize;
    let max = (params.int("maxResults", 100)? as usize).min(100);
    let data = state.data.read();
    let issue = data
        .visible_issue(&caller.user, &key)
        .ok_or_else(ApiError::issue_not_found)?;
    let render = Render {
        data: &data,
        base: &state.base_url,
    };
    let total = issue.changelog.len();
    let values: Vec<Value> = issue
        .changelog
        .iter()
        .skip(start)
        .take(max)
        .map(|h| render.history(h))
        .collect();
    let is_last = start + values.len() >= total;
    let mut body = json!({
        "self": format!("{}/rest/api/3/issue/{}/changelog?maxResults={max}&startAt={start}", state.base_url, issue.key),
        "maxResults": max,
        "startAt": start,
        "total": total,
        "isLast": is_last,
        "values": values,
    });
    if !is_last {
        body["nextPage"] = json!(format!(
            "{}/rest/api/3/issue/{}/changelog?maxResults={max}&startAt={}",
            state.base_url,
            issue.key,
            start + max
        ));
    }
    Ok(Json(body))
}

pub async fn transitions(
    State(state): State<Arc<SimState>>,
    caller: Caller,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let params = Params::parse(raw.as_deref());
    let with_fields = params
        .list("expand")
        .iter()
        .any(|e| e == "transitions.fields");
    let only = params.get("transitionId");
    let data = state.data.read();
    let issue = data
        .visible_issue(&caller.user, &key)
        .ok_or_else(ApiError::issue_not_found)?;
    let render = Render {
        data: &data,
        base: &state.base_url,
    };
    let list: Vec<Value> = data
        .project(&issue.project)
        .map(|p| {
            p.workflow
                .available_from(&issue.status)
                .filter(|t| only.is_none_or(|id| id == t.id))
                .map(|t| render.transition(t, with_fields))
                .collect()
        })
        .unwrap_or_default();
    Ok(Json(
        json!({ "expand": "transitions", "transitions": list }),
    ))
}

/// `POST issue/{key}/transitions`: 204, or 400 when the transition is unavailable or a field
/// its screen requires is missing.
pub async fn do_transition(
    State(state): State<Arc<SimState>>,
    caller: Caller,
    Path(key): Path<String>,
    Body(request): Body<IssueUpdate>,
) -> ApiResult<StatusCode> {
    let (id, items) = {
        let mut data = state.data.write();
        let mut issue = data
            .visible_issue(&caller.user, &key)
            .ok_or_else(ApiError::issue_not_found)?
            .clone();
        let mut items = Vec::new();
        let mut new_comments = Vec::new();
        transition_issue(&data, &mut issue, &request, &mut items, &mut new_comments)?;
        let comments = commit_changes(
            &mut data,
            &mut issue,
            &caller.user.account_id,
            items.clone(),
            new_comments,
            Utc::now(),
        );
        let id = issue.id;
        data.issues.insert(id, issue);
        (id, (items, comments))
    };
    let (items, comments) = items;
    state.bump_version();
    state.emit_update(id, &caller.user.account_id, items, comments);
    Ok(StatusCode::NO_CONTENT)
}

/// Validates and applies a transition (with its screen fields and update operations) to `issue`.
pub fn transition_issue(
    data: &SiteData,
    issue: &mut Issue,
    request: &IssueUpdate,
    items: &mut Vec<ChangeItem>,
    new_comments: &mut Vec<Value>,
) -> ApiResult<()> {
    let transition_id = request
        .transition
        .as_ref()
        .and_then(|t| t.get("id"))
        .and_then(|v| {
            v.as_str()
                .map(str::to_string)
                .or_else(|| v.as_i64().map(|n| n.to_string()))
        })
        .ok_or_else(|| ApiError::bad_request("Transition id must be specified."))?;
    let project = data
        .project(&issue.project)
        .ok_or_else(ApiError::issue_not_found)?;
    let transition = project
        .workflow
        .available_from(&issue.status)
        .find(|t| t.id == transition_id)
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "Transition id '{transition_id}' is not valid for this issue."
            ))
        })?
        .clone();
    let mut errors = BTreeMap::new();
    for required in &transition.required_fields {
        if !request.fields.contains_key(required) {
            errors.insert(
                required.clone(),
                format!("{} is required.", field_name(data, required)),
            );
        }
    }
    for (field, value) in &request.fields {
        if field == "resolution" && !transition.required_fields.iter().any(|f| f == "resolution") {
            errors.insert(field.clone(), "Field 'resolution' cannot be set. It is not on the appropriate screen, or unknown.".into());
            continue;
        }
        if let Err(message) = set_field(data, issue, field, value, items) {
            errors.entry(field.clone()).or_insert(message);
        }
    }
    for (field, operations) in &request.update {
        if let Err(message) = apply_operations(data, issue, field, operations, items, new_comments)
        {
            errors.entry(field.clone()).or_insert(message);
        }
    }
    if !errors.is_empty() {
        return Err(ApiError {
            status: StatusCode::BAD_REQUEST,
            messages: vec![],
            errors,
        });
    }
    let from = data.status(&issue.status).map(|s| s.name.clone());
    let to = data.status(&transition.to);
    items.push(ChangeItem {
        field: "status".into(),
        field_id: "status".into(),
        field_type: "jira".into(),
        from: Some(issue.status.clone()),
        from_string: from,
        to: Some(transition.to.clone()),
        to_string: to.map(|s| s.name.clone()),
    });
    let done = to.is_some_and(|s| s.category == crate::sim::model::Category::Done);
    if !done && issue.resolution.is_some() {
        let old = issue.resolution.take();
        items.push(change(
            "resolution",
            old.as_deref()
                .and_then(|r| data.resolution(r))
                .map(|r| r.name.clone()),
            None,
        ));
        issue.resolution_date = None;
    }
    if done && issue.resolution.is_none() {
        issue.resolution = Some("10000".into());
    }
    if done {
        issue.resolution_date = Some(Utc::now());
    }
    issue.status = transition.to;
    Ok(())
}

/// Stores history, comments and the new `updated` time of an edited issue, and tells webhooks.
/// Returns the ids of the comments it added.
pub fn commit_changes(
    data: &mut SiteData,
    issue: &mut Issue,
    author: &str,
    items: Vec<ChangeItem>,
    new_comments: Vec<Value>,
    now: Ts,
) -> Vec<u64> {
    let mut comment_ids = Vec::new();
    for body in new_comments {
        let id = data.next_comment_id;
        data.next_comment_id += 1;
        let text = crate::adf::to_text(&body);
        comment_ids.push(id);
        issue.comments.push(Comment {
            id,
            author: author.to_string(),
            update_author: author.to_string(),
            body: Doc {
                adf: Arc::new(body),
                text: text.into(),
            },
            created: now,
            updated: now,
        });
    }
    if !items.is_empty() {
        let id = data.next_history_id;
        data.next_history_id += 1;
        issue.changelog.push(History {
            id,
            author: author.to_string(),
            created: now,
            items,
        });
    }
    issue.updated = now;
    comment_ids
}

fn change(field: &str, from: Option<String>, to: Option<String>) -> ChangeItem {
    ChangeItem {
        field: field.to_string(),
        field_id: field.to_string(),
        field_type: if field.starts_with("customfield_") {
            "custom"
        } else {
            "jira"
        }
        .to_string(),
        from: None,
        from_string: from,
        to: None,
        to_string: to,
    }
}

fn is_adf_doc(value: &Value) -> bool {
    value.get("type").and_then(Value::as_str) == Some("doc")
        && value.get("content").is_some_and(Value::is_array)
}

fn account(data: &SiteData, value: &Value, field: &str) -> Result<Option<String>, String> {
    if value.is_null() {
        return Ok(None);
    }
    let id = value
        .get("accountId")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("Specify a valid value for {field}"))?;
    data.user(id)
        .map(|u| Some(u.account_id.clone()))
        .ok_or_else(|| format!("User '{id}' does not exist."))
}

fn date(value: &Value) -> Result<Option<NaiveDate>, String> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| format!("Error parsing date string: {s}")),
        other => Err(format!("Error parsing date string: {other}")),
    }
}

/// Sets one field to `value`, recording the change. `Err` carries Jira's message for `errors`.
pub fn set_field(
    data: &SiteData,
    issue: &mut Issue,
    field: &str,
    value: &Value,
    items: &mut Vec<ChangeItem>,
) -> Result<(), String> {
    let name = |id: &Option<String>| {
        id.as_deref()
            .and_then(|a| data.user(a))
            .map(|u| u.display_name.clone())
    };
    match field {
        "summary" => {
            let summary = value
                .as_str()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .ok_or("You must specify a summary of the issue.")?;
            if summary.chars().count() > 255 {
                return Err("Summary must be less than 255 characters.".into());
            }
            items.push(change(
                "summary",
                Some(issue.summary.clone()),
                Some(summary.to_string()),
            ));
            issue.summary = summary.to_string();
        }
        "description" => {
            if !value.is_null() && !is_adf_doc(value) {
                return Err("Operation value must be an Atlassian Document (see the Atlassian Document Format)".into());
            }
            let old = issue.description.as_ref().map(|d| d.text.to_string());
            issue.description = (!value.is_null()).then(|| {
                let text = crate::adf::to_text(value);
                Doc {
                    adf: Arc::new(value.clone()),
                    text: text.into(),
                }
            });
            items.push(change(
                "description",
                old,
                issue.description.as_ref().map(|d| d.text.to_string()),
            ));
        }
        "labels" => {
            let labels = value
                .as_array()
                .ok_or("Labels must be a list of strings.")?;
            let mut new = Vec::new();
            for label in labels {
                let label = label.as_str().ok_or("Labels must be a list of strings.")?;
                validate_label(label)?;
                if !new.iter().any(|l: &String| l == label) {
                    new.push(label.to_string());
                }
            }
            items.push(change(
                "labels",
                Some(issue.labels.join(" ")),
                Some(new.join(" ")),
            ));
            issue.labels = new;
        }
        "assignee" => {
            let new = account(data, value, "assignee")?;
            items.push(change("assignee", name(&issue.assignee), name(&new)));
            issue.assignee = new;
        }
        "reporter" => {
            let new = account(data, value, "reporter")?;
            items.push(change("reporter", name(&issue.reporter), name(&new)));
            issue.reporter = new;
        }
        "priority" => {
            let priority = if value.is_null() {
                None
            } else {
                let by_id = value
                    .get("id")
                    .and_then(Value::as_str)
                    .and_then(|id| data.priority(id));
                let by_name = value.get("name").and_then(Value::as_str).and_then(|n| {
                    data.priorities
                        .iter()
                        .find(|p| p.name.eq_ignore_ascii_case(n))
                });
                Some(
                    by_id
                        .or(by_name)
                        .ok_or("The priority selected is invalid.")?
                        .id
                        .clone(),
                )
            };
            let label = |p: &Option<String>| {
                p.as_deref()
                    .and_then(|p| data.priority(p))
                    .map(|p| p.name.clone())
            };
            items.push(change("priority", label(&issue.priority), label(&priority)));
            issue.priority = priority;
        }
        "duedate" => {
            let new = date(value)?;
            items.push(change(
                "duedate",
                issue.due_date.map(|d| d.to_string()),
                new.map(|d| d.to_string()),
            ));
            issue.due_date = new;
        }
        "resolution" => {
            let by_id = value
                .get("id")
                .and_then(Value::as_str)
                .and_then(|id| data.resolution(id));
            let by_name = value.get("name").and_then(Value::as_str).and_then(|n| {
                data.resolutions
                    .iter()
                    .find(|r| r.name.eq_ignore_ascii_case(n))
            });
            let resolution = by_id
                .or(by_name)
                .ok_or("Specify a valid resolution (id or name).")?;
            let old = issue
                .resolution
                .as_deref()
                .and_then(|r| data.resolution(r))
                .map(|r| r.name.clone());
            items.push(change("resolution", old, Some(resolution.name.clone())));
            issue.resolution = Some(resolution.id.clone());
        }
        "parent" => {
            let reference = value
                .get("key")
                .or_else(|| value.get("id"))
                .and_then(Value::as_str)
                .ok_or("Specify the parent by key or id.")?;
            let parent = data
                .issue(reference)
                .filter(|p| p.project == issue.project && p.id != issue.id)
                .ok_or("The parent issue could not be found.")?;
            // Sub-tasks go under standard issues, standard issues under epics.
            let level = |type_id: &str| data.issue_type(type_id).map_or(0, |t| t.hierarchy_level);
            if level(&parent.issue_type) != level(&issue.issue_type) + 1 {
                return Err("Given parent issue does not belong to appropriate hierarchy.".into());
            }
            items.push(change(
                "parent",
                issue
                    .parent
                    .and_then(|p| data.issues.get(&p))
                    .map(|p| p.key.clone()),
                Some(parent.key.clone()),
            ));
            issue.parent = Some(parent.id);
        }
        custom if custom.starts_with("customfield_") => {
            let definition = data
                .custom_field(custom)
                .ok_or_else(|| unknown_field(custom))?;
            let stored = if value.is_null() {
                None
            } else {
                Some(match definition.kind {
                    CustomKind::Number => {
                        json!(value.as_f64().ok_or("Operation value must be a number.")?)
                    }
                    CustomKind::Date => json!(date(value)?.map(|d| d.to_string())),
                    CustomKind::User => json!({ "accountId": account(data, value, custom)? }),
                    CustomKind::Select => {
                        let wanted_id = value.get("id").and_then(Value::as_str);
                        let wanted_value = value.get("value").and_then(Value::as_str);
                        let (id, v) = definition
                            .options
                            .iter()
                            .find(|(id, v)| {
                                Some(id.as_str()) == wanted_id || Some(v.as_str()) == wanted_value
                            })
                            .ok_or("Option value is not valid.")?;
                        json!({ "id": id, "value": v })
                    }
                })
            };
            let text = |v: Option<&Value>| {
                v.map(|v| {
                    v.get("value")
                        .cloned()
                        .unwrap_or_else(|| v.clone())
                        .to_string()
                        .trim_matches('"')
                        .to_string()
                })
            };
            items.push(change(
                custom,
                text(issue.custom.get(custom)),
                text(stored.as_ref()),
            ));
            match stored {
                Some(v) => issue.custom.insert(custom.to_string(), v),
                None => issue.custom.remove(custom),
            };
        }
        other => return Err(unknown_field(other)),
    }
    Ok(())
}

fn unknown_field(field: &str) -> String {
    format!("Field '{field}' cannot be set. It is not on the appropriate screen, or unknown.")
}

fn validate_label(label: &str) -> Result<(), String> {
    if label.is_empty() || label.chars().any(char::is_whitespace) {
        return Err("The label must not contain spaces.".into());
    }
    if label.chars().count() > 255 {
        return Err("The label must not exceed 255 characters.".into());
    }
    Ok(())
}

/// Applies `update` operations (`set`, `add`, `remove`) to one field.
fn apply_operations(
    data: &SiteData,
    issue: &mut Issue,
    field: &str,
    operations: &Value,
    items: &mut Vec<ChangeItem>,
    new_comments: &mut Vec<Value>,
) -> Result<(), String> {
    let operations = operations.as_array().ok_or("Operations must be a list.")?;
    for operation in operations {
        let operation = operation
            .as_object()
            .ok_or("Each operation must be an object.")?;
        for (verb, argument) in operation {
            match (field, verb.as_str()) {
                ("comment", "add") => {
                    let body = argument
                        .get("body")
                        .ok_or("Comment body can not be empty!")?;
                    if !is_adf_doc(body) {
                        return Err("Comment body is not valid!".into());
                    }
                    new_comments.push(body.clone());
                }
                ("labels", "add") => {
                    let label = argument.as_str().ok_or("Labels must be strings.")?;
                    validate_label(label)?;
                    if !issue.labels.iter().any(|l| l == label) {
                        let old = issue.labels.join(" ");
                        issue.labels.push(label.to_string());
                        items.push(change("labels", Some(old), Some(issue.labels.join(" "))));
                    }
                }
                ("labels", "remove") => {
                    let label = argument.as_str().ok_or("Labels must be strings.")?;
                    if issue.labels.iter().any(|l| l == label) {
                        let old = issue.labels.join(" ");
                        issue.labels.retain(|l| l != label);
                        items.push(change("labels", Some(old), Some(issue.labels.join(" "))));
                    }
                }
                (_, "set") => set_field(data, issue, field, argument, items)?,
                (_, verb) => {
                    return Err(format!(
                        "Operation '{verb}' is not supported for field '{field}'."
                    ));
                }
            }
        }
    }
    Ok(())
}
