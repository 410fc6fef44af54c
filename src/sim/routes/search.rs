//! `search/jql` (GET and POST), `search/approximate-count`, and the removed `search`.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use base64::Engine;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{Body, Params};
use crate::sim::SimState;
use crate::sim::auth::Caller;
use crate::sim::error::{ApiError, ApiResult};
use crate::sim::jql;
use crate::sim::json::{Expand, FieldSelection, Render};

/// Jira's answer since the old search API was removed (CHANGE-2046).
pub async fn removed() -> impl IntoResponse {
    (
        StatusCode::GONE,
        Json(json!({
            "errorMessages": ["The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"],
            "errors": {}
        })),
    )
}

/// The POST body (`SearchAndReconcileRequestBean`, which allows no other properties).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SearchRequest {
    #[serde(default)]
    jql: Option<String>,
    #[serde(default)]
    next_page_token: Option<String>,
    #[serde(default)]
    max_results: Option<i64>,
    #[serde(default)]
    fields: Option<Vec<String>>,
    #[serde(default)]
    expand: Option<String>,
    #[serde(default)]
    properties: Option<Vec<String>>,
    #[serde(default)]
    fields_by_keys: Option<bool>,
    #[serde(default)]
    fail_fast: Option<bool>,
    #[serde(default)]
    reconcile_issues: Option<Vec<i64>>,
}

pub async fn post_search(
    State(state): State<Arc<SimState>>,
    caller: Caller,
    Body(request): Body<SearchRequest>,
) -> ApiResult<Json<Value>> {
    run(&state, &caller, request).map(Json)
}

pub async fn get_search(
    State(state): State<Arc<SimState>>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let params = Params::parse(raw.as_deref());
    let request = SearchRequest {
        jql: params.get("jql").map(str::to_string),
        next_page_token: params.get("nextPageToken").map(str::to_string),
        max_results: Some(params.int("maxResults", 50)?),
        fields: Some(params.list("fields")),
        expand: params.get("expand").map(str::to_string),
        ..SearchRequest::default()
    };
    run(&state, &caller, request).map(Json)
}

/// Most issues per page: 5000 when only ids are asked for, 100 with fields (as Jira Cloud).
fn page_size(requested: Option<i64>, ids_only: bool) -> ApiResult<usize> {
    let requested = requested.unwrap_or(50);
    if requested < 0 {
        return Err(ApiError::bad_request(
            "The 'maxResults' parameter must not be negative.",
        ));
    }
    let cap = if ids_only { 5000 } else { 100 };
    Ok((requested as usize).min(cap))
}

fn run(state: &SimState, caller: &Caller, request: SearchRequest) -> ApiResult<Value> {
    if request.properties.as_ref().is_some_and(|p| p.len() > 5) {
        return Err(ApiError::bad_request(
            "A maximum of 5 issue property keys can be specified.",
        ));
    }
    if request
        .reconcile_issues
        .as_ref()
        .is_some_and(|r| r.len() > 50)
    {
        return Err(ApiError::bad_request(
            "A maximum of 50 issues can be reconciled.",
        ));
    }
    let _ = (request.fields_by_keys, request.fail_fast);
    let jql_text = request.jql.unwrap_or_default();
    let fields = FieldSelection::parse(request.fields.as_deref().unwrap_or(&[]), "id");
    let expand = Expand::parse(&[request.expand.unwrap_or_default()]);
    let size = page_size(request.max_results, fields.ids_only())?;
    let offset = match request.next_page_token.as_deref() {
        None | Some("") => 0,
        Some(token) => decode_token(token, &jql_text)?,
    };
    let ids = state.search(&caller.user, &jql_text)?;
    let data = state.data.read();
    let render = Render {
        data: &data,
        base: &state.base_url,
    };
    let end = (offset + size).min(ids.len());
    let page = ids.get(offset.min(ids.len())..end).unwrap_or(&[]);
    let mut names = Map::new();
    let issues: Vec<Value> = page
        .iter()
        .filter_map(|id| data.issues.get(id))
        .map(|issue| {
            let mut value = render.issue(issue, &fields, &expand, &caller.user, true);
            if let Some(Value::Object(n)) = value.as_object_mut().and_then(|o| o.remove("names")) {
                names.extend(n);
            }
            value
        })
        .collect();
    let mut out = Map::new();
    out.insert("issues".into(), Value::Array(issues));
    if end < ids.len() {
        out.insert("nextPageToken".into(), json!(encode_token(end, &jql_text)));
    }
    out.insert("isLast".into(), json!(end >= ids.len()));
    if expand.has("names") {
        out.insert("names".into(), Value::Object(names));
    }
    Ok(Value::Object(out))
}

#[derive(Deserialize)]
pub struct CountRequest {
    jql: Option<String>,
}

pub async fn approximate_count(
    State(state): State<Arc<SimState>>,
    caller: Caller,
    Body(request): Body<CountRequest>,
) -> ApiResult<Json<Value>> {
    let ids = state.search(&caller.user, request.jql.as_deref().unwrap_or(""))?;
    Ok(Json(json!({ "count": ids.len() })))
}

fn query_hash(jql: &str) -> u64 {
    // FNV-1a: stable across runs, enough to tie a token to its query.
    jql.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn encode_token(offset: usize, jql: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(format!("{offset}:{:x}", query_hash(jql)))
}

fn decode_token(token: &str, jql: &str) -> ApiResult<usize> {
    let invalid = || ApiError::bad_request("The provided next page token is invalid or expired.");
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|_| invalid())?;
    let raw = String::from_utf8(raw).map_err(|_| invalid())?;
    let (offset, hash) = raw.split_once(':').ok_or_else(invalid)?;
    if hash != format!("{:x}", query_hash(jql)) {
        return Err(invalid());
    }
    offset.parse().map_err(|_| invalid())
}

/// Recent search results by (account, JQL, data version), so paging a large result does not
/// re-run the query for every page. Entries expire after [`CURSOR_TTL`], since relative dates
/// (`created >= -1h`, `now()`) change the result without any write.
#[derive(Default)]
pub struct Cursors {
    entries: VecDeque<CachedSearch>,
}

/// (account id, JQL, data version, when computed, matching ids).
type CachedSearch = (String, String, u64, Instant, Arc<Vec<u64>>);

const CURSOR_CACHE: usize = 64;
const CURSOR_TTL: Duration = Duration::from_secs(60);

impl SimState {
    /// Runs a JQL search for `user`; a bad or unbounded query is a 400 in Jira's shape.
    pub fn search(
        &self,
        user: &crate::sim::model::User,
        jql_text: &str,
    ) -> ApiResult<Arc<Vec<u64>>> {
        let version = self.version.load(Ordering::Relaxed);
        if let Some(hit) = self
            .cursors
            .lock()
            .entries
            .iter()
            .find(|(a, q, v, at, _)| {
                a == &user.account_id && q == jql_text && *v == version && at.elapsed() < CURSOR_TTL
            })
            .map(|(_, _, _, _, ids)| ids.clone())
        {
            return Ok(hit);
        }
        let ids = {
            let data = self.data.read();
            jql::search(&data, user, chrono::Utc::now(), jql_text)
                .map_err(|e| ApiError::bad_request(e.message()))?
        };
        let ids = Arc::new(ids);
        let mut cursors = self.cursors.lock();
        if cursors.entries.len() >= CURSOR_CACHE {
            cursors.entries.pop_front();
        }
        cursors.entries.push_back((
            user.account_id.clone(),
            jql_text.to_string(),
            version,
            Instant::now(),
            ids.clone(),
        ));
        Ok(ids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_token_only_works_for_its_own_query() {
        let token = encode_token(50, "project = DEMO");
        assert_eq!(decode_token(&token, "project = DEMO").ok(), Some(50));
        assert!(decode_token(&token, "project = OPS").is_err());
        assert!(decode_token("not a token", "project = DEMO").is_err());
    }
}
