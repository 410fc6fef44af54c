//! `bulk/issues/transition` (GET the available transitions, POST to run them as a task) and
//! `bulk/queue/{taskId}` (the task's progress).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};

use super::issues::{IssueUpdate, commit_changes, transition_issue};
use super::{Body, Params};
use crate::sim::SimState;
use crate::sim::auth::Caller;
use crate::sim::error::{ApiError, ApiResult};
use crate::sim::json::ts;
use crate::sim::model::Ts;

/// Most issues one bulk request may name.
const MAX_ISSUES: usize = 1000;
/// Time the task spends per issue, so clients can watch progress move.
const STEP: Duration = Duration::from_millis(5);

#[derive(Debug, Clone)]
pub struct Task {
    pub owner: String,
    pub status: &'static str,
    pub total: usize,
    pub processed: Vec<u64>,
    pub failed: BTreeMap<String, Vec<String>>,
    pub inaccessible: usize,
    pub created: Ts,
    pub started: Option<Ts>,
    pub updated: Ts,
}

#[derive(Debug, Default)]
pub struct Tasks {
    next: u64,
    tasks: HashMap<String, Task>,
}

/// An error of the bulk endpoints, in their `BulkOperationErrorResponse` shape
/// (`{"errors": [{"message": ...}]}`) rather than Jira's usual `ErrorCollection`.
#[derive(Debug)]
pub struct BulkError(StatusCode, String);

impl BulkError {
    fn bad_request(message: impl Into<String>) -> Self {
        BulkError(StatusCode::BAD_REQUEST, message.into())
    }
}

impl IntoResponse for BulkError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "errors": [{ "message": self.1 }] }))).into_response()
    }
}

/// Per workflow, only the transitions common to its issues and without required screen
/// fields, as Jira; `isTransitionsFiltered` says some were left out.
pub async fn available(
    State(state): State<Arc<SimState>>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, BulkError> {
    let keys = Params::parse(raw.as_deref()).list("issueIdsOrKeys");
    if keys.is_empty() {
        return Err(BulkError::bad_request("issueIdsOrKeys must not be empty."));
    }
    if keys.len() > MAX_ISSUES {
        return Err(BulkError::bad_request(format!(
            "A maximum of {MAX_ISSUES} issues can be specified."
        )));
    }
    let data = state.data.read();
    // One group per workflow (each project has its own): the transitions offered are those
    // available from every issue's status and needing no screen fields.
    let mut groups: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
    for key in &keys {
        if let Some(issue) = data.visible_issue(&caller.user, key) {
            let (issues, statuses) = groups.entry(issue.project.clone()).or_default();
            issues.push(issue.key.clone());
            if !statuses.contains(&issue.status) {
                statuses.push(issue.status.clone());
            }
        }
    }
    let available: Vec<Value> = groups
        .into_iter()
        .filter_map(|(project, (issues, statuses))| {
            let workflow = &data.project(&project)?.workflow;
            let possible: Vec<_> = workflow.transitions.iter().filter(|t| statuses.iter().any(|s| workflow.available_from(s).any(|a| a.id == t.id))).collect();
            let common: Vec<_> = possible
                .iter()
                .filter(|t| t.required_fields.is_empty() && statuses.iter().all(|s| workflow.available_from(s).any(|a| a.id == t.id)))
                .collect();
            let transitions: Vec<Value> = common
                .iter()
                .map(|t| {
                    json!({
                        "transitionId": t.id.parse::<i64>().unwrap_or_default(),
                        "transitionName": t.name,
                        "to": { "statusId": t.to.parse::<i64>().unwrap_or_default(), "statusName": data.status(&t.to).map(|s| s.name.clone()) },
                    })
                })
                .collect();
            Some(json!({ "issues": issues, "isTransitionsFiltered": common.len() < possible.len(), "transitions": transitions }))
        })
        .collect();
    Ok(Json(json!({ "availableTransitions": available })))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkInput {
    selected_issue_ids_or_keys: Vec<String>,
    transition_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkRequest {
    bulk_transition_inputs: Option<Vec<BulkInput>>,
    #[serde(default)]
    send_bulk_notification: Option<bool>,
}

/// Answers 201 with a task id at once; the transitions run in the background.
pub async fn submit(
    State(state): State<Arc<SimState>>,
    caller: Caller,
    Body(request): Body<BulkRequest>,
) -> Result<Response, BulkError> {
    let inputs = request
        .bulk_transition_inputs
        .filter(|i| !i.is_empty())
        .ok_or_else(|| BulkError::bad_request("bulkTransitionInputs must not be empty."))?;
    let _ = request.send_bulk_notification;
    let total: usize = inputs
        .iter()
        .map(|i| i.selected_issue_ids_or_keys.len())
        .sum();
    if total > MAX_ISSUES {
        return Err(BulkError::bad_request(format!(
            "A maximum of {MAX_ISSUES} issues can be transitioned at once."
        )));
    }
    let now = Utc::now();
    let task_id = {
        let mut tasks = state.tasks.lock();
        tasks.next += 1;
        let id = format!("{}", 10000 + tasks.next);
        tasks.tasks.insert(
            id.clone(),
            Task {
                owner: caller.user.account_id.clone(),
                status: "ENQUEUED",
                total,
                processed: vec![],
                failed: BTreeMap::new(),
                inaccessible: 0,
                created: now,
                started: None,
                updated: now,
            },
        );
        id
    };
    let worker_state = state.clone();
    let worker_id = task_id.clone();
    tokio::spawn(async move { run(worker_state, caller, worker_id, inputs).await });
    Ok((StatusCode::CREATED, Json(json!({ "taskId": task_id }))).into_response())
}

async fn run(state: Arc<SimState>, caller: Caller, task_id: String, inputs: Vec<BulkInput>) {
    let update = |f: &dyn Fn(&mut Task)| {
        if let Some(task) = state.tasks.lock().tasks.get_mut(&task_id) {
            f(task);
            task.updated = Utc::now();
        }
    };
    update(&|t| {
        t.status = "RUNNING";
        t.started = Some(Utc::now());
    });
    for input in inputs {
        for key in input.selected_issue_ids_or_keys {
            tokio::time::sleep(STEP).await;
            let outcome = {
                let mut data = state.data.write();
                match data.visible_issue(&caller.user, &key).cloned() {
                    None => Err(None),
                    Some(mut issue) => {
                        let request = IssueUpdate {
                            transition: Some(json!({ "id": input.transition_id })),
                            ..IssueUpdate::default()
                        };
                        let mut items = Vec::new();
                        let mut comments = Vec::new();
                        match transition_issue(
                            &data,
                            &mut issue,
                            &request,
                            &mut items,
                            &mut comments,
                        ) {
                            Ok(()) => {
                                commit_changes(
                                    &mut data,
                                    &mut issue,
                                    &caller.user.account_id,
                                    items.clone(),
                                    comments,
                                    Utc::now(),
                                );
                                let id = issue.id;
                                data.issues.insert(id, issue);
                                Ok((id, items))
                            }
                            Err(e) => {
                                let mut reasons = e.messages;
                                reasons.extend(e.errors.into_values());
                                Err(Some((issue.id, reasons)))
                            }
                        }
                    }
                }
            };
            match outcome {
                Ok((id, items)) => {
                    state.bump_version();
                    state.emit_update(id, &caller.user.account_id, items, Vec::new());
                    update(&|t| t.processed.push(id));
                }
                Err(Some((id, reasons))) => update(&|t| {
                    t.failed.insert(id.to_string(), reasons.clone());
                }),
                Err(None) => update(&|t| t.inaccessible += 1),
            }
        }
    }
    update(&|t| t.status = "COMPLETE");
}

pub async fn progress(
    State(state): State<Arc<SimState>>,
    caller: Caller,
    Path(task_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let tasks = state.tasks.lock();
    let task = tasks
        .tasks
        .get(&task_id)
        .filter(|t| t.owner == caller.user.account_id)
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "Task {task_id} does not exist or you do not have permission to view it."
            ))
        })?;
    let done = task.processed.len() + task.failed.len() + task.inaccessible;
    let percent = (done * 100).checked_div(task.total).unwrap_or(100);
    let mut body = json!({
        "taskId": task_id,
        "status": task.status,
        "progressPercent": percent,
        "processedAccessibleIssues": task.processed,
        "failedAccessibleIssues": task.failed,
        "invalidOrInaccessibleIssueCount": task.inaccessible,
        "totalIssueCount": task.total,
        "created": ts(&task.created),
        "updated": ts(&task.updated),
        "submittedBy": { "accountId": task.owner },
    });
    // An ENQUEUED task has no `started` yet: left out, as `BulkOperationProgress.started` is not nullable.
    if let Some(started) = &task.started {
        body["started"] = json!(ts(started));
    }
    Ok(Json(body))
}
