//! `myself`, `user?accountId=` and `user/bulk`.

use std::sync::Arc;

use axum::Json;
use axum::extract::{RawQuery, State};
use serde_json::{Value, json};

use super::Params;
use crate::sim::SimState;
use crate::sim::auth::Caller;
use crate::sim::error::{ApiError, ApiResult};
use crate::sim::json::Render;

pub async fn myself(
    State(state): State<Arc<SimState>>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Json<Value> {
    let expand = Params::parse(raw.as_deref()).list("expand");
    let data = state.data.read();
    let mut user = Render {
        data: &data,
        base: &state.base_url,
    }
    .user_full(&caller.user);
    if expand.iter().any(|e| e == "groups") {
        let groups: Vec<Value> = if caller.user.admin {
            vec![
                json!({"name": "jira-admins"}),
                json!({"name": "jira-users"}),
            ]
        } else {
            vec![json!({"name": "jira-users"})]
        };
        user["groups"] = json!({ "size": groups.len(), "items": groups });
    }
    if expand.iter().any(|e| e == "applicationRoles") {
        user["applicationRoles"] =
            json!({ "size": 1, "items": [{"key": "jira-software", "name": "Jira Software"}] });
    }
    Json(user)
}

pub async fn get_user(
    State(state): State<Arc<SimState>>,
    _caller: Caller,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let params = Params::parse(raw.as_deref());
    let id = params.get("accountId").ok_or_else(|| {
        ApiError::bad_request("The accountId query parameter needs to be provided.")
    })?;
    let data = state.data.read();
    let user = data.user(id).ok_or_else(|| {
        ApiError::not_found(format!(
            "Specified user does not exist or you do not have required permissions: {id}"
        ))
    })?;
    Ok(Json(
        Render {
            data: &data,
            base: &state.base_url,
        }
        .user_full(user),
    ))
}

/// `user/bulk?accountId=a&accountId=b`: unknown ids are left out.
pub async fn bulk(
    State(state): State<Arc<SimState>>,
    _caller: Caller,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let params = Params::parse(raw.as_deref());
    let start = params.int("startAt", 0)? as usize;
    let max = params.int("maxResults", 10)? as usize;
    let ids = params.all("accountId");
    if ids.is_empty() {
        return Err(ApiError::bad_request(
            "At least one accountId must be provided.",
        ));
    }
    if ids.len() > 200 {
        return Err(ApiError::bad_request(
            "A maximum of 200 accountIds can be provided.",
        ));
    }
    let data = state.data.read();
    let render = Render {
        data: &data,
        base: &state.base_url,
    };
    let found: Vec<Value> = ids
        .iter()
        .filter_map(|id| data.user(id))
        .map(|u| render.user_full(u))
        .collect();
    let total = found.len();
    let values: Vec<Value> = found.into_iter().skip(start).take(max).collect();
    Ok(Json(json!({
        "self": format!("{}/rest/api/3/user/bulk", state.base_url),
        "maxResults": max,
        "startAt": start,
        "total": total,
        "isLast": start + values.len() >= total,
        "values": values,
    })))
}
