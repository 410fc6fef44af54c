//! `webhook` (register, list, delete) and `webhook/refresh`: dynamic webhooks of OAuth apps.
//! Only apps may call these (Basic auth answers 403, as on Jira Cloud); registrations expire
//! after 30 days unless refreshed.

use std::sync::Arc;

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Body, Params};
use crate::sim::SimState;
use crate::sim::auth::Caller;
use crate::sim::error::{ApiError, ApiResult};
use crate::sim::webhooks::{EVENTS, Registration};

const LIFETIME_DAYS: i64 = 30;

fn app(caller: &Caller) -> ApiResult<String> {
    caller.app.clone().ok_or_else(|| {
        ApiError::forbidden("Only Connect apps and OAuth 2.0 apps can use this operation.")
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookDetails {
    events: Option<Vec<String>>,
    jql_filter: Option<String>,
    #[serde(default)]
    field_ids_filter: Option<Vec<String>>,
    #[serde(default)]
    issue_property_keys_filter: Option<Vec<String>>,
}

#[derive(Deserialize)]
pub struct RegisterRequest {
    url: Option<String>,
    webhooks: Option<Vec<WebhookDetails>>,
}

/// Checks a jqlFilter against the subset Jira supports for dynamic webhooks: fields issueKey,
/// project, issuetype, status, assignee, reporter; operators =, !=, IN, NOT IN.
fn check_filter(jql: &str) -> Result<(), String> {
    let parsed = crate::sim::jql::parse(jql).map_err(|e| e.message().to_string())?;
    if !parsed.is_bounded() {
        return Err("The JQL filter must not be empty.".into());
    }
    let structure = crate::sim::jql::structure(&parsed);
    let mut problems = Vec::new();
    walk(&structure["where"], &mut problems);
    match problems.first() {
        Some(p) => Err(p.clone()),
        None => Ok(()),
    }
}

fn walk(clause: &Value, problems: &mut Vec<String>) {
    if let Some(clauses) = clause.get("clauses").and_then(Value::as_array) {
        clauses.iter().for_each(|c| walk(c, problems));
        return;
    }
    if let Some(inner) = clause.get("clause") {
        walk(inner, problems);
        return;
    }
    let field = clause
        .pointer("/field/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_lowercase();
    let operator = clause
        .get("operator")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_lowercase();
    let allowed_fields = [
        "issuekey",
        "key",
        "project",
        "issuetype",
        "type",
        "status",
        "assignee",
        "reporter",
    ];
    if !field.is_empty()
        && !allowed_fields.contains(&field.as_str())
        && !field.starts_with("issue.property")
        && !field.starts_with("cf[")
    {
        problems.push(format!(
            "The field '{field}' is not supported in webhook JQL filters."
        ));
    }
    if !operator.is_empty() && !["=", "!=", "in", "not in"].contains(&operator.as_str()) {
        problems.push(format!(
            "The operator '{operator}' is not supported in webhook JQL filters."
        ));
    }
}

pub async fn register(
    State(state): State<Arc<SimState>>,
    caller: Caller,
    Body(request): Body<RegisterRequest>,
) -> ApiResult<Json<Value>> {
    let app = app(&caller)?;
    let url = request
        .url
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
        .ok_or_else(|| ApiError::field("url", "A valid URL must be provided."))?;
    let details = request
        .webhooks
        .filter(|w| !w.is_empty())
        .ok_or_else(|| ApiError::field("webhooks", "At least one webhook must be provided."))?;
    let mut hooks = state.webhooks.lock();
    if hooks
        .registrations
        .iter()
        .any(|r| r.app == app && r.url != url)
    {
        return Err(ApiError::bad_request(
            "Only a single URL per app is allowed to be registered.",
        ));
    }
    let expiration = Utc::now() + Duration::days(LIFETIME_DAYS);
    let mut results = Vec::new();
    for detail in details {
        let events = detail.events.unwrap_or_default();
        let mut errors: Vec<String> = Vec::new();
        if events.is_empty() {
            errors.push("At least one event must be provided.".into());
        }
        errors.extend(
            events
                .iter()
                .filter(|e| !EVENTS.contains(&e.as_str()))
                .map(|e| format!("Event '{e}' is not supported.")),
        );
        match detail.jql_filter.as_deref() {
            None | Some("") => errors.push("The JQL filter is required.".into()),
            Some(jql) => {
                if let Err(e) = check_filter(jql) {
                    errors.push(e);
                }
            }
        }
        let _ = detail.issue_property_keys_filter;
        if !errors.is_empty() {
            results.push(json!({ "errors": errors }));
            continue;
        }
        hooks.next_id += 1;
        let id = hooks.next_id;
        hooks.registrations.push(Registration {
            id,
            app: app.clone(),
            owner: caller.user.account_id.clone(),
            url: url.clone(),
            events,
            jql_filter: detail.jql_filter.unwrap_or_default(),
            field_ids_filter: detail.field_ids_filter,
            expiration,
        });
        results.push(json!({ "createdWebhookId": id }));
    }
    Ok(Json(json!({ "webhookRegistrationResult": results })))
}

pub async fn list(
    State(state): State<Arc<SimState>>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let app = app(&caller)?;
    let params = Params::parse(raw.as_deref());
    let start = params.int("startAt", 0)? as usize;
    let max = (params.int("maxResults", 100)? as usize).min(100);
    let hooks = state.webhooks.lock();
    let mine: Vec<&Registration> = hooks
        .registrations
        .iter()
        .filter(|r| r.app == app)
        .collect();
    let values: Vec<Value> = mine
        .iter()
        .skip(start)
        .take(max)
        .map(|r| {
            let mut v = json!({ "id": r.id, "url": r.url, "jqlFilter": r.jql_filter, "events": r.events, "expirationDate": r.expiration.timestamp_millis() });
            if let Some(fields) = &r.field_ids_filter {
                v["fieldIdsFilter"] = json!(fields);
            }
            v
        })
        .collect();
    Ok(Json(
        json!({ "startAt": start, "maxResults": max, "total": mine.len(), "isLast": start + values.len() >= mine.len(), "values": values }),
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookIds {
    webhook_ids: Option<Vec<u64>>,
}

pub async fn delete(
    State(state): State<Arc<SimState>>,
    caller: Caller,
    Body(request): Body<WebhookIds>,
) -> ApiResult<StatusCode> {
    let app = app(&caller)?;
    let ids = request
        .webhook_ids
        .ok_or_else(|| ApiError::field("webhookIds", "webhookIds must not be null."))?;
    state
        .webhooks
        .lock()
        .registrations
        .retain(|r| !(r.app == app && ids.contains(&r.id)));
    Ok(StatusCode::ACCEPTED)
}

/// Extends the given webhooks by 30 days; unknown ids are ignored.
pub async fn refresh(
    State(state): State<Arc<SimState>>,
    caller: Caller,
    Body(request): Body<WebhookIds>,
) -> ApiResult<Json<Value>> {
    let app = app(&caller)?;
    let ids = request
        .webhook_ids
        .ok_or_else(|| ApiError::field("webhookIds", "webhookIds must not be null."))?;
    let expiration = Utc::now() + Duration::days(LIFETIME_DAYS);
    for r in state
        .webhooks
        .lock()
        .registrations
        .iter_mut()
        .filter(|r| r.app == app && ids.contains(&r.id))
    {
        r.expiration = expiration;
    }
    Ok(Json(
        json!({ "expirationDate": expiration.timestamp_millis() }),
    ))
}
