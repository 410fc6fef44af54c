//! `project/search`, `project/{key}` and `field`.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use serde_json::{Value, json};

use super::Params;
use crate::sim::SimState;
use crate::sim::auth::Caller;
use crate::sim::error::{ApiError, ApiResult};
use crate::sim::json::{Render, SYSTEM_FIELDS, field_name};
use crate::sim::model::CustomKind;

/// Only projects the caller may browse; `query` matches key or name, case-insensitively;
/// `expand` adds `description`, `lead` and `issueTypes`.
pub async fn search(
    State(state): State<Arc<SimState>>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let params = Params::parse(raw.as_deref());
    let start = params.int("startAt", 0)? as usize;
    let max = (params.int("maxResults", 50)? as usize).min(100);
    let query = params.get("query").map(str::to_lowercase);
    let keys = params.all("keys");
    let ids = params.all("id");
    let type_key = params.get("typeKey");
    let data = state.data.read();
    let mut projects: Vec<_> = data
        .projects
        .iter()
        .filter(|p| data.can_browse(&caller.user, &p.key))
        .filter(|p| {
            query.as_ref().is_none_or(|q| {
                p.key.to_lowercase().contains(q) || p.name.to_lowercase().contains(q)
            })
        })
        .filter(|p| keys.is_empty() || keys.iter().any(|k| k.eq_ignore_ascii_case(&p.key)))
        .filter(|p| ids.is_empty() || ids.contains(&p.id))
        .filter(|p| type_key.is_none_or(|t| t.split(',').any(|t| t == p.type_key)))
        .collect();
    match params.get("orderBy").unwrap_or("key") {
        "key" | "+key" => projects.sort_by(|a, b| a.key.cmp(&b.key)),
        "-key" => projects.sort_by(|a, b| b.key.cmp(&a.key)),
        "name" | "+name" => projects.sort_by(|a, b| a.name.cmp(&b.name)),
        "-name" => projects.sort_by(|a, b| b.name.cmp(&a.name)),
        _ => {}
    }
    let total = projects.len();
    let render = Render {
        data: &data,
        base: &state.base_url,
    };
    let expand = params.list("expand");
    let values: Vec<Value> = projects
        .iter()
        .skip(start)
        .take(max)
        .map(|p| render.project_expanded(p, &expand))
        .collect();
    let is_last = start + values.len() >= total;
    let mut body = json!({
        "self": format!("{}/rest/api/3/project/search?maxResults={max}&startAt={start}", state.base_url),
        "maxResults": max,
        "startAt": start,
        "total": total,
        "isLast": is_last,
        "values": values,
    });
    if !is_last {
        body["nextPage"] = json!(format!(
            "{}/rest/api/3/project/search?maxResults={max}&startAt={}",
            state.base_url,
            start + max
        ));
    }
    Ok(Json(body))
}

pub async fn get_project(
    State(state): State<Arc<SimState>>,
    caller: Caller,
    Path(key): Path<String>,
) -> ApiResult<Json<Value>> {
    let data = state.data.read();
    let project = data
        .project(&key)
        .filter(|p| data.can_browse(&caller.user, &p.key))
        .ok_or_else(|| {
            ApiError::not_found(format!("No project could be found with key '{key}'."))
        })?;
    Ok(Json(
        Render {
            data: &data,
            base: &state.base_url,
        }
        .project_full(project),
    ))
}

/// Every system and custom field (`FieldDetails[]`).
pub async fn fields(State(state): State<Arc<SimState>>, _caller: Caller) -> Json<Value> {
    let data = state.data.read();
    let mut out: Vec<Value> = SYSTEM_FIELDS
        .iter()
        .map(|id| {
            let (kind, items) = match *id {
                "summary" => ("string", None),
                "status" => ("status", None),
                "priority" => ("priority", None),
                "issuetype" => ("issuetype", None),
                "assignee" | "reporter" | "creator" => ("user", None),
                "labels" => ("array", Some("string")),
                "created" | "updated" | "resolutiondate" => ("datetime", None),
                "duedate" => ("date", None),
                "resolution" => ("resolution", None),
                "project" => ("project", None),
                "parent" => ("issuelink", None),
                "subtasks" => ("array", Some("issuelinks")),
                "description" => ("string", None),
                "comment" => ("comments-page", None),
                "attachment" => ("array", Some("attachment")),
                _ => ("any", None),
            };
            let mut schema = json!({ "type": kind, "system": id });
            if let Some(items) = items {
                schema["items"] = json!(items);
            }
            json!({
                "id": id,
                "key": id,
                "name": field_name(&data, id),
                "custom": false,
                "orderable": !matches!(*id, "comment" | "attachment" | "subtasks"),
                "navigable": *id != "comment",
                "searchable": true,
                "clauseNames": [id],
                "schema": schema,
            })
        })
        .collect();
    for field in &data.custom_fields {
        let (kind, custom) = match field.kind {
            CustomKind::Number => (
                "number",
                "com.atlassian.jira.plugin.system.customfieldtypes:float",
            ),
            CustomKind::Select => (
                "option",
                "com.atlassian.jira.plugin.system.customfieldtypes:select",
            ),
            CustomKind::Date => (
                "date",
                "com.atlassian.jira.plugin.system.customfieldtypes:datepicker",
            ),
            CustomKind::User => (
                "user",
                "com.atlassian.jira.plugin.system.customfieldtypes:userpicker",
            ),
        };
        let number = field.number().parse::<i64>().unwrap_or_default();
        out.push(json!({
            "id": field.id,
            "key": field.id,
            "name": field.name,
            "custom": true,
            "orderable": true,
            "navigable": true,
            "searchable": true,
            "clauseNames": [format!("cf[{number}]"), field.name],
            "schema": { "type": kind, "custom": custom, "customId": number },
        }));
    }
    Json(Value::Array(out))
}
