//! Project queries: `projects` and `project`.

use async_graphql::{Context, Object};

use crate::graphql::context::site_request;
use crate::graphql::error::{GqlError, GqlResult};
use crate::graphql::types::Project;
use crate::jira::JiraError;

/// Most projects `projects` returns (Jira pages them 100 at a time).
const MAX_PROJECTS: usize = 1000;

#[derive(Default)]
pub struct ProjectQuery;

#[Object]
impl ProjectQuery {
    /// Projects the caller may browse, optionally matching `query` (key or name).
    async fn projects(
        &self,
        ctx: &Context<'_>,
        query: Option<String>,
        site: Option<String>,
    ) -> GqlResult<Vec<Project>> {
        let request = site_request(ctx, site.as_deref()).await?;
        let mut out = Vec::new();
        let mut start = 0u64;
        loop {
            let page = match request
                .jira
                .search_projects(start, 100, query.as_deref())
                .await
            {
                Ok(page) => page,
                // Jira answers 404 when no project matches.
                Err(JiraError::NotFound { .. }) => break,
                Err(e) => return Err(GqlError::from(e).into()),
            };
            let count = page.values.len();
            out.extend(page.values.into_iter().map(Project::new));
            start += count as u64;
            if count == 0 || page.is_last != Some(false) || out.len() >= MAX_PROJECTS {
                break;
            }
        }
        Ok(out)
    }

    /// One project by key or id; null when it does not exist or the caller may not browse it.
    async fn project(
        &self,
        ctx: &Context<'_>,
        key: String,
        site: Option<String>,
    ) -> GqlResult<Option<Project>> {
        let key = key.trim();
        if key.is_empty()
            || key.len() > 255
            || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(GqlError::BadUserInput("`key` must be a project key or id.".into()).into());
        }
        match site_request(ctx, site.as_deref())
            .await?
            .jira
            .get_project(key)
            .await
        {
            Ok(project) => Ok(Some(Project::new(project))),
            Err(JiraError::NotFound { .. }) => Ok(None),
            Err(e) => Err(GqlError::from(e).into()),
        }
    }
}
