//! `issue/{key}/comment` (list, add), `issue/{key}/comment/{id}` (get, edit, delete) and `comment/list`.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Body, Params};
use crate::sim::SimState;
use crate::sim::auth::Caller;
use crate::sim::error::{ApiError, ApiResult};
use crate::sim::json::Render;
use crate::sim::model::{Comment, Doc};
use crate::sim::webhooks::Event;

/// Jira Cloud's per-issue comment limit; beyond it adding answers 413.
const MAX_COMMENTS_PER_ISSUE: usize = 5000;

pub async fn list(
    State(state): State<Arc<SimState>>,
    caller: Caller,
    Path(key): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let params = Params::parse(raw.as_deref());
    let start = params.int("startAt", 0)? as usize;
    let max = params.int("maxResults", 100)? as usize;
    let newest_first = match params.get("orderBy") {
        None | Some("created") | Some("+created") => false,
        Some("-created") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "Invalid orderBy value '{other}'. Only 'created' is supported."
            )));
        }
    };
    let rendered = params.list("expand").iter().any(|e| e == "renderedBody");
    let data = state.data.read();
    let issue = data
        .visible_issue(&caller.user, &key)
        .ok_or_else(ApiError::issue_not_found)?;
    let render = Render {
        data: &data,
        base: &state.base_url,
    };
    let ordered: Box<dyn Iterator<Item = &Comment>> = if newest_first {
        Box::new(issue.comments.iter().rev())
    } else {
        Box::new(issue.comments.iter())
    };
    let comments: Vec<Value> = ordered
        .skip(start)
        .take(max)
        .map(|c| render.comment(issue, c, rendered))
        .collect();
    Ok(Json(
        json!({ "startAt": start, "maxResults": max, "total": issue.comments.len(), "comments": comments }),
    ))
}

#[derive(Deserialize)]
pub struct CommentBody {
    body: Option<Value>,
    #[serde(default)]
    visibility: Option<Value>,
}

fn valid_body(body: Option<Value>) -> ApiResult<Value> {
    let body = body.ok_or_else(|| ApiError::field("comment", "Comment body can not be empty!"))?;
    let is_doc = body.get("type").and_then(Value::as_str) == Some("doc")
        && body.get("content").is_some_and(Value::is_array);
    if !is_doc {
        return Err(ApiError::field(
            "comment",
            "Comment body is not valid! It must be an Atlassian Document.",
        ));
    }
    if crate::adf::to_text(&body).trim().is_empty()
        && body["content"].as_array().is_some_and(Vec::is_empty)
    {
        return Err(ApiError::field("comment", "Comment body can not be empty!"));
    }
    Ok(body)
}

pub async fn add(
    State(state): State<Arc<SimState>>,
    caller: Caller,
    Path(key): Path<String>,
    Body(request): Body<CommentBody>,
) -> ApiResult<Response> {
    let body = valid_body(request.body)?;
    let _ = request.visibility;
    let now = Utc::now();
    let text = crate::adf::to_text(&body);
    let (issue_id, value) = {
        let mut data = state.data.write();
        let issue_id = data
            .visible_issue(&caller.user, &key)
            .ok_or_else(ApiError::issue_not_found)?
            .id;
        let id = data.next_comment_id;
        data.next_comment_id += 1;
        let comment = Comment {
            id,
            author: caller.user.account_id.clone(),
            update_author: caller.user.account_id.clone(),
            body: Doc {
                adf: Arc::new(body),
                text: text.into(),
            },
            created: now,
            updated: now,
        };
        let issue = data
            .issues
            .get_mut(&issue_id)
            .ok_or_else(ApiError::issue_not_found)?;
        if issue.comments.len() >= MAX_COMMENTS_PER_ISSUE {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "The issue has reached its limit of comments.",
            ));
        }
        issue.comments.push(comment);
        issue.updated = now;
        let issue = &data.issues[&issue_id];
        let render = Render {
            data: &data,
            base: &state.base_url,
        };
        let value = issue
            .comments
            .last()
            .map(|c| render.comment(issue, c, false))
            .unwrap_or(Value::Null);
        (issue_id, value)
    };
    state.bump_version();
    let comment_id = value["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_default();
    state.emit(Event::comment(
        "comment_created",
        issue_id,
        comment_id,
        &caller.user.account_id,
    ));
    Ok((StatusCode::CREATED, Json(value)).into_response())
}

fn find(
    data: &crate::sim::model::SiteData,
    caller: &Caller,
    key: &str,
    id: &str,
) -> ApiResult<(u64, usize)> {
    let issue = data
        .visible_issue(&caller.user, key)
        .ok_or_else(ApiError::issue_not_found)?;
    let index = issue
        .comments
        .iter()
        .position(|c| c.id.to_string() == id)
        .ok_or_else(|| {
            ApiError::not_found("Can not find a comment for the id: ".to_string() + id)
        })?;
    Ok((issue.id, index))
}

pub async fn get_one(
    State(state): State<Arc<SimState>>,
    caller: Caller,
    Path((key, id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let rendered = Params::parse(raw.as_deref())
        .list("expand")
        .iter()
        .any(|e| e == "renderedBody");
    let data = state.data.read();
    let (issue_id, index) = find(&data, &caller, &key, &id)?;
    let issue = &data.issues[&issue_id];
    Ok(Json(
        Render {
            data: &data,
            base: &state.base_url,
        }
        .comment(issue, &issue.comments[index], rendered),
    ))
}

pub async fn edit(
    State(state): State<Arc<SimState>>,
    caller: Caller,
    Path((key, id)): Path<(String, String)>,
    Body(request): Body<CommentBody>,
) -> ApiResult<Json<Value>> {
    let body = valid_body(request.body)?;
    let now = Utc::now();
    let (issue_id, comment_id, value) = {
        let mut data = state.data.write();
        let (issue_id, index) = find(&data, &caller, &key, &id)?;
        let issue = data
            .issues
            .get_mut(&issue_id)
            .ok_or_else(ApiError::issue_not_found)?;
        let comment = &mut issue.comments[index];
        if comment.author != caller.user.account_id && !caller.user.admin {
            return Err(ApiError::forbidden(
                "You do not have the permission to edit this comment.",
            ));
        }
        let text = crate::adf::to_text(&body);
        comment.body = Doc {
            adf: Arc::new(body),
            text: text.into(),
        };
        comment.update_author = caller.user.account_id.clone();
        comment.updated = now;
        let comment_id = comment.id;
        issue.updated = now;
        let issue = &data.issues[&issue_id];
        let value = Render {
            data: &data,
            base: &state.base_url,
        }
        .comment(issue, &issue.comments[index], false);
        (issue_id, comment_id, value)
    };
    state.bump_version();
    state.emit(Event::comment(
        "comment_updated",
        issue_id,
        comment_id,
        &caller.user.account_id,
    ));
    Ok(Json(value))
}

pub async fn delete(
    State(state): State<Arc<SimState>>,
    caller: Caller,
    Path((key, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let (issue_id, comment_id, before) = {
        let mut data = state.data.write();
        let (issue_id, index) = find(&data, &caller, &key, &id)?;
        let issue = data
            .issues
            .get_mut(&issue_id)
            .ok_or_else(ApiError::issue_not_found)?;
        if issue.comments[index].author != caller.user.account_id && !caller.user.admin {
            return Err(ApiError::forbidden(
                "You do not have the permission to delete this comment.",
            ));
        }
        // The webhook payload still describes the deleted comment.
        let before = issue.clone();
        let removed = issue.comments.remove(index);
        issue.updated = Utc::now();
        (issue_id, removed.id, before)
    };
    state.bump_version();
    state.emit(
        Event::comment(
            "comment_deleted",
            issue_id,
            comment_id,
            &caller.user.account_id,
        )
        .with_before(before),
    );
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct IdList {
    ids: Option<Vec<i64>>,
}

/// `POST comment/list`: comments by id (1 to 1000), only those on issues the caller may browse.
pub async fn by_ids(
    State(state): State<Arc<SimState>>,
    caller: Caller,
    RawQuery(raw): RawQuery,
    Body(request): Body<IdList>,
) -> ApiResult<Json<Value>> {
    let rendered = Params::parse(raw.as_deref())
        .list("expand")
        .iter()
        .any(|e| e == "renderedBody");
    let ids = request.ids.unwrap_or_default();
    if ids.is_empty() {
        return Err(ApiError::bad_request(
            "At least one comment id must be provided.",
        ));
    }
    if ids.len() > 1000 {
        return Err(ApiError::bad_request(
            "The number of comment ids exceeds the maximum of 1000.",
        ));
    }
    let data = state.data.read();
    let render = Render {
        data: &data,
        base: &state.base_url,
    };
    let mut values = Vec::new();
    for issue in data
        .issues
        .values()
        .filter(|i| data.can_browse(&caller.user, &i.project))
    {
        for comment in issue
            .comments
            .iter()
            .filter(|c| ids.contains(&(c.id as i64)))
        {
            values.push(render.comment(issue, comment, rendered));
        }
    }
    values.sort_by_key(|v| v["id"].as_str().and_then(|s| s.parse::<u64>().ok()));
    Ok(Json(
        json!({ "maxResults": values.len(), "startAt": 0, "total": values.len(), "isLast": true, "values": values }),
    ))
}
