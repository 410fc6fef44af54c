//! `JiraError`: every way a Jira call can fail, mapped from HTTP status and Jira's
//! `ErrorCollection` bodies. Messages never carry credentials, URLs or response bodies other
//! than Jira's own error messages.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;

/// Result alias for the Jira client.
pub type Result<T, E = JiraError> = std::result::Result<T, E>;

/// A failed Jira call.
///
/// The GraphQL layer maps each variant to one stable `extensions.code`; the suggested code is
/// given on each variant.
#[derive(Debug, Clone, thiserror::Error)]
pub enum JiraError {
    /// Jira answered 400 (invalid JQL, invalid field value, …) → `BAD_USER_INPUT` / `INVALID_JQL`.
    ///
    /// `messages` are Jira's `errorMessages`; `errors` maps a field id to its message.
    #[error("Jira rejected the request: {}", join_messages(.messages, .errors))]
    BadRequest {
        /// Jira's `errorMessages`.
        messages: Vec<String>,
        /// Jira's `errors`, field id → message.
        errors: BTreeMap<String, String>,
    },
    /// Jira answered 401: missing, expired or revoked credentials → `UNAUTHENTICATED`.
    #[error("Jira did not accept the credentials")]
    Unauthorized,
    /// Jira answered 403 → `FORBIDDEN`.
    #[error("Jira denied access: {}", .messages.join("; "))]
    Forbidden {
        /// Jira's `errorMessages`.
        messages: Vec<String>,
    },
    /// Jira answered 404: the entity does not exist or the caller may not see it → `NOT_FOUND`.
    #[error("not found in Jira: {}", .messages.join("; "))]
    NotFound {
        /// Jira's `errorMessages`.
        messages: Vec<String>,
    },
    /// Jira answered 409 (conflicting concurrent update) → `CONFLICT`.
    #[error("Jira reported a conflicting update")]
    Conflict,
    /// Jira answered 410: the API was removed (e.g. the old `/search`) → `INTERNAL`.
    #[error("Jira API removed: {message}")]
    Gone {
        /// Jira's first error message, or a generic text.
        message: String,
    },
    /// Jira answered 413 (size, attachment count or per-issue limit) → `BAD_USER_INPUT`.
    #[error("Jira refused the request as too large or over a per-issue limit")]
    PayloadTooLarge,
    /// Jira kept answering 429, or asked us to wait longer than the caller may wait →
    /// `JIRA_RATE_LIMITED` with `retryAfter`.
    #[error("Jira rate limit reached{}", fmt_retry_after(.retry_after))]
    RateLimited {
        /// How long Jira (or the local budget) says to wait, when known.
        retry_after: Option<Duration>,
        /// Jira's `RateLimit-Reason` (e.g. `jira-burst-based`), or a local reason.
        reason: Option<String>,
    },
    /// Jira answered 5xx or another unexpected status → `UPSTREAM_UNAVAILABLE`.
    #[error("Jira answered with unexpected status {status}")]
    Upstream {
        /// The HTTP status code.
        status: u16,
    },
    /// The request to Jira timed out → `UPSTREAM_UNAVAILABLE`.
    #[error("request to Jira timed out")]
    Timeout,
    /// Connecting to Jira or transferring the request failed → `UPSTREAM_UNAVAILABLE`.
    ///
    /// The text never contains the request URL.
    #[error("could not reach Jira: {0}")]
    Transport(String),
    /// Jira's response could not be decoded into the expected shape → `INTERNAL`.
    ///
    /// The text names the expected type and position, never response content.
    #[error("unexpected response from Jira: {0}")]
    Decode(String),
}

impl JiraError {
    /// The HTTP status Jira answered with, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::BadRequest { .. } => Some(400),
            Self::Unauthorized => Some(401),
            Self::Forbidden { .. } => Some(403),
            Self::NotFound { .. } => Some(404),
            Self::Conflict => Some(409),
            Self::Gone { .. } => Some(410),
            Self::PayloadTooLarge => Some(413),
            Self::RateLimited { .. } => Some(429),
            Self::Upstream { status } => Some(*status),
            Self::Timeout | Self::Transport(_) | Self::Decode(_) => None,
        }
    }

    /// Whether the same call may succeed if tried again later (rate limits, 5xx, network).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::RateLimited { .. } | Self::Timeout | Self::Transport(_) => true,
            Self::Upstream { status } => matches!(status, 500 | 502 | 503 | 504),
            _ => false,
        }
    }

    /// How long to wait before retrying, for [`JiraError::RateLimited`].
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Builds the error for a non-success status from the response body.
    ///
    /// `body` is parsed leniently as an `ErrorCollection`; anything else is ignored. 429 is
    /// mapped here only as a fallback: the client builds it with the `Retry-After` it read.
    pub(crate) fn from_status(status: u16, body: &[u8]) -> Self {
        let collected = ErrorBody::parse(body);
        match status {
            400 => Self::BadRequest {
                messages: collected.messages,
                errors: collected.errors,
            },
            401 => Self::Unauthorized,
            403 => Self::Forbidden {
                messages: collected.all_messages(),
            },
            404 => Self::NotFound {
                messages: collected.all_messages(),
            },
            409 => Self::Conflict,
            410 => Self::Gone {
                message: collected
                    .all_messages()
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| "the requested Jira API has been removed".to_owned()),
            },
            413 => Self::PayloadTooLarge,
            429 => Self::RateLimited {
                retry_after: None,
                reason: None,
            },
            other => Self::Upstream { status: other },
        }
    }

    /// Maps a reqwest failure without leaking the URL (which may carry JQL or ids).
    pub(crate) fn from_transport(err: &reqwest::Error) -> Self {
        if err.is_timeout() {
            return Self::Timeout;
        }
        let kind = if err.is_connect() {
            "connection failed"
        } else if err.is_body() || err.is_decode() {
            "reading the response failed"
        } else if err.is_redirect() {
            "too many redirects"
        } else if err.is_builder() {
            "invalid request"
        } else {
            "request failed"
        };
        // The sources of a reqwest error are hyper/io errors, which name no URL; reqwest's own
        // Display (which does) is skipped.
        let mut text = kind.to_owned();
        let mut source = std::error::Error::source(err);
        while let Some(cause) = source {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            source = cause.source();
        }
        Self::Transport(text)
    }

    /// Builds a decode error that names the target type and position, not the content.
    pub(crate) fn decode<T: ?Sized>(err: &serde_json::Error) -> Self {
        let what = std::any::type_name::<T>()
            .rsplit("::")
            .next()
            .unwrap_or("value");
        let category = match err.classify() {
            serde_json::error::Category::Io => "i/o",
            serde_json::error::Category::Syntax => "malformed JSON",
            serde_json::error::Category::Data => "unexpected shape",
            serde_json::error::Category::Eof => "truncated JSON",
        };
        Self::Decode(format!(
            "{category} for {what} at line {} column {}",
            err.line(),
            err.column()
        ))
    }
}

/// Jira's `ErrorCollection` (`{errorMessages, errors, status}`), read tolerantly.
///
/// Also accepts the `BulkOperationErrorResponse` shape (`{errors: [{message}]}`) and the
/// gateway's `{message}` / `{code, message}` shape, folding them into `messages`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct ErrorBody {
    pub(crate) messages: Vec<String>,
    pub(crate) errors: BTreeMap<String, String>,
}

impl ErrorBody {
    pub(crate) fn parse(body: &[u8]) -> Self {
        let mut out = Self::default();
        let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
            return out;
        };
        if let Some(Value::Array(items)) = map.get("errorMessages") {
            out.messages.extend(items.iter().filter_map(text_of));
        }
        match map.get("errors") {
            Some(Value::Object(fields)) => {
                for (field, message) in fields {
                    if let Some(text) = text_of(message) {
                        out.errors.insert(field.clone(), text);
                    }
                }
            }
            Some(Value::Array(items)) => {
                for item in items {
                    match item {
                        Value::Object(obj) => {
                            if let Some(text) = obj.get("message").and_then(text_of) {
                                out.messages.push(text);
                            }
                        }
                        other => out.messages.extend(text_of(other)),
                    }
                }
            }
            _ => {}
        }
        if let Some(text) = map.get("message").and_then(text_of) {
            out.messages.push(text);
        }
        out
    }

    /// `messages` followed by the per-field messages, for variants that keep one list.
    pub(crate) fn all_messages(self) -> Vec<String> {
        let mut all = self.messages;
        all.extend(
            self.errors
                .into_iter()
                .map(|(field, msg)| format!("{field}: {msg}")),
        );
        all
    }
}

fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::String(_) | Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn join_messages(messages: &[String], errors: &BTreeMap<String, String>) -> String {
    let mut parts: Vec<String> = messages.to_vec();
    parts.extend(errors.iter().map(|(field, msg)| format!("{field}: {msg}")));
    if parts.is_empty() {
        "no details given".to_owned()
    } else {
        parts.join("; ")
    }
}

fn fmt_retry_after(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!(", retry after {:.1} s", d.as_secs_f64()),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_request_collects_error_messages_and_field_errors() {
        let body = br#"{"errorMessages":["Field 'x' does not exist."],"errors":{"summary":"Summary is required."},"status":400}"#;
        let err = JiraError::from_status(400, body);
        let JiraError::BadRequest { messages, errors } = &err else {
            panic!("expected BadRequest, got {err:?}");
        };
        assert_eq!(messages, &vec!["Field 'x' does not exist.".to_owned()]);
        assert_eq!(
            errors.get("summary").map(String::as_str),
            Some("Summary is required.")
        );
        assert_eq!(err.status(), Some(400));
        assert!(!err.is_retryable());
        assert!(err.to_string().contains("Summary is required."));
    }

    #[test]
    fn error_collection_parsing_tolerates_missing_parts_and_garbage() {
        assert_eq!(ErrorBody::parse(b""), ErrorBody::default());
        assert_eq!(ErrorBody::parse(b"<html>oops</html>"), ErrorBody::default());
        assert_eq!(
            ErrorBody::parse(br#"{"errors":null}"#),
            ErrorBody::default()
        );
        let only_errors = ErrorBody::parse(br#"{"errors":{"jql":"bad"}}"#);
        assert!(only_errors.messages.is_empty());
        assert_eq!(only_errors.errors.len(), 1);
        let err = JiraError::from_status(400, b"not json");
        assert!(err.to_string().contains("no details given"));
    }

    #[test]
    fn bulk_operation_error_shape_is_folded_into_messages() {
        let body =
            br#"{"errors":[{"message":"Some of the issues in the issueIdsOrKeys are not valid"}]}"#;
        let parsed = ErrorBody::parse(body);
        assert_eq!(
            parsed.messages,
            vec!["Some of the issues in the issueIdsOrKeys are not valid".to_owned()]
        );
    }

    #[test]
    fn gone_keeps_jiras_removal_message() {
        let body = br#"{"errorMessages":["The requested API has been removed. Please migrate to the /rest/api/3/search/jql API."],"errors":{}}"#;
        let err = JiraError::from_status(410, body);
        assert!(matches!(&err, JiraError::Gone { message } if message.contains("/search/jql")));
        let bare = JiraError::from_status(410, b"");
        assert!(matches!(bare, JiraError::Gone { .. }));
    }

    #[test]
    fn statuses_map_to_their_variants() {
        assert!(matches!(
            JiraError::from_status(401, b""),
            JiraError::Unauthorized
        ));
        assert!(matches!(
            JiraError::from_status(403, b""),
            JiraError::Forbidden { .. }
        ));
        assert!(matches!(
            JiraError::from_status(404, b""),
            JiraError::NotFound { .. }
        ));
        assert!(matches!(
            JiraError::from_status(409, b""),
            JiraError::Conflict
        ));
        assert!(matches!(
            JiraError::from_status(413, b""),
            JiraError::PayloadTooLarge
        ));
        assert!(matches!(
            JiraError::from_status(422, b""),
            JiraError::Upstream { status: 422 }
        ));
        let unavailable = JiraError::from_status(503, b"");
        assert!(unavailable.is_retryable());
        assert_eq!(unavailable.status(), Some(503));
    }

    #[test]
    fn decode_error_names_the_type_but_not_the_content() {
        let Err(err) = serde_json::from_str::<u32>(r#""secret-token-value""#) else {
            panic!("must fail");
        };
        let mapped = JiraError::decode::<u32>(&err);
        let text = mapped.to_string();
        assert!(text.contains("u32"), "{text}");
        assert!(!text.contains("secret-token-value"), "{text}");
    }

    #[test]
    fn rate_limited_message_mentions_the_wait() {
        let err = JiraError::RateLimited {
            retry_after: Some(Duration::from_secs(7)),
            reason: Some("jira-burst-based".to_owned()),
        };
        assert!(err.to_string().contains("7.0 s"));
        assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
        assert!(err.is_retryable());
    }
}
