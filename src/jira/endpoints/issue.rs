//! One-issue operations: read, edit, comments, changelog, transitions, attachments.

use bytes::Bytes;
use reqwest::Method;
use serde_json::Value;

use crate::jira::client::{Call, JiraClient};
use crate::jira::error::Result;
use crate::jira::models::{
    Comment, CommentRequest, IssueBean, IssueUpdate, PageBeanChangelog, PageOfComments, Transitions,
};

impl JiraClient {
    /// `GET /issue/{key}`: one issue with the given fields (all when empty) and expands.
    #[tracing::instrument(level = "debug", skip_all, fields(issue.key = %key))]
    pub async fn get_issue(
        &self,
        key: &str,
        fields: &[&str],
        expand: &[&str],
    ) -> Result<IssueBean> {
        let call = Call::get(&["issue", key])
            .query_nonempty("fields", &fields.join(","))
            .query_nonempty("expand", &expand.join(","));
        self.send(call).await
    }

    /// `PUT /issue/{key}`: edits fields. With `return_issue`, Jira answers with the edited
    /// issue; otherwise (204) the result is `None`.
    ///
    /// A write: not retried after a failure that may have reached Jira.
    #[tracing::instrument(level = "debug", skip_all, fields(issue.key = %key))]
    pub async fn edit_issue(
        &self,
        key: &str,
        update: &IssueUpdate,
        return_issue: bool,
    ) -> Result<Option<IssueBean>> {
        let mut call = Call::write(Method::PUT, &["issue", key]).json(update)?;
        if return_issue {
            call = call.query("returnIssue", "true");
        }
        self.send(call).await
    }

    /// `GET /issue/{key}/comment`: one page of comments, oldest first.
    #[tracing::instrument(level = "debug", skip_all, fields(issue.key = %key))]
    pub async fn get_comments(
        &self,
        key: &str,
        start_at: u64,
        max_results: u32,
    ) -> Result<PageOfComments> {
        let call = Call::get(&["issue", key, "comment"])
            .query("startAt", start_at.to_string())
            .query("maxResults", max_results.to_string());
        self.send(call).await
    }

    /// `POST /issue/{key}/comment` with an ADF body. A write: never blindly retried.
    #[tracing::instrument(level = "debug", skip_all, fields(issue.key = %key))]
    pub async fn add_comment(&self, key: &str, body_adf: &Value) -> Result<Comment> {
        let body = CommentRequest {
            body: body_adf.clone(),
            visibility: None,
        };
        let call = Call::write(Method::POST, &["issue", key, "comment"]).json(&body)?;
        self.send(call).await
    }

    /// `PUT /issue/{key}/comment/{id}` with a new ADF body.
    #[tracing::instrument(level = "debug", skip_all, fields(issue.key = %key, comment.id = %id))]
    pub async fn edit_comment(&self, key: &str, id: &str, body_adf: &Value) -> Result<Comment> {
        let body = CommentRequest {
            body: body_adf.clone(),
            visibility: None,
        };
        let call = Call::write(Method::PUT, &["issue", key, "comment", id]).json(&body)?;
        self.send(call).await
    }

    /// `DELETE /issue/{key}/comment/{id}`.
    #[tracing::instrument(level = "debug", skip_all, fields(issue.key = %key, comment.id = %id))]
    pub async fn delete_comment(&self, key: &str, id: &str) -> Result<()> {
        self.send_unit(Call::write(Method::DELETE, &["issue", key, "comment", id]))
            .await
    }

    /// `GET /issue/{key}/changelog`: one page of the full changelog, oldest first.
    #[tracing::instrument(level = "debug", skip_all, fields(issue.key = %key))]
    pub async fn get_changelog(
        &self,
        key: &str,
        start_at: u64,
        max_results: u32,
    ) -> Result<PageBeanChangelog> {
        let call = Call::get(&["issue", key, "changelog"])
            .query("startAt", start_at.to_string())
            .query("maxResults", max_results.to_string());
        self.send(call).await
    }

    /// `GET /issue/{key}/transitions`: the transitions the caller may perform now.
    #[tracing::instrument(level = "debug", skip_all, fields(issue.key = %key))]
    pub async fn get_transitions(&self, key: &str) -> Result<Transitions> {
        self.send(Call::get(&["issue", key, "transitions"])).await
    }

    /// `POST /issue/{key}/transitions`; `update.transition` must be set. Jira answers 204.
    ///
    /// A write: a timeout or 5xx is returned, not retried, since the transition may have
    /// happened.
    #[tracing::instrument(level = "debug", skip_all, fields(issue.key = %key))]
    pub async fn do_transition(&self, key: &str, update: &IssueUpdate) -> Result<()> {
        let call = Call::write(Method::POST, &["issue", key, "transitions"]).json(update)?;
        self.send_unit(call).await
    }

    /// `GET /attachment/content/{id}?redirect=false`: the attachment's bytes.
    #[tracing::instrument(level = "debug", skip_all, fields(attachment.id = %id))]
    pub async fn attachment_content(&self, id: &str) -> Result<Bytes> {
        let call = Call::get(&["attachment", "content", id]).query("redirect", "false");
        self.send_bytes(call).await
    }
}
