//! JQL helpers for query editors: `jqlSuggestions` and `validateJql`.

use async_graphql::{Context, Object, SimpleObject};

use crate::graphql::context::site_request;
use crate::graphql::error::{GqlError, GqlResult};

#[derive(Default)]
pub struct JqlQuery;

/// A value Jira suggests for a field.
#[derive(Debug, Clone, SimpleObject)]
pub struct JqlSuggestion {
    /// The value to put in the query (quote it if it has spaces).
    pub value: String,
    /// Jira's display text, with its `<b>` highlighting removed.
    pub display_name: String,
}

#[derive(Debug, Clone, SimpleObject)]
pub struct JqlValidation {
    pub valid: bool,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
}

/// Strips tags and decodes the few entities Jira uses, so clients get plain text.
fn plain(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[Object]
impl JqlQuery {
    /// Values for `field` starting with `prefix`, as Jira's autocomplete offers them.
    async fn jql_suggestions(
        &self,
        ctx: &Context<'_>,
        field: String,
        #[graphql(default)] prefix: String,
        site: Option<String>,
    ) -> GqlResult<Vec<JqlSuggestion>> {
        let suggestions = site_request(ctx, site.as_deref())
            .await?
            .jira
            .jql_suggestions(&field, &prefix)
            .await
            .map_err(GqlError::from)?;
        Ok(suggestions
            .results
            .into_iter()
            .map(|s| JqlSuggestion {
                display_name: plain(s.display_name.as_deref().unwrap_or(&s.value)),
                value: s.value,
            })
            .collect())
    }

    /// Checks a JQL query with Jira's parser (syntax, fields and values the caller may see).
    async fn validate_jql(
        &self,
        ctx: &Context<'_>,
        jql: String,
        site: Option<String>,
    ) -> GqlResult<JqlValidation> {
        let parsed = site_request(ctx, site.as_deref())
            .await?
            .jira
            .jql_parse(&[jql])
            .await
            .map_err(GqlError::from)?;
        let result = parsed.queries.into_iter().next();
        Ok(match result {
            Some(q) => JqlValidation {
                valid: q.errors.is_empty(),
                errors: q.errors,
                warnings: q.warnings,
            },
            None => JqlValidation {
                valid: false,
                errors: vec!["Jira returned no result for the query.".into()],
                warnings: vec![],
            },
        })
    }
}
