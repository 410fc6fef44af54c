//! Site-level operations: the caller, projects, fields, users, bulk transitions and dynamic
//! webhooks.

use reqwest::Method;

use crate::jira::client::{Call, JiraClient};
use crate::jira::error::Result;
use crate::jira::models::{
    BulkOperationProgress, BulkTransitionRequest, BulkTransitionsAvailable, FieldDetails,
    PageBeanProject, PageBeanUser, PageBeanWebhook, Project, RegisteredWebhooks, TaskId, User,
    WebhookExpiration, WebhookIds, WebhookRegistration,
};

impl JiraClient {
    /// `GET /myself`: the user these credentials belong to.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn myself(&self) -> Result<User> {
        self.send(Call::get(&["myself"])).await
    }

    /// `GET /project/search`: a page of projects the caller may browse, optionally filtered
    /// by `query` (key or name), with description and lead.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn search_projects(
        &self,
        start_at: u64,
        max_results: u32,
        query: Option<&str>,
    ) -> Result<PageBeanProject> {
        let call = Call::get(&["project", "search"])
            .query("startAt", start_at.to_string())
            .query("maxResults", max_results.to_string())
            .query("expand", "description,lead")
            .query_nonempty("query", query.unwrap_or_default());
        self.send(call).await
    }

    /// `GET /project/{key}`: one project.
    #[tracing::instrument(level = "debug", skip_all, fields(project.key = %key))]
    pub async fn get_project(&self, key: &str) -> Result<Project> {
        self.send(Call::get(&["project", key])).await
    }

    /// `GET /field`: every system and custom field the caller can see.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn fields(&self) -> Result<Vec<FieldDetails>> {
        self.send(Call::get(&["field"])).await
    }

    /// `GET /user?accountId=`: one user.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn get_user(&self, account_id: &str) -> Result<User> {
        self.send(Call::get(&["user"]).query("accountId", account_id))
            .await
    }

    /// `GET /user/bulk`: several users by account id, in one page.
    #[tracing::instrument(level = "debug", skip_all, fields(user.count = account_ids.len()))]
    pub async fn users_bulk(&self, account_ids: &[String]) -> Result<PageBeanUser> {
        if account_ids.is_empty() {
            return Ok(PageBeanUser::default());
        }
        let mut call =
            Call::get(&["user", "bulk"]).query("maxResults", account_ids.len().to_string());
        for id in account_ids {
            call = call.query("accountId", id.as_str());
        }
        self.send(call).await
    }

    /// `GET /bulk/issues/transition`: transitions usable in bulk for these issues.
    #[tracing::instrument(level = "debug", skip_all, fields(issue.count = keys.len()))]
    pub async fn bulk_transition_available(
        &self,
        keys: &[String],
    ) -> Result<BulkTransitionsAvailable> {
        let call =
            Call::get(&["bulk", "issues", "transition"]).query("issueIdsOrKeys", keys.join(","));
        self.send(call).await
    }

    /// `POST /bulk/issues/transition`: starts an asynchronous bulk transition (201 + task id).
    ///
    /// A write: not retried after a failure that may have reached Jira.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn bulk_transition(&self, request: &BulkTransitionRequest) -> Result<TaskId> {
        let call = Call::write(Method::POST, &["bulk", "issues", "transition"]).json(request)?;
        self.send(call).await
    }

    /// `GET /bulk/queue/{taskId}`: progress of a bulk task.
    #[tracing::instrument(level = "debug", skip_all, fields(task.id = %task_id))]
    pub async fn bulk_progress(&self, task_id: &str) -> Result<BulkOperationProgress> {
        self.send(Call::get(&["bulk", "queue", task_id])).await
    }

    /// `POST /webhook`: registers dynamic webhooks (OAuth / Connect apps only).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn register_webhooks(
        &self,
        registration: &WebhookRegistration,
    ) -> Result<RegisteredWebhooks> {
        let call = Call::write(Method::POST, &["webhook"]).json(registration)?;
        self.send(call).await
    }

    /// `GET /webhook`: a page of this app's dynamic webhooks.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn list_webhooks(&self, start_at: u64, max_results: u32) -> Result<PageBeanWebhook> {
        let call = Call::get(&["webhook"])
            .query("startAt", start_at.to_string())
            .query("maxResults", max_results.to_string());
        self.send(call).await
    }

    /// `DELETE /webhook` with the ids in the body (Jira answers 202).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn delete_webhooks(&self, ids: &[i64]) -> Result<()> {
        let body = WebhookIds {
            webhook_ids: ids.to_vec(),
        };
        self.send_unit(Call::write(Method::DELETE, &["webhook"]).json(&body)?)
            .await
    }

    /// `PUT /webhook/refresh`: extends the 30-day life of these webhooks.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn refresh_webhooks(&self, ids: &[i64]) -> Result<WebhookExpiration> {
        let body = WebhookIds {
            webhook_ids: ids.to_vec(),
        };
        self.send(Call::write(Method::PUT, &["webhook", "refresh"]).json(&body)?)
            .await
    }
}
