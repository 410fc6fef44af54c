//! Turns Jira data into a [`ReportInput`]: the fetching half of an export, shared by the
//! `export` command and the export jobs. Knows Jira's DTOs and nothing about typst.
//!
//! The calls, for N issues: `GET /field` and (for JQL) `POST /search/approximate-count`, both
//! at once; then `POST /search/jql` pages of 100 (or `POST /issue/bulkfetch` chunks of 100 for
//! keys) asking for exactly the fields the templates show, with the changelog expanded. Jira
//! embeds at most 20 comments and 20 changes per issue, so only issues with more get
//! `GET /issue/{key}/comment` or `/changelog` pages, and only image attachments of at most
//! [`MAX_IMAGE_BYTES`] are downloaded. Everything runs with bounded concurrency: at most
//! [`ISSUE_CONCURRENCY`] issues being completed and [`IMAGE_CONCURRENCY`] downloads at once,
//! all inside the client's own site budget.
//!
//! Timestamps are passed through as Jira sends them; the renderer formats them for the locale.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use futures_util::stream::{self, BoxStream, StreamExt, TryStreamExt};
use serde_json::Value;
use tokio::sync::Semaphore;

use super::model::{
    ExportAttachment, ExportChange, ExportComment, ExportField, ExportIssue, ExportParent,
    ReportInput, Sections,
};
use crate::jira::models::{
    Attachment, BULK_FETCH_MAX, BulkFetchRequest, Changelog, Comment, FieldDetails, IssueBean,
    SearchRequest, User,
};
use crate::jira::{JiraClient, JiraError};

/// Issues per search page (Jira's largest page when fields are requested).
const SEARCH_PAGE: u32 = 100;
/// Comments or changelog entries per follow-up page (Jira's default and usual maximum).
const FOLLOW_UP_PAGE: u32 = 100;
/// Issues whose comments, changes and images are being fetched at once.
pub const ISSUE_CONCURRENCY: usize = 8;
/// Attachment downloads in flight at once, across all issues.
pub const IMAGE_CONCURRENCY: usize = 4;
/// Larger images are listed, not downloaded.
pub const MAX_IMAGE_BYTES: u64 = 5 * 1024 * 1024;
/// Past this many downloaded image bytes per report, further images are listed only.
const MAX_TOTAL_IMAGE_BYTES: usize = 100 * 1024 * 1024;
/// Default of [`ExportQuery::max_issues`].
pub const DEFAULT_MAX_ISSUES: usize = 5000;

/// Custom field types whose values mean nothing on paper (board rank, development panel,
/// card colour, encoded time-in-status).
const HIDDEN_CUSTOM_TYPES: &[&str] = &[
    "com.pyxis.greenhopper.jira:gh-lexo-rank",
    "com.pyxis.greenhopper.jira:jsw-issue-color",
    "com.atlassian.jira.plugins.jira-development-integration-plugin:devsummarycf",
    "com.atlassian.jira.ext.charting:timeinstatus",
];

/// What to export: a JQL query, issue keys, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportQuery {
    /// A bounded JQL query; its issues come in the query's order.
    pub jql: Option<String>,
    /// Issue keys (or ids), exported first and in this order. With `jql` as well, the query's
    /// issues follow, without repeating any.
    pub keys: Vec<String>,
    /// The parts of each issue to fetch: a section that is off costs no Jira call.
    pub sections: Sections,
    /// Refuse queries matching more issues than this.
    pub max_issues: usize,
}

impl Default for ExportQuery {
    fn default() -> Self {
        Self {
            jql: None,
            keys: Vec::new(),
            sections: Sections::default(),
            max_issues: DEFAULT_MAX_ISSUES,
        }
    }
}

/// Why fetching failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// Neither a JQL query nor keys were given.
    #[error("nothing to export: give a JQL query or issue keys")]
    NoQuery,
    /// A Jira call failed (invalid JQL arrives here with Jira's own message).
    #[error(transparent)]
    Jira(#[from] JiraError),
    /// Keys were given and none of them exists or is visible to the caller.
    #[error("none of the requested issues exists or is visible: {}", .0.join(", "))]
    NotFound(Vec<String>),
    /// The query matches more issues than [`ExportQuery::max_issues`].
    #[error("the query matches {found} or more issues, more than the limit of {limit}")]
    TooMany { found: usize, limit: usize },
    /// Jira could not return some issues of a bulk fetch, even when asked again.
    #[error("Jira could not return some issues: {}", .0.join("; "))]
    IssueErrors(Vec<String>),
}

/// How many Jira calls a fetch made, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallCounts {
    pub fields: usize,
    pub count: usize,
    pub search: usize,
    pub bulk_fetch: usize,
    pub comments: usize,
    pub changelog: usize,
    pub attachments: usize,
}

impl CallCounts {
    /// All calls together.
    pub fn total(&self) -> usize {
        self.fields
            + self.count
            + self.search
            + self.bulk_fetch
            + self.comments
            + self.changelog
            + self.attachments
    }
}

/// A fetched report and what happened on the way.
#[derive(Debug, Clone)]
pub struct FetchedReport {
    pub report: ReportInput,
    /// Requested keys that Jira did not return (missing, not visible, or moved to a new key).
    pub missing_keys: Vec<String>,
    pub calls: CallCounts,
}

/// Fetches everything the templates show for `query`, calling `progress(done, total)` as
/// issues complete. `total` starts as Jira's estimate and ends exact.
pub async fn fetch_report<P>(
    client: &JiraClient,
    query: &ExportQuery,
    progress: P,
) -> Result<ReportInput, FetchError>
where
    P: Fn(usize, usize) + Send + Sync,
{
    let fetched = fetch_report_detailed(client, query, progress).await?;
    if !fetched.missing_keys.is_empty() {
        tracing::warn!(
            issue.keys = %fetched.missing_keys.join(","),
            "export: issues not found or not visible"
        );
    }
    Ok(fetched.report)
}

/// [`fetch_report`], also returning the keys Jira did not return and the calls made.
#[tracing::instrument(skip_all, fields(export.keys = query.keys.len(), export.jql = query.jql.is_some()))]
pub async fn fetch_report_detailed<P>(
    client: &JiraClient,
    query: &ExportQuery,
    progress: P,
) -> Result<FetchedReport, FetchError>
where
    P: Fn(usize, usize) + Send + Sync,
{
    let jql = query.jql.as_deref().map(str::trim).filter(|j| !j.is_empty());
    let keys = unique_keys(&query.keys);
    if jql.is_none() && keys.is_empty() {
        return Err(FetchError::NoQuery);
    }
    let calls = Counters::default();

    let estimate = async {
        match jql {
            Some(jql) => {
                calls.count.fetch_add(1, Ordering::Relaxed);
                client.approximate_count(jql).await.map(Some)
            }
            None => Ok(None),
        }
    };
    let definitions = async {
        calls.fields.fetch_add(1, Ordering::Relaxed);
        client.fields().await
    };
    let (definitions, estimate) = tokio::try_join!(definitions, estimate)?;
    let estimate = estimate.map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX));
    let base_total = keys.len().saturating_add(estimate);
    if let Some(found) = [keys.len(), estimate].into_iter().find(|n| *n > query.max_issues) {
        return Err(FetchError::TooMany {
            found,
            limit: query.max_issues,
        });
    }

    let ctx = Ctx::new(client, &definitions, query.sections, &calls);
    let fields = ctx.requested_fields();
    let expand: Vec<String> = if query.sections.changelog {
        vec!["changelog".to_owned()]
    } else {
        Vec::new()
    };
    let missing = parking_lot::Mutex::new(Vec::new());
    let discovered = AtomicUsize::new(0);

    let pages = key_pages(&ctx, &keys, &fields, &expand, &missing).chain(search_pages(
        &ctx,
        jql,
        &fields,
        &expand,
    ));
    let mut seen = HashSet::new();
    let max = query.max_issues;
    let issues = pages
        .map_ok(|page| stream::iter(page.into_iter().map(Ok)))
        .try_flatten()
        .try_filter_map(|bean: IssueBean| {
            let fresh = seen.insert(bean.key.to_ascii_uppercase());
            let result = if !fresh {
                Ok(None)
            } else {
                let index = discovered.fetch_add(1, Ordering::Relaxed);
                if index >= max {
                    Err(FetchError::TooMany {
                        found: index + 1,
                        limit: max,
                    })
                } else {
                    Ok(Some((index, bean)))
                }
            };
            std::future::ready(result)
        });
    let ctx = &ctx;
    let mut completed = issues
        .map(|item| async move {
            let (index, bean) = item?;
            Ok::<_, FetchError>((index, ctx.complete(bean).await?))
        })
        .buffer_unordered(ISSUE_CONCURRENCY);

    let mut done: Vec<(usize, ExportIssue)> = Vec::new();
    while let Some(item) = completed.next().await {
        done.push(item?);
        let total = base_total.max(discovered.load(Ordering::Relaxed));
        progress(done.len(), total);
    }
    drop(completed);
    progress(done.len(), done.len());
    done.sort_by_key(|(index, _)| *index);
    let issues: Vec<ExportIssue> = done.into_iter().map(|(_, issue)| issue).collect();

    let missing_keys = missing.into_inner();
    if jql.is_none() && issues.is_empty() {
        return Err(FetchError::NotFound(missing_keys));
    }
    let report = ReportInput {
        title: default_title(&issues),
        query: Some(describe_query(jql, &keys)),
        site: site_label(client),
        generated_at: chrono::Utc::now().to_rfc3339(),
        issues,
    };
    Ok(FetchedReport {
        report,
        missing_keys,
        calls: calls.snapshot(),
    })
}

/// Keys trimmed, without empties and without case-insensitive repeats, in the given order.
fn unique_keys(keys: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    keys.iter()
        .map(|k| k.trim())
        .filter(|k| !k.is_empty() && seen.insert(k.to_ascii_uppercase()))
        .map(str::to_owned)
        .collect()
}

type Pages<'a> = BoxStream<'a, Result<Vec<IssueBean>, FetchError>>;

/// Bulk fetches of up to 100 keys (two chunks in flight), each answered in the given order.
fn key_pages<'a>(
    ctx: &'a Ctx<'a>,
    keys: &'a [String],
    fields: &'a [String],
    expand: &'a [String],
    missing: &'a parking_lot::Mutex<Vec<String>>,
) -> Pages<'a> {
    stream::iter(keys.chunks(BULK_FETCH_MAX))
        .map(move |chunk| async move {
            let issues = ctx.bulk_fetch(chunk, fields, expand).await?;
            let (ordered, not_found) = in_requested_order(chunk, issues);
            missing.lock().extend(not_found);
            Ok(ordered)
        })
        .buffered(2)
        .boxed()
}

/// The pages of a JQL search, one after the other (each needs the previous page's cursor).
fn search_pages<'a>(
    ctx: &'a Ctx<'a>,
    jql: Option<&'a str>,
    fields: &'a [String],
    expand: &'a [String],
) -> Pages<'a> {
    let Some(jql) = jql else {
        return stream::empty().boxed();
    };
    // `None` once the last page has been read; `Some(cursor)` otherwise.
    stream::try_unfold(Some(None::<String>), move |cursor| async move {
        let Some(token) = cursor else {
            return Ok(None);
        };
        let request = SearchRequest {
            jql: jql.to_owned(),
            next_page_token: token,
            max_results: Some(SEARCH_PAGE),
            fields: fields.to_vec(),
            expand: expand.join(","),
            ..SearchRequest::default()
        };
        ctx.calls.search.fetch_add(1, Ordering::Relaxed);
        let page = ctx.client.search_jql(&request).await?;
        // An empty page that claims more would loop forever.
        let next = (!page.is_last_page() && !page.issues.is_empty())
            .then(|| page.next_page_token.clone());
        Ok(Some((page.issues, next)))
    })
    .boxed()
}

/// Puts bulk-fetch results (Jira answers in id order) into the requested order; returns the
/// requested keys that did not come back. An issue that answered under another key (it was
/// moved) is kept, after the others.
fn in_requested_order(
    requested: &[String],
    issues: Vec<IssueBean>,
) -> (Vec<IssueBean>, Vec<String>) {
    let mut remaining: Vec<Option<IssueBean>> = issues.into_iter().map(Some).collect();
    let mut ordered = Vec::with_capacity(remaining.len());
    let mut missing = Vec::new();
    for wanted in requested {
        let found = remaining.iter_mut().find(|slot| {
            slot.as_ref()
                .is_some_and(|b| b.key.eq_ignore_ascii_case(wanted) || b.id == *wanted)
        });
        match found.and_then(Option::take) {
            Some(bean) => ordered.push(bean),
            None => missing.push(wanted.clone()),
        }
    }
    ordered.extend(remaining.into_iter().flatten());
    (ordered, missing)
}

fn default_title(issues: &[ExportIssue]) -> String {
    match issues {
        [one] => format!("{}: {}", one.key, one.summary),
        _ => "Jira report".to_owned(),
    }
}

/// The query as the cover shows it.
fn describe_query(jql: Option<&str>, keys: &[String]) -> String {
    const SHOWN: usize = 20;
    let mut listed = keys
        .iter()
        .take(SHOWN)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if keys.len() > SHOWN {
        listed.push_str(&format!(" … ({} more)", keys.len() - SHOWN));
    }
    match (jql, keys.is_empty()) {
        (Some(jql), true) => jql.to_owned(),
        (Some(jql), false) => format!("{listed}; {jql}"),
        (None, _) => listed,
    }
}

/// `acme.atlassian.net` for a site URL; nothing for the OAuth gateway, whose host says
/// nothing about the site.
fn site_label(client: &JiraClient) -> Option<String> {
    let url = client.base_url();
    if url.path().contains("/ex/jira/") {
        return None;
    }
    let host = url.host_str()?;
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

#[derive(Default)]
struct Counters {
    fields: AtomicUsize,
    count: AtomicUsize,
    search: AtomicUsize,
    bulk_fetch: AtomicUsize,
    comments: AtomicUsize,
    changelog: AtomicUsize,
    attachments: AtomicUsize,
}

impl Counters {
    fn snapshot(&self) -> CallCounts {
        let get = |c: &AtomicUsize| c.load(Ordering::Relaxed);
        CallCounts {
            fields: get(&self.fields),
            count: get(&self.count),
            search: get(&self.search),
            bulk_fetch: get(&self.bulk_fetch),
            comments: get(&self.comments),
            changelog: get(&self.changelog),
            attachments: get(&self.attachments),
        }
    }
}

/// A custom field shown in the report.
struct CustomField {
    id: String,
    name: String,
}

/// What completing one issue needs, shared by all issues of a fetch.
struct Ctx<'a> {
    client: &'a JiraClient,
    sections: Sections,
    custom: Vec<CustomField>,
    /// Field id → display name, for changelog entries.
    names: HashMap<String, String>,
    downloads: Semaphore,
    image_bytes: AtomicUsize,
    calls: &'a Counters,
}

impl<'a> Ctx<'a> {
    fn new(
        client: &'a JiraClient,
        definitions: &[FieldDetails],
        sections: Sections,
        calls: &'a Counters,
    ) -> Self {
        let custom = definitions
            .iter()
            .filter(|f| f.custom && f.navigable != Some(false))
            .filter(|f| {
                let kind = f.schema.as_ref().and_then(|s| s.custom.as_deref());
                !kind.is_some_and(|k| HIDDEN_CUSTOM_TYPES.contains(&k))
            })
            .map(|f| CustomField {
                id: f.id.clone(),
                name: f.name.clone(),
            })
            .collect();
        let names = definitions
            .iter()
            .map(|f| (f.id.clone(), f.name.clone()))
            .collect();
        Self {
            client,
            sections,
            custom,
            names,
            downloads: Semaphore::new(IMAGE_CONCURRENCY),
            image_bytes: AtomicUsize::new(0),
            calls,
        }
    }

    /// Exactly the fields the templates show, given the sections.
    fn requested_fields(&self) -> Vec<String> {
        let s = &self.sections;
        let mut fields: Vec<String> = [
            "summary",
            "status",
            "priority",
            "issuetype",
            "assignee",
            "reporter",
            "created",
            "updated",
            "duedate",
            "labels",
            "parent",
        ]
        .iter()
        .map(|f| (*f).to_owned())
        .collect();
        if s.description {
            fields.push("description".into());
        }
        if s.comments {
            fields.push("comment".into());
        }
        // Images also appear inside descriptions and comments, matched against attachments.
        if s.attachments || s.description || s.comments {
            fields.push("attachment".into());
        }
        if s.custom_fields {
            fields.extend(self.custom.iter().map(|f| f.id.clone()));
        }
        fields
    }

    /// One bulk fetch; issues Jira reports as failed are asked for once more.
    async fn bulk_fetch(
        &self,
        keys: &[String],
        fields: &[String],
        expand: &[String],
    ) -> Result<Vec<IssueBean>, FetchError> {
        let mut request = BulkFetchRequest {
            issue_ids_or_keys: keys.to_vec(),
            fields: fields.to_vec(),
            expand: expand.to_vec(),
            ..BulkFetchRequest::default()
        };
        self.calls.bulk_fetch.fetch_add(1, Ordering::Relaxed);
        let mut result = self.client.bulk_fetch(&request).await?;
        if result.issue_errors.is_empty() {
            return Ok(result.issues);
        }
        request.issue_ids_or_keys = result.issue_errors.iter().map(|e| e.id.clone()).collect();
        self.calls.bulk_fetch.fetch_add(1, Ordering::Relaxed);
        let retry = self.client.bulk_fetch(&request).await?;
        if !retry.issue_errors.is_empty() {
            return Err(FetchError::IssueErrors(
                retry
                    .issue_errors
                    .iter()
                    .map(|e| {
                        let message = e.error_message.as_deref().unwrap_or("unknown error");
                        format!("issue {}: {message}", e.id)
                    })
                    .collect(),
            ));
        }
        result.issues.extend(retry.issues);
        Ok(result.issues)
    }

    /// Completes one issue (comments and changes beyond the embedded 20, image bytes) and
    /// flattens it for the renderer.
    async fn complete(&self, mut bean: IssueBean) -> Result<ExportIssue, FetchError> {
        let key = bean.key.clone();
        let embedded_comments = bean.fields.comment.take();
        let embedded_changes = bean.changelog.take();
        let attachments = bean.fields.attachment.take().unwrap_or_default();
        let (comments, changes, attachments) = tokio::try_join!(
            self.all_comments(&key, embedded_comments),
            self.all_changes(&key, embedded_changes),
            self.attachments(attachments),
        )?;
        Ok(self.flatten(bean, comments, changes, attachments))
    }

    async fn all_comments(
        &self,
        key: &str,
        embedded: Option<crate::jira::models::PageOfComments>,
    ) -> Result<Vec<Comment>, JiraError> {
        let Some(page) = embedded.filter(|_| self.sections.comments) else {
            return Ok(Vec::new());
        };
        let embedded_len = i64::try_from(page.comments.len()).unwrap_or(i64::MAX);
        if page.start_at == 0 && page.total <= embedded_len {
            return Ok(page.comments);
        }
        // Keep the embedded comments when they are the first ones, and read on after them.
        let mut comments = if page.start_at == 0 {
            page.comments
        } else {
            Vec::new()
        };
        loop {
            let start = u64::try_from(comments.len()).unwrap_or(u64::MAX);
            self.calls.comments.fetch_add(1, Ordering::Relaxed);
            let next = self.client.get_comments(key, start, FOLLOW_UP_PAGE).await?;
            let last = next.is_last_page();
            comments.extend(next.comments);
            if last {
                return Ok(comments);
            }
        }
    }

    /// The whole changelog, oldest first.
    async fn all_changes(
        &self,
        key: &str,
        embedded: Option<crate::jira::models::PageOfChangelogs>,
    ) -> Result<Vec<Changelog>, JiraError> {
        let Some(page) = embedded.filter(|_| self.sections.changelog) else {
            return Ok(Vec::new());
        };
        let embedded_len = i64::try_from(page.histories.len()).unwrap_or(i64::MAX);
        if page.start_at == 0 && page.total <= embedded_len {
            // Embedded entries are most recent first.
            let mut histories = page.histories;
            histories.reverse();
            return Ok(histories);
        }
        let mut histories = Vec::new();
        loop {
            let start = u64::try_from(histories.len()).unwrap_or(u64::MAX);
            self.calls.changelog.fetch_add(1, Ordering::Relaxed);
            let next = self.client.get_changelog(key, start, FOLLOW_UP_PAGE).await?;
            let last = next.is_last_page() || next.values.is_empty();
            histories.extend(next.values);
            if last {
                return Ok(histories);
            }
        }
    }

    /// Attachment metadata, with the bytes of images small enough to embed. A download that
    /// fails leaves the image listed rather than failing the export.
    async fn attachments(
        &self,
        attachments: Vec<Attachment>,
    ) -> Result<Vec<ExportAttachment>, JiraError> {
        let s = &self.sections;
        let want_images = s.attachments || s.description || s.comments;
        let downloads = attachments.into_iter().map(|a| async move {
            let size = a.size.and_then(|s| u64::try_from(s).ok()).unwrap_or(0);
            let mime_type = a.mime_type.clone().unwrap_or_default();
            let is_image = mime_type.to_ascii_lowercase().starts_with("image/");
            let content = if want_images && is_image && size <= MAX_IMAGE_BYTES {
                self.download(&a.id, size).await
            } else {
                None
            };
            ExportAttachment {
                id: Some(a.id).filter(|id| !id.is_empty()),
                filename: a.filename,
                mime_type,
                size,
                content,
            }
        });
        Ok(futures_util::future::join_all(downloads).await)
    }

    async fn download(&self, id: &str, size: u64) -> Option<Vec<u8>> {
        let size = usize::try_from(size).unwrap_or(usize::MAX);
        // Reserve the announced size first so concurrent downloads cannot overshoot much.
        let before = self.image_bytes.fetch_add(size, Ordering::Relaxed);
        if before.saturating_add(size) > MAX_TOTAL_IMAGE_BYTES {
            self.image_bytes.fetch_sub(size, Ordering::Relaxed);
            return None;
        }
        let _slot = self.downloads.acquire().await.ok()?;
        self.calls.attachments.fetch_add(1, Ordering::Relaxed);
        match self.client.attachment_content(id).await {
            Ok(bytes) if bytes.len() as u64 <= MAX_IMAGE_BYTES => Some(bytes.to_vec()),
            Ok(bytes) => {
                tracing::debug!(attachment.id = %id, attachment.bytes = bytes.len(), "image too large to embed");
                None
            }
            Err(error) => {
                tracing::warn!(attachment.id = %id, %error, "could not download an image attachment; it is listed only");
                None
            }
        }
    }

    fn flatten(
        &self,
        bean: IssueBean,
        comments: Vec<Comment>,
        changes: Vec<Changelog>,
        attachments: Vec<ExportAttachment>,
    ) -> ExportIssue {
        let mut f = bean.fields;
        let status = f.status.take().unwrap_or_default();
        let custom_fields = if self.sections.custom_fields {
            self.custom
                .iter()
                .filter_map(|field| {
                    let value = value_text(f.other.get(&field.id)?)?;
                    Some(ExportField {
                        name: field.name.clone(),
                        value,
                    })
                })
                .collect()
        } else {
            Vec::new()
        };
        ExportIssue {
            key: bean.key,
            summary: f.summary.unwrap_or_default(),
            status_category: status
                .status_category
                .map(|c| c.key)
                .unwrap_or_default(),
            status: status.name,
            priority: f.priority.map(|p| p.name).filter(|n| !n.is_empty()),
            issue_type: f.issue_type.map(|t| t.name).unwrap_or_default(),
            assignee: f.assignee.as_ref().map(user_name),
            reporter: f.reporter.as_ref().map(user_name),
            created: f.created.unwrap_or_default(),
            updated: f.updated.unwrap_or_default(),
            due_date: f.due_date,
            labels: f.labels.unwrap_or_default(),
            parent: f.parent.map(|p| ExportParent {
                summary: p.fields.and_then(|f| f.summary).unwrap_or_default(),
                key: p.key,
            }),
            custom_fields,
            description: f.description.filter(|d| !d.is_null()),
            comments: comments
                .into_iter()
                .map(|c| ExportComment {
                    author: c.author.as_ref().map_or_else(anonymous, user_name),
                    created: c.created.unwrap_or_default(),
                    body: c.body.unwrap_or(Value::Null),
                })
                .collect(),
            changelog: changes
                .into_iter()
                .flat_map(|history| {
                    let author = history.author.as_ref().map_or_else(anonymous, user_name);
                    let created = history.created.unwrap_or_default();
                    history.items.into_iter().map(move |item| (author.clone(), created.clone(), item))
                })
                .map(|(author, created, item)| ExportChange {
                    field: item
                        .field_id
                        .as_ref()
                        .and_then(|id| self.names.get(id))
                        .cloned()
                        .unwrap_or(item.field),
                    from: item.from_string.or(item.from).filter(|s| !s.is_empty()),
                    to: item.to_string.or(item.to).filter(|s| !s.is_empty()),
                    author,
                    created,
                })
                .collect(),
            attachments,
        }
    }
}

fn user_name(user: &User) -> String {
    user.display_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| user.account_id.clone())
}

fn anonymous() -> String {
    "Anonymous".to_owned()
}

/// A custom field value as readable text; `None` when empty.
///
/// Numbers lose a trailing `.0`, options read as their value (cascading ones as
/// `parent / child`), users as their display name, rich text as plain text, lists joined with
/// commas; dates stay as Jira sends them.
pub fn value_text(value: &Value) -> Option<String> {
    let text = match value {
        Value::Null => return None,
        Value::String(s) => s.trim().to_owned(),
        Value::Bool(b) => (if *b { "Yes" } else { "No" }).to_owned(),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
            _ => n.to_string(),
        },
        Value::Array(items) => items
            .iter()
            .filter_map(value_text)
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(map) => {
            if map.get("type").and_then(Value::as_str) == Some("doc") {
                crate::adf::to_text(value).trim().to_owned()
            } else {
                let own = ["value", "displayName", "name", "key", "id"]
                    .iter()
                    .find_map(|k| map.get(*k).and_then(value_text))?;
                match map.get("child").and_then(value_text) {
                    Some(child) => format!("{own} / {child}"),
                    None => own,
                }
            }
        }
    };
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn custom_values_read_as_text() {
        assert_eq!(value_text(&json!(5.0)).as_deref(), Some("5"));
        assert_eq!(value_text(&json!(2.5)).as_deref(), Some("2.5"));
        assert_eq!(value_text(&json!(13)).as_deref(), Some("13"));
        assert_eq!(
            value_text(&json!({"id": "10100", "value": "Platform"})).as_deref(),
            Some("Platform")
        );
        assert_eq!(
            value_text(&json!({"value": "EU", "child": {"value": "Berlin"}})).as_deref(),
            Some("EU / Berlin")
        );
        assert_eq!(
            value_text(&json!({"accountId": "1", "displayName": "Дмитрий Иванов"})).as_deref(),
            Some("Дмитрий Иванов")
        );
        assert_eq!(
            value_text(&json!([{"name": "Sprint 1"}, {"name": "Sprint 2"}])).as_deref(),
            Some("Sprint 1, Sprint 2")
        );
        assert_eq!(value_text(&json!("2024-01-15")).as_deref(), Some("2024-01-15"));
        assert_eq!(value_text(&json!([])), None);
        assert_eq!(value_text(&json!("  ")), None);
        assert_eq!(value_text(&Value::Null), None);
    }

    #[test]
    fn bulk_results_come_back_in_the_requested_order() {
        let bean = |id: &str, key: &str| IssueBean {
            id: id.into(),
            key: key.into(),
            ..IssueBean::default()
        };
        let requested: Vec<String> = ["DEMO-3", "demo-1", "DEMO-9", "10005"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let answered = vec![
            bean("10000", "DEMO-1"),
            bean("10002", "DEMO-3"),
            bean("10005", "OPS-2"),
            bean("10007", "NEW-1"),
        ];
        let (ordered, missing) = in_requested_order(&requested, answered);
        let keys: Vec<&str> = ordered.iter().map(|b| b.key.as_str()).collect();
        assert_eq!(keys, ["DEMO-3", "DEMO-1", "OPS-2", "NEW-1"]);
        assert_eq!(missing, ["DEMO-9"]);
    }

    #[test]
    fn keys_are_trimmed_and_deduplicated_in_order() {
        let keys: Vec<String> = [" DEMO-2", "demo-2", "", "DEMO-1 "]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        assert_eq!(unique_keys(&keys), ["DEMO-2", "DEMO-1"]);
    }

    #[test]
    fn a_fetch_can_run_on_a_spawned_task() {
        fn assert_send<T: Send>(_: &T) {}
        let config = crate::jira::ClientConfig::default();
        let client = JiraClient::new(
            reqwest::Client::new(),
            url::Url::parse("http://127.0.0.1:1/").unwrap(),
            crate::jira::JiraAuth::basic("someone@example.com", "token"),
            config.clone(),
            std::sync::Arc::new(crate::jira::SiteBudget::new(config.budget_limits())),
        );
        let query = ExportQuery::default();
        let fetch = fetch_report(&client, &query, |_, _| {});
        assert_send(&fetch);
    }

    #[test]
    fn the_cover_describes_keys_and_jql() {
        let keys: Vec<String> = (1..=22).map(|n| format!("K-{n}")).collect();
        let text = describe_query(Some("project = K"), &keys);
        assert!(text.starts_with("K-1, K-2"), "{text}");
        assert!(text.ends_with("(2 more); project = K"), "{text}");
        assert_eq!(describe_query(Some("project = K"), &[]), "project = K");
    }
}
