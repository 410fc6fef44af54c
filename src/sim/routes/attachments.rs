//! `attachment/{id}` (metadata) and `attachment/content/{id}` (303 to the bytes, or the bytes
//! with `redirect=false`, honouring a single `Range`).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::Params;
use crate::sim::SimState;
use crate::sim::auth::Caller;
use crate::sim::error::{ApiError, ApiResult};
use crate::sim::json::Render;
use crate::sim::model::Attachment;

fn find(state: &SimState, caller: &Caller, id: &str) -> ApiResult<Attachment> {
    let data = state.data.read();
    data.issues
        .values()
        .filter(|i| data.can_browse(&caller.user, &i.project))
        .flat_map(|i| i.attachments.iter())
        .find(|a| a.id.to_string() == id)
        .cloned()
        .ok_or_else(|| {
            ApiError::not_found(
                "The attachment does not exist or you do not have permission to see it.",
            )
        })
}

pub async fn metadata(
    State(state): State<Arc<SimState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let attachment = find(&state, &caller, &id)?;
    let data = state.data.read();
    let mut value = Render {
        data: &data,
        base: &state.base_url,
    }
    .attachment(&attachment);
    // AttachmentMetadata carries a numeric id, unlike the issue field.
    value["id"] = Value::from(attachment.id);
    value["properties"] = serde_json::json!({});
    Ok(Json(value))
}

pub async fn content(
    State(state): State<Arc<SimState>>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let attachment = find(&state, &caller, &id)?;
    if Params::parse(raw.as_deref()).bool("redirect", true) {
        let location = format!(
            "{}/rest/api/3/attachment/content/{id}?redirect=false",
            state.base_url
        );
        return Ok((StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response());
    }
    let bytes = attachment.content.clone();
    let content_type = HeaderValue::from_str(&attachment.mime_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    if let Some(range) = headers.get(header::RANGE).and_then(|r| r.to_str().ok()) {
        let len = bytes.len();
        // `bytes=a-b`, `bytes=a-` or the suffix form `bytes=-n` (the last n bytes).
        let (first, last) = range
            .strip_prefix("bytes=")
            .and_then(|r| r.split_once('-'))
            .filter(|(a, b)| !(a.is_empty() && b.is_empty()))
            .ok_or_else(|| ApiError::bad_request("The Range header is malformed."))?;
        let number = |s: &str| {
            s.trim()
                .parse::<usize>()
                .map_err(|_| ApiError::bad_request("The Range header is malformed."))
        };
        let (start, end) = match (first.is_empty(), last.is_empty()) {
            (true, _) => (len.saturating_sub(number(last)?), len.saturating_sub(1)),
            (false, true) => (number(first)?, len.saturating_sub(1)),
            (false, false) => (number(first)?, number(last)?.min(len.saturating_sub(1))),
        };
        if start > end || start >= len {
            return Ok((
                StatusCode::RANGE_NOT_SATISFIABLE,
                [(header::CONTENT_RANGE, format!("bytes */{len}"))],
            )
                .into_response());
        }
        return Ok((
            StatusCode::PARTIAL_CONTENT,
            [
                (header::CONTENT_TYPE, content_type),
                (
                    header::CONTENT_RANGE,
                    HeaderValue::from_str(&format!("bytes {start}-{end}/{len}"))
                        .unwrap_or(HeaderValue::from_static("bytes */0")),
                ),
            ],
            bytes.slice(start..=end),
        )
            .into_response());
    }
    Ok(([(header::CONTENT_TYPE, content_type)], bytes).into_response())
}

pub async fn thumbnail(
    State(state): State<Arc<SimState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let attachment = find(&state, &caller, &id)?;
    if !attachment.mime_type.starts_with("image/") {
        return Err(ApiError::not_found("The attachment has no thumbnail."));
    }
    Ok((
        [(header::CONTENT_TYPE, attachment.mime_type.clone())],
        attachment.content.clone(),
    )
        .into_response())
}
