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

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures_util::stream::{self, BoxStream, StreamExt, TryStreamExt};

use self::complete::Ctx;
pub use self::flatten::value_text;
use super::model::{ExportIssue, ReportInput, Sections};
use crate::jira::models::{BULK_FETCH_MAX, IssueBean, SearchRequest};
use crate::jira::{JiraClient, JiraError};

mod complete;
mod flatten;

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
    let jql = query
        .jql
        .as_deref()
        .map(str::trim)
        .filter(|j| !j.is_empty());
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
    if let Some(found) = [keys.len(), estimate]
        .into_iter()
        .find(|n| *n > query.max_issues)
    {
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

    let pages = key_pages(&ctx, &keys, &fields, &expand, &missing)
        .chain(search_pages(&ctx, jql, &fields, &expand));
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
        let next =
            (!page.is_last_page() && !page.issues.is_empty()).then(|| page.next_page_token.clone());
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

#[cfg(test)]
mod tests {
    use super::*;

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
