//! `jql/autocompletedata`, `jql/autocompletedata/suggestions` and `jql/parse`.

use std::sync::Arc;

use axum::Json;
use axum::extract::{RawQuery, State};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Body, Params};
use crate::sim::SimState;
use crate::sim::auth::Caller;
use crate::sim::error::{ApiError, ApiResult};
use crate::sim::jql;

pub async fn autocomplete(State(state): State<Arc<SimState>>, _caller: Caller) -> Json<Value> {
    Json(jql::autocomplete_data(&state.data.read()))
}

pub async fn suggestions(
    State(state): State<Arc<SimState>>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Json<Value> {
    let params = Params::parse(raw.as_deref());
    let field = params.get("fieldName").unwrap_or("");
    let value = params.get("fieldValue").unwrap_or("");
    Json(jql::suggestions(
        &state.data.read(),
        &caller.user,
        field,
        value,
    ))
}

#[derive(Deserialize)]
pub struct ParseRequest {
    queries: Option<Vec<String>>,
}

/// `POST jql/parse?validation=strict|warn|none`: syntax always; fields and values unless `none`.
pub async fn parse(
    State(state): State<Arc<SimState>>,
    caller: Caller,
    RawQuery(raw): RawQuery,
    Body(request): Body<ParseRequest>,
) -> ApiResult<Json<Value>> {
    let params = Params::parse(raw.as_deref());
    let validation = params.get("validation").unwrap_or("strict");
    if !matches!(validation, "strict" | "warn" | "none") {
        return Err(ApiError::bad_request(format!(
            "Invalid validation level '{validation}'. Use strict, warn or none."
        )));
    }
    let queries = request
        .queries
        .ok_or_else(|| ApiError::field("queries", "The queries must not be null."))?;
    let data = state.data.read();
    let now = chrono::Utc::now();
    let results: Vec<Value> = queries
        .iter()
        .map(|q| match jql::parse(q) {
            Err(e) => json!({ "query": q, "errors": [e.message()] }),
            Ok(parsed) => {
                let mut out = json!({ "query": q, "structure": jql::structure(&parsed) });
                if validation != "none"
                    && let Err(e) = jql::compile(&parsed, &data, &caller.user, now)
                {
                    let key = if validation == "warn" {
                        "warnings"
                    } else {
                        "errors"
                    };
                    out[key] = json!([e.message()]);
                }
                out
            }
        })
        .collect();
    Ok(Json(json!({ "queries": results })))
}
