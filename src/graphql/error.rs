//! `GqlError`: the one place where failures become GraphQL errors with a stable
//! `extensions.code`. Internal details are logged here once and never sent to the client.

use std::time::Duration;

use async_graphql::{ErrorExtensions, FieldError};

use crate::jira::JiraError;

/// Every error code a client may see. Stable once shipped; pinned by a test.
pub const CODES: &[&str] = &[
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "NOT_FOUND",
    "BAD_USER_INPUT",
    "INVALID_JQL",
    "CONFLICT",
    "JIRA_RATE_LIMITED",
    "UPSTREAM_UNAVAILABLE",
    "QUERY_TOO_COMPLEX",
    "INTERNAL",
];

/// A GraphQL-facing error.
///
/// Deliberately not `Display`: async-graphql converts any `Display` type into an error
/// *without* extensions, so this type converts only through its own `From`, which always sets
/// `extensions.code`. `?` in a resolver therefore cannot lose the code.
#[derive(Debug, Clone)]
pub enum GqlError {
    /// No or bad credentials → `UNAUTHENTICATED`.
    Unauthenticated(String),
    /// Jira or the gateway refused access → `FORBIDDEN`.
    Forbidden(String),
    /// The thing does not exist or the caller may not see it → `NOT_FOUND`.
    NotFound { kind: &'static str, key: String },
    /// Invalid arguments → `BAD_USER_INPUT`.
    BadUserInput(String),
    /// Jira rejected the JQL; the message is Jira's → `INVALID_JQL`.
    InvalidJql(String),
    /// A concurrent change won → `CONFLICT`.
    Conflict(String),
    /// Jira asked to slow down for longer than the request may wait → `JIRA_RATE_LIMITED`
    /// with `retryAfter` (seconds) in the extensions.
    /// `local` when the gateway's own per-site budget (not Jira) ran out.
    RateLimited {
        retry_after: Option<Duration>,
        local: bool,
    },
    /// Jira is down, slow or unreachable → `UPSTREAM_UNAVAILABLE`.
    UpstreamUnavailable(String),
    /// The query exceeds depth, complexity or page-size limits → `QUERY_TOO_COMPLEX`.
    QueryTooComplex(String),
    /// A bug or an unexpected upstream answer → `INTERNAL`; details are only logged.
    Internal,
}

impl GqlError {
    /// The message a client sees.
    pub fn message(&self) -> String {
        match self {
            GqlError::Unauthenticated(m)
            | GqlError::Forbidden(m)
            | GqlError::BadUserInput(m)
            | GqlError::InvalidJql(m)
            | GqlError::Conflict(m)
            | GqlError::UpstreamUnavailable(m)
            | GqlError::QueryTooComplex(m) => m.clone(),
            GqlError::NotFound { kind, key } => format!("{kind} `{key}` not found"),
            GqlError::RateLimited { retry_after, local } => {
                let who = if *local {
                    "The gateway's request budget for this Jira site is used up"
                } else {
                    "Jira is rate limiting requests"
                };
                format!(
                    "{who}; retry after {} s",
                    retry_after.map_or(1, |d| d.as_secs().max(1))
                )
            }
            GqlError::Internal => "Internal error".into(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            GqlError::Unauthenticated(_) => "UNAUTHENTICATED",
            GqlError::Forbidden(_) => "FORBIDDEN",
            GqlError::NotFound { .. } => "NOT_FOUND",
            GqlError::BadUserInput(_) => "BAD_USER_INPUT",
            GqlError::InvalidJql(_) => "INVALID_JQL",
            GqlError::Conflict(_) => "CONFLICT",
            GqlError::RateLimited { .. } => "JIRA_RATE_LIMITED",
            GqlError::UpstreamUnavailable(_) => "UPSTREAM_UNAVAILABLE",
            GqlError::QueryTooComplex(_) => "QUERY_TOO_COMPLEX",
            GqlError::Internal => "INTERNAL",
        }
    }

    /// Maps a Jira failure of a JQL-carrying call (search, count): 400 means bad JQL.
    pub fn from_search(error: &JiraError) -> Self {
        match error {
            JiraError::BadRequest { messages, errors } => {
                let mut all: Vec<String> = messages.clone();
                all.extend(errors.values().cloned());
                GqlError::InvalidJql(if all.is_empty() {
                    "Jira rejected the JQL query.".into()
                } else {
                    all.join(" ")
                })
            }
            other => GqlError::from(other),
        }
    }
}

impl From<&JiraError> for GqlError {
    fn from(error: &JiraError) -> Self {
        match error {
            JiraError::BadRequest { messages, errors } => {
                let mut all: Vec<String> = messages.clone();
                all.extend(
                    errors
                        .iter()
                        .map(|(field, message)| format!("{field}: {message}")),
                );
                GqlError::BadUserInput(if all.is_empty() {
                    "Jira rejected the request.".into()
                } else {
                    all.join(" ")
                })
            }
            JiraError::Unauthorized => {
                GqlError::Unauthenticated("Jira did not accept the credentials.".into())
            }
            JiraError::Forbidden { messages } => GqlError::Forbidden(
                messages
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "Jira denied access.".into()),
            ),
            JiraError::NotFound { .. } => GqlError::NotFound {
                kind: "resource",
                key: String::new(),
            },
            JiraError::Conflict => {
                GqlError::Conflict("Jira reported a conflicting update; reload and retry.".into())
            }
            JiraError::PayloadTooLarge => {
                GqlError::BadUserInput("Jira refused the request as too large.".into())
            }
            JiraError::RateLimited {
                retry_after,
                reason,
            } => GqlError::RateLimited {
                retry_after: *retry_after,
                local: reason.as_deref().is_some_and(|r| {
                    r == crate::jira::LOCAL_RATE_REASON
                        || r == crate::jira::LOCAL_CONCURRENCY_REASON
                }),
            },
            JiraError::Upstream { status } => {
                GqlError::UpstreamUnavailable(format!("Jira answered with status {status}."))
            }
            JiraError::Timeout => {
                GqlError::UpstreamUnavailable("Jira did not answer in time.".into())
            }
            JiraError::Transport(_) => {
                GqlError::UpstreamUnavailable("Jira could not be reached.".into())
            }
            JiraError::Gone { .. } | JiraError::Decode(_) => {
                tracing::error!(error = %error, "unexpected answer from Jira");
                GqlError::Internal
            }
        }
    }
}

impl From<JiraError> for GqlError {
    fn from(error: JiraError) -> Self {
        GqlError::from(&error)
    }
}

impl From<std::sync::Arc<JiraError>> for GqlError {
    fn from(error: std::sync::Arc<JiraError>) -> Self {
        GqlError::from(error.as_ref())
    }
}

impl ErrorExtensions for GqlError {
    fn extend(&self) -> FieldError {
        FieldError::new(self.message()).extend_with(|_, e| {
            e.set("code", self.code());
            if let GqlError::RateLimited { retry_after, .. } = self {
                e.set("retryAfter", retry_after.map_or(1, |d| d.as_secs().max(1)));
            }
        })
    }
}

impl From<GqlError> for FieldError {
    fn from(error: GqlError) -> Self {
        error.extend()
    }
}

/// Result alias for resolvers.
pub type GqlResult<T> = Result<T, FieldError>;
