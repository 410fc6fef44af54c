//! Selection mutations: `select`, `deselect`, `selectAll`, `clearSelection`.

use std::collections::HashSet;
use std::sync::Arc;

use async_graphql::{Context, Object};

use super::{Caller, MAX_KEYS, Selection, over_cap, parse_keys, store_failed};
use crate::graphql::error::{GqlError, GqlResult};
use crate::graphql::filter::{IssueFilter, build_jql};
use crate::graphql::loaders::IssueKey;
use crate::graphql::plan::FetchPlan;
use crate::jira::models::SearchRequest;

/// Issues per `search/jql` page of `selectAll`.
const SEARCH_PAGE: u32 = 100;

#[derive(Default)]
pub struct SelectionMutation;

#[Object]
impl SelectionMutation {
    /// Adds issues to the caller's selection, after those already selected. Every key is
    /// checked with the caller's own credentials (one bulkfetch per 100 keys): if Jira does
    /// not return some of them (missing or not visible: the same answer) nothing is
    /// selected and the error is `NOT_FOUND` naming them. A moved issue is selected under
    /// its new key. More than 1,000 selected issues is `BAD_USER_INPUT`.
    async fn select(
        &self,
        ctx: &Context<'_>,
        keys: Vec<String>,
        site: Option<String>,
    ) -> GqlResult<Selection> {
        let keys = parse_keys(keys)?;
        if keys.len() > MAX_KEYS {
            return Err(over_cap(0, keys.len()).into());
        }
        let caller = Caller::of(ctx, site.as_deref()).await?;
        if keys.is_empty() {
            return Ok(caller.selection().await?);
        }
        // The least a bulkfetch can ask for: the issue's key.
        let plan = Arc::new(FetchPlan::default());
        let wanted: Vec<IssueKey> = keys
            .iter()
            .map(|k| IssueKey::new(k, plan.clone()))
            .collect();
        let found = caller
            .context
            .issues
            .load_many(wanted.iter().cloned())
            .await
            .map_err(GqlError::from)?;
        let mut answered = Vec::with_capacity(keys.len());
        let mut seen = HashSet::new();
        let mut missing = Vec::new();
        for key in &wanted {
            match found.get(key) {
                // Jira's key: a moved issue asked for by its old key answers with its new one.
                Some(bean) if seen.insert(bean.key.clone()) => answered.push(bean.key.clone()),
                Some(_) => {}
                None => missing.push(key.key.clone()),
            }
        }
        if !missing.is_empty() {
            return Err(GqlError::NotFound {
                kind: if missing.len() == 1 {
                    "issue"
                } else {
                    "issues"
                },
                key: missing.join("`, `"),
            }
            .into());
        }
        caller.add(&answered).await?;
        Ok(caller.selection().await?)
    }

    /// Removes issues from the caller's selection (keys not selected are ignored). No Jira
    /// call.
    async fn deselect(
        &self,
        ctx: &Context<'_>,
        keys: Vec<String>,
        site: Option<String>,
    ) -> GqlResult<Selection> {
        let keys = parse_keys(keys)?;
        let caller = Caller::of(ctx, site.as_deref()).await?;
        let removed = caller
            .store()
            .remove_from_selection(&caller.user_id, &caller.site_url, &keys)
            .await
            .map_err(store_failed)?;
        if removed > 0 {
            caller.publish();
        }
        Ok(caller.selection().await?)
    }

    /// Adds every issue of `jql` and/or `filter` the caller can see, in the search's order,
    /// after those already selected: one Jira search call per 100 issues. More than 1,000
    /// issues is `BAD_USER_INPUT` and selects nothing.
    async fn select_all(
        &self,
        ctx: &Context<'_>,
        jql: Option<String>,
        filter: Option<IssueFilter>,
        site: Option<String>,
    ) -> GqlResult<Selection> {
        let jql = build_jql(jql.as_deref(), filter.as_ref(), &[])?;
        let caller = Caller::of(ctx, site.as_deref()).await?;
        let mut keys: Vec<String> = Vec::new();
        let mut seen = HashSet::new();
        let mut token = None;
        loop {
            let page = caller
                .context
                .jira
                .search_jql(&SearchRequest {
                    jql: jql.clone(),
                    next_page_token: token,
                    max_results: Some(SEARCH_PAGE),
                    // Only the key; an empty list would get ids without keys.
                    fields: vec!["key".to_owned()],
                    ..SearchRequest::default()
                })
                .await
                .map_err(|e| GqlError::from_search(&e))?;
            let last = page.is_last_page() || page.issues.is_empty();
            keys.extend(
                page.issues
                    .into_iter()
                    .map(|issue| issue.key)
                    .filter(|key| seen.insert(key.clone())),
            );
            if keys.len() > MAX_KEYS {
                return Err(GqlError::BadUserInput(format!(
                    "The search matches more than {MAX_KEYS} issues, the most a selection holds: narrow it down. Nothing was selected."
                ))
                .into());
            }
            if last {
                break;
            }
            token = page.next_page_token;
        }
        caller.add(&keys).await?;
        Ok(caller.selection().await?)
    }

    /// Empties the caller's selection on `site`.
    async fn clear_selection(
        &self,
        ctx: &Context<'_>,
        site: Option<String>,
    ) -> GqlResult<Selection> {
        let caller = Caller::of(ctx, site.as_deref()).await?;
        let removed = caller
            .store()
            .clear_selection(&caller.user_id, &caller.site_url)
            .await
            .map_err(store_failed)?;
        if removed > 0 {
            caller.publish();
        }
        Ok(caller.selection().await?)
    }
}
