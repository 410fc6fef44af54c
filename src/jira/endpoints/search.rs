//! Search and batch reads: enhanced JQL search, bulk fetch, counts, JQL helpers, and the
//! read-only batch POSTs. All of them are idempotent, so all are retried.

use crate::jira::client::{Call, JiraClient};
use crate::jira::error::{JiraError, Result};
use crate::jira::models::{
    ApproximateCount, ApproximateCountRequest, BULK_FETCH_MAX, BulkChangelogRequest,
    BulkChangelogResponse, BulkFetchRequest, BulkIssueResults, CommentIds, JqlQueriesToParse,
    JqlReferenceData, JqlSuggestions, PageBeanComment, ParsedJqlQueries, ReadOptions,
    SearchRequest, SearchResults,
};

impl JiraClient {
    /// `POST /search/jql`: one page of issues for a bounded JQL query.
    #[tracing::instrument(level = "debug", skip_all, fields(search.page = request.next_page_token.is_some()))]
    pub async fn search_jql(&self, request: &SearchRequest) -> Result<SearchResults> {
        let options = ReadOptions {
            keep_comments: request.keep_comments,
        };
        self.send_with(Call::read_post(&["search", "jql"]).json(request)?, options)
            .await
    }

    /// `POST /search/approximate-count`: an estimate of how many issues match.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn approximate_count(&self, jql: &str) -> Result<u64> {
        let body = ApproximateCountRequest {
            jql: jql.to_owned(),
        };
        let count: ApproximateCount = self
            .send(Call::read_post(&["search", "approximate-count"]).json(&body)?)
            .await?;
        Ok(u64::try_from(count.count).unwrap_or(0))
    }

    /// `POST /issue/bulkfetch`: up to 100 issues by id or key, answered in id order.
    ///
    /// An empty request is answered locally with no issues; more than 100 keys is refused
    /// locally, as Jira would.
    #[tracing::instrument(level = "debug", skip_all, fields(issue.count = request.issue_ids_or_keys.len()))]
    pub async fn bulk_fetch(&self, request: &BulkFetchRequest) -> Result<BulkIssueResults> {
        if request.issue_ids_or_keys.is_empty() {
            return Ok(BulkIssueResults::default());
        }
        if request.issue_ids_or_keys.len() > BULK_FETCH_MAX {
            return Err(JiraError::BadRequest {
                messages: vec![format!(
                    "bulk fetch takes at most {BULK_FETCH_MAX} issues, got {}",
                    request.issue_ids_or_keys.len()
                )],
                errors: Default::default(),
            });
        }
        self.send(Call::read_post(&["issue", "bulkfetch"]).json(request)?)
            .await
    }

    /// `POST /comment/list`: comments by id (at most 1000), e.g. to hydrate webhook events.
    #[tracing::instrument(level = "debug", skip_all, fields(comment.count = ids.len()))]
    pub async fn comments_by_ids(&self, ids: &[i64]) -> Result<PageBeanComment> {
        let body = CommentIds { ids: ids.to_vec() };
        self.send(Call::read_post(&["comment", "list"]).json(&body)?)
            .await
    }

    /// `POST /changelog/bulkfetch`: changelogs of many issues, cursor-paged.
    #[tracing::instrument(level = "debug", skip_all, fields(issue.count = request.issue_ids_or_keys.len()))]
    pub async fn bulk_changelogs(
        &self,
        request: &BulkChangelogRequest,
    ) -> Result<BulkChangelogResponse> {
        self.send(Call::read_post(&["changelog", "bulkfetch"]).json(request)?)
            .await
    }

    /// `GET /jql/autocompletedata`: the fields, functions and reserved words of JQL.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn jql_autocomplete_data(&self) -> Result<JqlReferenceData> {
        self.send(Call::get(&["jql", "autocompletedata"])).await
    }

    /// `GET /jql/autocompletedata/suggestions`: values for `field` matching `value`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn jql_suggestions(&self, field: &str, value: &str) -> Result<JqlSuggestions> {
        let call = Call::get(&["jql", "autocompletedata", "suggestions"])
            .query_nonempty("fieldName", field)
            .query("fieldValue", value);
        self.send(call).await
    }

    /// `POST /jql/parse?validation=strict`: parses and validates queries, errors per query.
    #[tracing::instrument(level = "debug", skip_all, fields(jql.count = queries.len()))]
    pub async fn jql_parse(&self, queries: &[String]) -> Result<ParsedJqlQueries> {
        let body = JqlQueriesToParse {
            queries: queries.to_vec(),
        };
        let call = Call::read_post(&["jql", "parse"])
            .query("validation", "strict")
            .json(&body)?;
        self.send(call).await
    }
}
