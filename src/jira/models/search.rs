//! Search and batch-read DTOs: enhanced JQL search, bulk fetch, counts, JQL helpers.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::issue::{Changelog, IssueBean};
use super::{JsonMap, de};

/// Body of `POST /search/jql` (`SearchAndReconcileRequestBean`).
///
/// Jira rejects unknown properties here (`additionalProperties: false`), so unset values are
/// left out of the body rather than sent as `null` or empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SearchRequest {
    /// A bounded JQL query (Jira rejects e.g. a bare `order by key`).
    pub jql: String,
    /// Cursor from the previous page; `None` for the first page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
    /// Page size (Jira default 50; pages may be shorter when many fields are requested).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_results: Option<u32>,
    /// Fields to return. Jira returns ids only when this is empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// Comma-separated expand options (`renderedFields,names,transitions,changelog`, …);
    /// empty for none.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub expand: String,
    /// Issue property keys to return (at most 5).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<String>,
    /// Whether `fields` are field keys rather than ids.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields_by_keys: Option<bool>,
    /// Issue ids (at most 50) to reconcile for read-after-write consistency.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reconcile_issues: Vec<i64>,
    /// Not part of Jira's API, never sent: how many of the comments Jira embeds per issue
    /// (`fields=comment`, up to 20) the caller will show. The others are read past without
    /// being built, and each page's `total` still counts them. `None` keeps all.
    #[serde(skip)]
    pub keep_comments: Option<usize>,
}

impl SearchRequest {
    /// A first-page request for `jql` returning `fields`.
    pub fn new(jql: impl Into<String>, fields: &[&str]) -> Self {
        Self {
            jql: jql.into(),
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
            ..Self::default()
        }
    }

    /// Sets the expand options from a list (joined with commas, as the POST body wants).
    pub fn with_expand(mut self, expand: &[&str]) -> Self {
        self.expand = expand.join(",");
        self
    }
}

/// Answer of `/search/jql` (`SearchAndReconcileResults`). No `total`: use approximate count.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SearchResults {
    /// The issues of this page.
    #[serde(deserialize_with = "de::nullable_vec")]
    pub issues: Vec<IssueBean>,
    /// Cursor for the next page; absent on the last page. Expires after 7 days.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
    /// Whether this is the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_last: Option<bool>,
    /// Field id → display name (`expand=names`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub names: Option<JsonMap>,
    /// Field id → JSON type (`expand=schema`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<JsonMap>,
}

impl SearchResults {
    /// Whether no further page can be fetched (`isLast`, or no cursor to continue with).
    pub fn is_last_page(&self) -> bool {
        self.is_last == Some(true) || self.next_page_token.is_none()
    }
}

/// Body of `POST /issue/bulkfetch` (`BulkFetchIssueRequestBean`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BulkFetchRequest {
    /// Issue ids or keys, mixed, at most 100.
    pub issue_ids_or_keys: Vec<String>,
    /// Fields to return (Jira default `*navigable`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// Expand options, as a list (unlike search's comma string).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expand: Vec<String>,
    /// Issue property keys (at most 5).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<String>,
    /// Whether `fields` are field keys rather than ids.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields_by_keys: Option<bool>,
}

/// Most keys one bulk fetch takes.
pub const BULK_FETCH_MAX: usize = 100;

/// Answer of `/issue/bulkfetch` (`BulkIssueResults`), issues in ascending id order.
///
/// Issues that do not exist or that the caller may not see are silently absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BulkIssueResults {
    /// The issues found.
    #[serde(deserialize_with = "de::nullable_vec")]
    pub issues: Vec<IssueBean>,
    /// Per-issue failures (retryable).
    #[serde(deserialize_with = "de::nullable_vec")]
    pub issue_errors: Vec<IssueError>,
}

/// A per-issue failure in a bulk fetch (`IssueError`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IssueError {
    /// The issue id.
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// What went wrong.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

/// Body of `POST /search/approximate-count`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ApproximateCountRequest {
    /// A bounded JQL query.
    pub jql: String,
}

/// Answer of `/search/approximate-count` (`JQLCountResultsBean`): an estimate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApproximateCount {
    /// Estimated number of matching issues.
    #[serde(deserialize_with = "de::nullable")]
    pub count: i64,
}

/// Answer of `GET /jql/autocompletedata` (`JQLReferenceData`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct JqlReferenceData {
    /// Fields usable in JQL.
    #[serde(deserialize_with = "de::nullable_vec")]
    pub visible_field_names: Vec<FieldReferenceData>,
    /// Functions usable in JQL.
    #[serde(deserialize_with = "de::nullable_vec")]
    pub visible_function_names: Vec<FunctionReferenceData>,
    /// Reserved words.
    #[serde(deserialize_with = "de::nullable_vec")]
    pub jql_reserved_words: Vec<String>,
}

/// A JQL field (`FieldReferenceData`). Jira sends the flags as the strings `"true"`/`"false"`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FieldReferenceData {
    /// Name to use in JQL, e.g. `status` or `cf[10010]`.
    #[serde(deserialize_with = "de::string")]
    pub value: String,
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `"true"` when usable in ORDER BY.
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub orderable: Option<String>,
    /// `"true"` when searchable.
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub searchable: Option<String>,
    /// `"true"` when Jira can autocomplete values.
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub auto: Option<String>,
    /// Custom field id, for custom fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cfid: Option<String>,
    /// Supported operators.
    #[serde(deserialize_with = "de::nullable_vec")]
    pub operators: Vec<String>,
    /// Value types.
    #[serde(deserialize_with = "de::nullable_vec")]
    pub types: Vec<String>,
    /// `"true"` when deprecated.
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub deprecated: Option<String>,
}

/// A JQL function (`FunctionReferenceData`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FunctionReferenceData {
    /// Function call as written in JQL, e.g. `currentUser()`.
    #[serde(deserialize_with = "de::string")]
    pub value: String,
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `"true"` when it returns a list.
    #[serde(
        deserialize_with = "de::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_list: Option<String>,
    /// Value types.
    #[serde(deserialize_with = "de::nullable_vec")]
    pub types: Vec<String>,
}

/// Answer of `GET /jql/autocompletedata/suggestions` (`AutoCompleteSuggestions`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct JqlSuggestions {
    /// Suggested values.
    #[serde(deserialize_with = "de::nullable_vec")]
    pub results: Vec<JqlSuggestion>,
}

/// One suggested value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct JqlSuggestion {
    /// Value to put in the query.
    #[serde(deserialize_with = "de::string")]
    pub value: String,
    /// Display text; matches are wrapped in `<b>` (HTML from Jira: escape before showing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

/// Body of `POST /jql/parse` (`JqlQueriesToParse`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JqlQueriesToParse {
    /// The queries.
    pub queries: Vec<String>,
}

/// Answer of `POST /jql/parse` (`ParsedJqlQueries`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ParsedJqlQueries {
    /// One entry per query, in request order.
    #[serde(deserialize_with = "de::nullable_vec")]
    pub queries: Vec<ParsedJqlQuery>,
}

/// One parsed query: its AST, or errors (`ParsedJqlQuery`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ParsedJqlQuery {
    /// The query as given.
    #[serde(deserialize_with = "de::string")]
    pub query: String,
    /// The AST (`JqlQuery`), when the query parsed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub structure: Option<Value>,
    /// Errors; empty when the query is valid.
    #[serde(
        deserialize_with = "de::nullable_vec",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub errors: Vec<String>,
    /// Warnings (with `validation=warn`).
    #[serde(
        deserialize_with = "de::nullable_vec",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub warnings: Vec<String>,
}

impl ParsedJqlQuery {
    /// Whether Jira found no error.
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Body of `POST /comment/list` (`IssueCommentListRequestBean`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CommentIds {
    /// Comment ids, at most 1000.
    pub ids: Vec<i64>,
}

/// Body of `POST /changelog/bulkfetch` (`BulkChangelogRequestBean`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BulkChangelogRequest {
    /// Issue ids or keys, at most 1000.
    pub issue_ids_or_keys: Vec<String>,
    /// Only changes to these fields (at most 10).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub field_ids: Vec<String>,
    /// Page size (Jira default 1000, maximum 10000).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_results: Option<u32>,
    /// Cursor from the previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// Answer of `POST /changelog/bulkfetch` (`BulkChangelogResponseBean`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BulkChangelogResponse {
    /// Changelogs per issue.
    #[serde(deserialize_with = "de::nullable_vec")]
    pub issue_change_logs: Vec<IssueChangeLog>,
    /// Cursor for the next page; `None` on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// The changelog of one issue in a bulk changelog answer (`IssueChangeLog`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct IssueChangeLog {
    /// The issue id.
    #[serde(deserialize_with = "de::string")]
    pub issue_id: String,
    /// The changes.
    #[serde(deserialize_with = "de::nullable_vec")]
    pub change_histories: Vec<Changelog>,
}
