//! `GET /exports/{id}`: the owner downloads a finished export. Authenticated like
//! `/graphql` (Bearer access token or the `jg_access` cookie); another user's job is 404,
//! an unfinished one 409.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;

use super::HttpError;
use crate::app::AppState;
use crate::auth::routes::{ACCESS_COOKIE, bearer_user, cookie};
use crate::export::jobs::JobRequest;
use crate::store::JobStatus;

pub async fn download(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let (Some(identity), Some(jobs)) = (&state.identity, &state.exports) else {
        return Err(not_found());
    };
    let user_id = match bearer_user(identity, &headers)? {
        Some(user) => user,
        None => {
            let claims = cookie(&headers, ACCESS_COOKIE).and_then(|t| identity.jwt.verify(&t));
            let Some(claims) = claims else {
                return Err(HttpError::new(
                    StatusCode::UNAUTHORIZED,
                    "UNAUTHENTICATED",
                    "Log in first: send `Authorization: Bearer <access token>`.",
                ));
            };
            claims.sub
        }
    };
    let found = jobs
        .store
        .export_pdf(&id, &user_id)
        .await
        .map_err(|error| {
            tracing::error!(%error, "export download: store failure");
            HttpError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "Internal error",
            )
        })?;
    let Some((job, pdf)) = found else {
        return Err(not_found());
    };
    let pdf = match (job.status, pdf) {
        (JobStatus::Succeeded, Some(pdf)) => pdf,
        (status, _) => {
            return Err(HttpError::new(
                StatusCode::CONFLICT,
                "CONFLICT",
                format!(
                    "The export is {}: only a SUCCEEDED export has a PDF.",
                    status.as_str()
                ),
            ));
        }
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(pdf.as_bytes())
        .map_err(|_| {
            tracing::error!(export.job = %job.id, "export download: stored PDF is not base64");
            HttpError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "Internal error",
            )
        })?;
    let title = serde_json::from_str::<JobRequest>(&job.request)
        .ok()
        .and_then(|r| r.options.title);
    let disposition = content_disposition(title.as_deref(), &job.id);
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

fn not_found() -> HttpError {
    HttpError::new(StatusCode::NOT_FOUND, "NOT_FOUND", "No such export job.")
}

/// `attachment; filename="<ascii>.pdf"; filename*=UTF-8''<percent-encoded>.pdf`, from the
/// title without path separators, quotes or control characters.
pub fn content_disposition(title: Option<&str>, job_id: &str) -> String {
    let cleaned: String = title
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '/' | '\\' | '"' | '\''))
        .collect::<String>()
        .trim()
        .trim_matches('.')
        .trim()
        .chars()
        .take(150)
        .collect();
    let short_id: String = job_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(12)
        .collect();
    let name = if cleaned.is_empty() {
        format!("jira-export-{short_id}")
    } else {
        cleaned
    };
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.' | '(' | ')') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let ascii = if ascii.chars().all(|c| c == '_' || c == ' ') {
        format!("jira-export-{short_id}")
    } else {
        ascii
    };
    let mut encoded = String::new();
    for byte in format!("{name}.pdf").bytes() {
        // RFC 5987 attr-char.
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}.pdf\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::content_disposition;

    #[test]
    fn file_names_lose_separators_quotes_and_controls() {
        let value = content_disposition(Some("../Отчёт \"Q1\"/\r\nx"), "abc-123");
        assert_eq!(
            value,
            "attachment; filename=\"_____ Q1x.pdf\"; filename*=UTF-8''%D0%9E%D1%82%D1%87%D1%91%D1%82%20Q1x.pdf"
        );
        let value = content_disposition(None, "0190-aa");
        assert!(
            value.starts_with("attachment; filename=\"jira-export-0190aa.pdf\""),
            "{value}"
        );
    }
}
