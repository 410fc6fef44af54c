//! The `/rest/api/3` routes of the simulated site, one file per Jira domain.

pub mod attachments;
pub mod bulk;
pub mod comments;
pub mod issues;
pub mod jql;
pub mod projects;
pub mod search;
pub mod users;
pub mod webhooks;

use std::sync::Arc;

use axum::Router;
use axum::routing::{any, get, post, put};

use super::SimState;
use super::error::ApiError;

pub fn api(_state: Arc<SimState>) -> Router<Arc<SimState>> {
    Router::new()
        .route("/myself", get(users::myself))
        .route("/user", get(users::get_user))
        .route("/user/bulk", get(users::bulk))
        .route("/project/search", get(projects::search))
        .route("/project/{key}", get(projects::get_project))
        .route("/field", get(projects::fields))
        .route("/search", any(search::removed))
        .route(
            "/search/jql",
            get(search::get_search).post(search::post_search),
        )
        .route("/search/approximate-count", post(search::approximate_count))
        .route("/issue", post(issues::create))
        .route("/issue/bulkfetch", post(issues::bulkfetch))
        .route(
            "/issue/{key}",
            get(issues::get_issue)
                .put(issues::edit)
                .delete(issues::delete),
        )
        .route("/issue/{key}/changelog", get(issues::changelog))
        .route(
            "/issue/{key}/comment",
            get(comments::list).post(comments::add),
        )
        .route(
            "/issue/{key}/comment/{id}",
            get(comments::get_one)
                .put(comments::edit)
                .delete(comments::delete),
        )
        .route("/comment/list", post(comments::by_ids))
        .route(
            "/issue/{key}/transitions",
            get(issues::transitions).post(issues::do_transition),
        )
        .route(
            "/bulk/issues/transition",
            get(bulk::available).post(bulk::submit),
        )
        .route("/bulk/queue/{task_id}", get(bulk::progress))
        .route(
            "/jql/autocompletedata",
            get(jql::autocomplete).post(jql::autocomplete),
        )
        .route("/jql/autocompletedata/suggestions", get(jql::suggestions))
        .route("/jql/parse", post(jql::parse))
        .route("/attachment/{id}", get(attachments::metadata))
        .route("/attachment/content/{id}", get(attachments::content))
        .route("/attachment/thumbnail/{id}", get(attachments::thumbnail))
        .route(
            "/webhook",
            get(webhooks::list)
                .post(webhooks::register)
                .delete(webhooks::delete),
        )
        .route("/webhook/refresh", put(webhooks::refresh))
        .fallback(|| async {
            ApiError::not_found("null for uri: the simulated site has no such resource")
        })
}

/// Query parameters as Jira reads them: repeated keys and comma-separated lists both work.
#[derive(Debug, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(raw: Option<&str>) -> Self {
        Params(
            url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
                .into_owned()
                .collect(),
        )
    }
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    /// Every value of a repeated parameter, each split on commas.
    pub fn list(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| {
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .collect::<Vec<_>>()
            })
            .filter(|s| !s.is_empty())
            .collect()
    }
    /// Every value of a repeated parameter, not split.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
    /// A non-negative integer parameter; a malformed one is a 400 as in Jira.
    pub fn int(&self, name: &str, default: i64) -> Result<i64, ApiError> {
        match self.get(name) {
            None | Some("") => Ok(default),
            Some(v) => v
                .parse::<i64>()
                .map_err(|_| {
                    ApiError::bad_request(format!("The '{name}' parameter must be a number."))
                })
                .and_then(|n| {
                    if n < 0 {
                        Err(ApiError::bad_request(format!(
                            "The '{name}' parameter must not be negative."
                        )))
                    } else {
                        Ok(n)
                    }
                }),
        }
    }
    pub fn bool(&self, name: &str, default: bool) -> bool {
        self.get(name)
            .map_or(default, |v| v.eq_ignore_ascii_case("true"))
    }
}

/// A JSON body whose parse errors answer in Jira's error shape.
pub struct Body<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for Body<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| {
                ApiError::new(
                    axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                    "Request body too large.",
                )
            })?;
        serde_json::from_slice(&bytes).map(Body).map_err(|e| {
            ApiError::bad_request(format!(
                "Invalid request payload. Refer to the REST API documentation and try again. ({e})"
            ))
        })
    }
}
