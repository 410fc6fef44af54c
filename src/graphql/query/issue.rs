//! Issue queries: `issues`, `issue`, `search` and `stats`.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_graphql::{Context, Object, SimpleObject};

use crate::graphql::context::{RequestContext, site_request};
use crate::graphql::error::{GqlError, GqlResult};
use crate::graphql::filter::{IssueFilter, IssueOrder, build_jql};
use crate::graphql::loaders::IssueKey;
use crate::graphql::plan::FetchPlan;
use crate::graphql::types::{Issue, IssueConnection, IssueEdge, PageInfo, SearchCursor};
use crate::jira::models::SearchRequest;

/// Page size of `issues` when `first` is not given.
pub const DEFAULT_PAGE: usize = 50;
/// Most issues `stats` reads (Jira has no grouping API: it pages through the matches).
const STATS_MAX_ISSUES: usize = 5000;

#[derive(Default)]
pub struct IssueQuery;

#[Object]
#[expect(
    clippy::too_many_arguments,
    reason = "GraphQL arguments of `issues` map one to one onto resolver parameters"
)]
impl IssueQuery {
    /// Issues matching `jql` and/or `filter`, ordered by `orderBy` (or the JQL's ORDER BY).
    /// One Jira search call per page, asking only for the fields the query selects.
    #[graphql(
        complexity = "first.unwrap_or(DEFAULT_PAGE as i32).max(1) as usize * child_complexity"
    )]
    async fn issues(
        &self,
        ctx: &Context<'_>,
        jql: Option<String>,
        filter: Option<IssueFilter>,
        order_by: Option<Vec<IssueOrder>>,
        first: Option<i32>,
        after: Option<String>,
        #[graphql(
            desc = "One of the caller's sites (URL, name or cloud id); default: X-Jira-Site or the first"
        )]
        site: Option<String>,
    ) -> GqlResult<IssueConnection> {
        let jql = build_jql(
            jql.as_deref(),
            filter.as_ref(),
            order_by.as_deref().unwrap_or(&[]),
        )?;
        let request = site_request(ctx, site.as_deref()).await?;
        search_connection(ctx, &request, jql, first, after).await
    }

    /// One issue by key or id; null when it does not exist or the caller may not see it.
    async fn issue(
        &self,
        ctx: &Context<'_>,
        key: String,
        site: Option<String>,
    ) -> GqlResult<Option<Issue>> {
        let key = key.trim();
        if !is_issue_key_or_id(key) {
            return Err(GqlError::BadUserInput(format!(
                "`{}` is not an issue key (like DEMO-1) or id.",
                key.chars().take(40).collect::<String>()
            ))
            .into());
        }
        let request = site_request(ctx, site.as_deref()).await?;
        let plan = Arc::new(FetchPlan::for_issue(ctx.field().selection_set()));
        let issue = request
            .issues
            .load_one(IssueKey::new(key, plan))
            .await
            .map_err(GqlError::from)?;
        Ok(issue.map(|bean| Issue::new(bean, request.clone())))
    }

    /// Full-text search over summary, description and comments.
    #[graphql(
        complexity = "first.unwrap_or(DEFAULT_PAGE as i32).max(1) as usize * child_complexity"
    )]
    async fn search(
        &self,
        ctx: &Context<'_>,
        text: String,
        project_keys: Option<Vec<String>>,
        first: Option<i32>,
        after: Option<String>,
        site: Option<String>,
    ) -> GqlResult<IssueConnection> {
        if text.trim().is_empty() {
            return Err(GqlError::BadUserInput("`text` must not be empty.".into()).into());
        }
        let filter = IssueFilter {
            text: Some(text),
            project_keys,
            ..IssueFilter::default()
        };
        let jql = build_jql(None, Some(&filter), &[])?;
        let request = site_request(ctx, site.as_deref()).await?;
        search_connection(ctx, &request, jql, first, after).await
    }

    /// Counts of the matching issues by status, priority, assignee and issue type.
    async fn stats(
        &self,
        ctx: &Context<'_>,
        jql: Option<String>,
        filter: Option<IssueFilter>,
        site: Option<String>,
    ) -> GqlResult<IssueStats> {
        let jql = build_jql(jql.as_deref(), filter.as_ref(), &[])?;
        let request = site_request(ctx, site.as_deref()).await?;
        let mut stats = Tally::default();
        let mut token = None;
        let mut complete = true;
        loop {
            let page = request
                .jira
                .search_jql(&SearchRequest {
                    jql: jql.clone(),
                    next_page_token: token.clone(),
                    max_results: Some(100),
                    fields: ["status", "priority", "assignee", "issuetype"]
                        .map(String::from)
                        .to_vec(),
                    ..SearchRequest::default()
                })
                .await
                .map_err(|e| GqlError::from_search(&e))?;
            for issue in &page.issues {
                let f = &issue.fields;
                stats.total += 1;
                count(
                    &mut stats.by_status,
                    f.status.as_ref().map(|s| (s.id.clone(), s.name.clone())),
                );
                count(
                    &mut stats.by_priority,
                    f.priority.as_ref().map(|p| (p.id.clone(), p.name.clone())),
                );
                count(
                    &mut stats.by_assignee,
                    f.assignee.as_ref().map(|u| {
                        (
                            u.account_id.clone(),
                            u.display_name.clone().unwrap_or_default(),
                        )
                    }),
                );
                count(
                    &mut stats.by_issue_type,
                    f.issue_type
                        .as_ref()
                        .map(|t| (t.id.clone(), t.name.clone())),
                );
            }
            if page.is_last_page() || page.issues.is_empty() {
                break;
            }
            if stats.total >= STATS_MAX_ISSUES {
                complete = false;
                break;
            }
            token = page.next_page_token;
        }
        Ok(IssueStats {
            total: stats.total as i64,
            complete,
            by_status: finish(stats.by_status),
            by_priority: finish(stats.by_priority),
            by_assignee: finish(stats.by_assignee),
            by_issue_type: finish(stats.by_issue_type),
        })
    }
}

/// A group and how many issues fall in it. `key` is empty for "none" (e.g. unassigned).
#[derive(Debug, Clone, SimpleObject)]
pub struct GroupCount {
    pub key: String,
    pub name: String,
    pub count: i64,
}

#[derive(Debug, Clone, SimpleObject)]
pub struct IssueStats {
    pub total: i64,
    /// False when more than 5,000 issues matched and only the first 5,000 were counted.
    pub complete: bool,
    pub by_status: Vec<GroupCount>,
    pub by_priority: Vec<GroupCount>,
    pub by_assignee: Vec<GroupCount>,
    pub by_issue_type: Vec<GroupCount>,
}

#[derive(Default)]
struct Tally {
    total: usize,
    by_status: BTreeMap<String, (String, i64)>,
    by_priority: BTreeMap<String, (String, i64)>,
    by_assignee: BTreeMap<String, (String, i64)>,
    by_issue_type: BTreeMap<String, (String, i64)>,
}

fn count(map: &mut BTreeMap<String, (String, i64)>, group: Option<(String, String)>) {
    let (key, name) = group.unwrap_or_default();
    map.entry(key).or_insert((name, 0)).1 += 1;
}

fn finish(map: BTreeMap<String, (String, i64)>) -> Vec<GroupCount> {
    let mut out: Vec<GroupCount> = map
        .into_iter()
        .map(|(key, (name, count))| GroupCount { key, name, count })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    out
}

/// Whether `key` looks like an issue key (`DEMO-1`) or numeric id; checked before any Jira
/// call.
pub(crate) fn is_issue_key_or_id(key: &str) -> bool {
    if !key.is_empty() && key.len() <= 20 && key.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    let Some((project, number)) = key.rsplit_once('-') else {
        return false;
    };
    let project_ok = project.len() <= 255
        && project
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
        && project
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    project_ok
        && !number.is_empty()
        && number.len() <= 18
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// Runs one page of a JQL search for the selected `IssueConnection` fields.
async fn search_connection(
    ctx: &Context<'_>,
    request: &Arc<RequestContext>,
    jql: String,
    first: Option<i32>,
    after: Option<String>,
) -> GqlResult<IssueConnection> {
    let first = match first {
        None => DEFAULT_PAGE.min(request.max_page_size),
        Some(n) if n < 0 => {
            return Err(GqlError::BadUserInput("`first` must not be negative.".into()).into());
        }
        Some(n) if n as usize > request.max_page_size => {
            return Err(GqlError::BadUserInput(format!(
                "`first` must be at most {}.",
                request.max_page_size
            ))
            .into());
        }
        Some(n) => n as usize,
    };
    let cursor = after
        .as_deref()
        .map(SearchCursor::decode)
        .transpose()?
        .unwrap_or_default();
    let plan = FetchPlan::for_connection(ctx.field().selection_set());
    let keep_comments = FetchPlan::comments_shown(ctx.field().selection_set());
    let mut fields = plan.fields_vec();
    if fields.is_empty() {
        fields.push("key".into());
    }
    let search = SearchRequest {
        jql: jql.clone(),
        next_page_token: cursor.token.clone(),
        max_results: Some(u32::try_from(cursor.skip + first.max(1)).unwrap_or(u32::MAX)),
        fields,
        expand: plan.expand_vec().join(","),
        keep_comments,
        ..SearchRequest::default()
    };
    let page = request
        .jira
        .search_jql(&search)
        .await
        .map_err(|e| GqlError::from_search(&e))?;
    let page_len = page.issues.len();
    let next_token = (!page.is_last_page())
        .then(|| page.next_page_token.clone())
        .flatten();
    let mut edges = Vec::new();
    for (index, bean) in page
        .issues
        .into_iter()
        .enumerate()
        .skip(cursor.skip)
        .take(first)
    {
        // Each edge's cursor is where the next page would start.
        let after_this = if index + 1 == page_len {
            match &next_token {
                Some(token) => SearchCursor {
                    token: Some(token.clone()),
                    skip: 0,
                },
                None => SearchCursor {
                    token: cursor.token.clone(),
                    skip: index + 1,
                },
            }
        } else {
            SearchCursor {
                token: cursor.token.clone(),
                skip: index + 1,
            }
        };
        edges.push(IssueEdge {
            cursor: after_this.encode(),
            node: Issue::new(Arc::new(bean), request.clone()),
        });
    }
    let consumed = cursor.skip + edges.len();
    let page_info = PageInfo {
        has_next_page: consumed < page_len || next_token.is_some(),
        has_previous_page: cursor.token.is_some() || cursor.skip > 0,
        start_cursor: edges.first().map(|e| e.cursor.clone()),
        end_cursor: edges.last().map(|e| e.cursor.clone()),
    };
    Ok(IssueConnection {
        edges,
        page_info,
        jql,
        context: request.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_keys_and_ids_are_recognised_and_junk_is_not() {
        assert!(is_issue_key_or_id("DEMO-1"));
        assert!(is_issue_key_or_id("demo_2-15"));
        assert!(is_issue_key_or_id("10001"));
        for bad in [
            "",
            "DEMO",
            "DEMO-",
            "-1",
            "DEMO-1/../x",
            "DEMO-1 OR 1=1",
            "ДЕМО-1",
        ] {
            assert!(!is_issue_key_or_id(bad), "{bad}");
        }
    }
}
