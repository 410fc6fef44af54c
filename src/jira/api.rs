//! `JiraApi`: the Jira operations as an object-safe trait, so loaders and resolvers can hold
//! `Arc<dyn JiraApi>` and tests can substitute a fake. [`JiraClient`] is the real one.

use bytes::Bytes;
use futures_util::future::BoxFuture;
use serde_json::Value;

use super::client::JiraClient;
use super::error::Result;
use super::models::{
    BulkChangelogRequest, BulkChangelogResponse, BulkFetchRequest, BulkIssueResults,
    BulkOperationProgress, BulkTransitionRequest, BulkTransitionsAvailable, Comment, FieldDetails,
    IssueBean, IssueUpdate, JqlReferenceData, JqlSuggestions, PageBeanChangelog, PageBeanComment,
    PageBeanProject, PageBeanUser, PageOfComments, ParsedJqlQueries, Project, SearchRequest,
    SearchResults, TaskId, Transitions, User,
};

/// The Jira operations the gateway uses. See the same-named [`JiraClient`] methods.
pub trait JiraApi: Send + Sync {
    /// Non-secret identity of the credentials, for cache keys.
    fn identity(&self) -> String;
    /// See [`JiraClient::myself`].
    fn myself(&self) -> BoxFuture<'_, Result<User>>;
    /// See [`JiraClient::search_jql`].
    fn search_jql<'a>(&'a self, request: &'a SearchRequest)
    -> BoxFuture<'a, Result<SearchResults>>;
    /// See [`JiraClient::approximate_count`].
    fn approximate_count<'a>(&'a self, jql: &'a str) -> BoxFuture<'a, Result<u64>>;
    /// See [`JiraClient::bulk_fetch`].
    fn bulk_fetch<'a>(
        &'a self,
        request: &'a BulkFetchRequest,
    ) -> BoxFuture<'a, Result<BulkIssueResults>>;
    /// See [`JiraClient::get_issue`].
    fn get_issue<'a>(
        &'a self,
        key: &'a str,
        fields: &'a [&'a str],
        expand: &'a [&'a str],
    ) -> BoxFuture<'a, Result<IssueBean>>;
    /// See [`JiraClient::edit_issue`].
    fn edit_issue<'a>(
        &'a self,
        key: &'a str,
        update: &'a IssueUpdate,
        return_issue: bool,
    ) -> BoxFuture<'a, Result<Option<IssueBean>>>;
    /// See [`JiraClient::get_comments`].
    fn get_comments<'a>(
        &'a self,
        key: &'a str,
        start_at: u64,
        max_results: u32,
    ) -> BoxFuture<'a, Result<PageOfComments>>;
    /// See [`JiraClient::add_comment`].
    fn add_comment<'a>(
        &'a self,
        key: &'a str,
        body_adf: &'a Value,
    ) -> BoxFuture<'a, Result<Comment>>;
    /// See [`JiraClient::edit_comment`].
    fn edit_comment<'a>(
        &'a self,
        key: &'a str,
        id: &'a str,
        body_adf: &'a Value,
    ) -> BoxFuture<'a, Result<Comment>>;
    /// See [`JiraClient::delete_comment`].
    fn delete_comment<'a>(&'a self, key: &'a str, id: &'a str) -> BoxFuture<'a, Result<()>>;
    /// See [`JiraClient::comments_by_ids`].
    fn comments_by_ids<'a>(&'a self, ids: &'a [i64]) -> BoxFuture<'a, Result<PageBeanComment>>;
    /// See [`JiraClient::get_changelog`].
    fn get_changelog<'a>(
        &'a self,
        key: &'a str,
        start_at: u64,
        max_results: u32,
    ) -> BoxFuture<'a, Result<PageBeanChangelog>>;
    /// See [`JiraClient::bulk_changelogs`].
    fn bulk_changelogs<'a>(
        &'a self,
        request: &'a BulkChangelogRequest,
    ) -> BoxFuture<'a, Result<BulkChangelogResponse>>;
    /// See [`JiraClient::get_transitions`].
    fn get_transitions<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Transitions>>;
    /// See [`JiraClient::do_transition`].
    fn do_transition<'a>(
        &'a self,
        key: &'a str,
        update: &'a IssueUpdate,
    ) -> BoxFuture<'a, Result<()>>;
    /// See [`JiraClient::bulk_transition_available`].
    fn bulk_transition_available<'a>(
        &'a self,
        keys: &'a [String],
    ) -> BoxFuture<'a, Result<BulkTransitionsAvailable>>;
    /// See [`JiraClient::bulk_transition`].
    fn bulk_transition<'a>(
        &'a self,
        request: &'a BulkTransitionRequest,
    ) -> BoxFuture<'a, Result<TaskId>>;
    /// See [`JiraClient::bulk_progress`].
    fn bulk_progress<'a>(
        &'a self,
        task_id: &'a str,
    ) -> BoxFuture<'a, Result<BulkOperationProgress>>;
    /// See [`JiraClient::search_projects`].
    fn search_projects<'a>(
        &'a self,
        start_at: u64,
        max_results: u32,
        query: Option<&'a str>,
    ) -> BoxFuture<'a, Result<PageBeanProject>>;
    /// See [`JiraClient::get_project`].
    fn get_project<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Project>>;
    /// See [`JiraClient::fields`].
    fn fields(&self) -> BoxFuture<'_, Result<Vec<FieldDetails>>>;
    /// See [`JiraClient::get_user`].
    fn get_user<'a>(&'a self, account_id: &'a str) -> BoxFuture<'a, Result<User>>;
    /// See [`JiraClient::users_bulk`].
    fn users_bulk<'a>(&'a self, account_ids: &'a [String]) -> BoxFuture<'a, Result<PageBeanUser>>;
    /// See [`JiraClient::jql_autocomplete_data`].
    fn jql_autocomplete_data(&self) -> BoxFuture<'_, Result<JqlReferenceData>>;
    /// See [`JiraClient::jql_suggestions`].
    fn jql_suggestions<'a>(
        &'a self,
        field: &'a str,
        value: &'a str,
    ) -> BoxFuture<'a, Result<JqlSuggestions>>;
    /// See [`JiraClient::jql_parse`].
    fn jql_parse<'a>(&'a self, queries: &'a [String]) -> BoxFuture<'a, Result<ParsedJqlQueries>>;
    /// See [`JiraClient::attachment_content`].
    fn attachment_content<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Bytes>>;
}

impl JiraApi for JiraClient {
    fn identity(&self) -> String {
        JiraClient::identity(self)
    }
    fn myself(&self) -> BoxFuture<'_, Result<User>> {
        Box::pin(JiraClient::myself(self))
    }
    fn search_jql<'a>(
        &'a self,
        request: &'a SearchRequest,
    ) -> BoxFuture<'a, Result<SearchResults>> {
        Box::pin(JiraClient::search_jql(self, request))
    }
    fn approximate_count<'a>(&'a self, jql: &'a str) -> BoxFuture<'a, Result<u64>> {
        Box::pin(JiraClient::approximate_count(self, jql))
    }
    fn bulk_fetch<'a>(
        &'a self,
        request: &'a BulkFetchRequest,
    ) -> BoxFuture<'a, Result<BulkIssueResults>> {
        Box::pin(JiraClient::bulk_fetch(self, request))
    }
    fn get_issue<'a>(
        &'a self,
        key: &'a str,
        fields: &'a [&'a str],
        expand: &'a [&'a str],
    ) -> BoxFuture<'a, Result<IssueBean>> {
        Box::pin(JiraClient::get_issue(self, key, fields, expand))
    }
    fn edit_issue<'a>(
        &'a self,
        key: &'a str,
        update: &'a IssueUpdate,
        return_issue: bool,
    ) -> BoxFuture<'a, Result<Option<IssueBean>>> {
        Box::pin(JiraClient::edit_issue(self, key, update, return_issue))
    }
    fn get_comments<'a>(
        &'a self,
        key: &'a str,
        start_at: u64,
        max_results: u32,
    ) -> BoxFuture<'a, Result<PageOfComments>> {
        Box::pin(JiraClient::get_comments(self, key, start_at, max_results))
    }
    fn add_comment<'a>(
        &'a self,
        key: &'a str,
        body_adf: &'a Value,
    ) -> BoxFuture<'a, Result<Comment>> {
        Box::pin(JiraClient::add_comment(self, key, body_adf))
    }
    fn edit_comment<'a>(
        &'a self,
        key: &'a str,
        id: &'a str,
        body_adf: &'a Value,
    ) -> BoxFuture<'a, Result<Comment>> {
        Box::pin(JiraClient::edit_comment(self, key, id, body_adf))
    }
    fn delete_comment<'a>(&'a self, key: &'a str, id: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(JiraClient::delete_comment(self, key, id))
    }
    fn comments_by_ids<'a>(&'a self, ids: &'a [i64]) -> BoxFuture<'a, Result<PageBeanComment>> {
        Box::pin(JiraClient::comments_by_ids(self, ids))
    }
    fn get_changelog<'a>(
        &'a self,
        key: &'a str,
        start_at: u64,
        max_results: u32,
    ) -> BoxFuture<'a, Result<PageBeanChangelog>> {
        Box::pin(JiraClient::get_changelog(self, key, start_at, max_results))
    }
    fn bulk_changelogs<'a>(
        &'a self,
        request: &'a BulkChangelogRequest,
    ) -> BoxFuture<'a, Result<BulkChangelogResponse>> {
        Box::pin(JiraClient::bulk_changelogs(self, request))
    }
    fn get_transitions<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Transitions>> {
        Box::pin(JiraClient::get_transitions(self, key))
    }
    fn do_transition<'a>(
        &'a self,
        key: &'a str,
        update: &'a IssueUpdate,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(JiraClient::do_transition(self, key, update))
    }
    fn bulk_transition_available<'a>(
        &'a self,
        keys: &'a [String],
    ) -> BoxFuture<'a, Result<BulkTransitionsAvailable>> {
        Box::pin(JiraClient::bulk_transition_available(self, keys))
    }
    fn bulk_transition<'a>(
        &'a self,
        request: &'a BulkTransitionRequest,
    ) -> BoxFuture<'a, Result<TaskId>> {
        Box::pin(JiraClient::bulk_transition(self, request))
    }
    fn bulk_progress<'a>(
        &'a self,
        task_id: &'a str,
    ) -> BoxFuture<'a, Result<BulkOperationProgress>> {
        Box::pin(JiraClient::bulk_progress(self, task_id))
    }
    fn search_projects<'a>(
        &'a self,
        start_at: u64,
        max_results: u32,
        query: Option<&'a str>,
    ) -> BoxFuture<'a, Result<PageBeanProject>> {
        Box::pin(JiraClient::search_projects(
            self,
            start_at,
            max_results,
            query,
        ))
    }
    fn get_project<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Project>> {
        Box::pin(JiraClient::get_project(self, key))
    }
    fn fields(&self) -> BoxFuture<'_, Result<Vec<FieldDetails>>> {
        Box::pin(JiraClient::fields(self))
    }
    fn get_user<'a>(&'a self, account_id: &'a str) -> BoxFuture<'a, Result<User>> {
        Box::pin(JiraClient::get_user(self, account_id))
    }
    fn users_bulk<'a>(&'a self, account_ids: &'a [String]) -> BoxFuture<'a, Result<PageBeanUser>> {
        Box::pin(JiraClient::users_bulk(self, account_ids))
    }
    fn jql_autocomplete_data(&self) -> BoxFuture<'_, Result<JqlReferenceData>> {
        Box::pin(JiraClient::jql_autocomplete_data(self))
    }
    fn jql_suggestions<'a>(
        &'a self,
        field: &'a str,
        value: &'a str,
    ) -> BoxFuture<'a, Result<JqlSuggestions>> {
        Box::pin(JiraClient::jql_suggestions(self, field, value))
    }
    fn jql_parse<'a>(&'a self, queries: &'a [String]) -> BoxFuture<'a, Result<ParsedJqlQueries>> {
        Box::pin(JiraClient::jql_parse(self, queries))
    }
    fn attachment_content<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Bytes>> {
        Box::pin(JiraClient::attachment_content(self, id))
    }
}
