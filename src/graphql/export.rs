//! PDF export jobs over GraphQL: `exportIssues` and `cancelExport` (mutations), `exportJob`
//! and `exportJobs` (queries). Jobs belong to a logged-in user and only their owner sees
//! them; another user's job id answers null (`exportJob`) or `NOT_FOUND`.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::context::request;
use super::error::{GqlError, GqlResult};
use super::filter::{IssueFilter, build_jql};
use crate::export::jobs::{ExportJobs, JobRequest};
use crate::export::{Paper, RenderOptions, Sections, Template, validate_options};
use crate::store::{ExportInsert, ExportRow, JobStatus, NewExport, StoreError};

/// Longest `exportJobs(first)` answer.
const MAX_LISTED: i64 = 100;
/// Most keys one job may name, and so most issues a selection holds (a selection must fit in
/// one export).
pub const MAX_KEYS: usize = 1000;

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

impl From<JobStatus> for ExportStatus {
    fn from(status: JobStatus) -> Self {
        match status {
            JobStatus::Queued => ExportStatus::Queued,
            JobStatus::Running => ExportStatus::Running,
            JobStatus::Succeeded => ExportStatus::Succeeded,
            JobStatus::Failed => ExportStatus::Failed,
            JobStatus::Cancelled => ExportStatus::Cancelled,
        }
    }
}

/// The built-in export templates.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExportTemplate {
    /// One issue after the other, no cover.
    Issue,
    /// Cover, charts, contents, summary table, then every issue.
    #[default]
    Report,
}

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExportPaper {
    #[default]
    A4,
    Letter,
}

/// Which parts of the document to include; an absent value keeps the default (on).
#[derive(InputObject, Debug, Clone, Default)]
pub struct ExportSectionsInput {
    pub description: Option<bool>,
    pub comments: Option<bool>,
    pub changelog: Option<bool>,
    pub attachments: Option<bool>,
    pub custom_fields: Option<bool>,
    pub charts: Option<bool>,
    pub toc: Option<bool>,
}

/// How to render the PDF.
#[derive(InputObject, Debug, Clone, Default)]
pub struct ExportOptionsInput {
    /// Document title (cover, PDF metadata and the download's file name).
    pub title: Option<String>,
    pub paper: Option<ExportPaper>,
    pub landscape: Option<bool>,
    /// Language of labels and dates (`en`, `ru`, `th`, …).
    pub locale: Option<String>,
    /// Accent colour, `#rrggbb` or `#rgb`.
    pub accent_color: Option<String>,
    pub sections: Option<ExportSectionsInput>,
}

/// Issues done of the total known so far (the total starts as Jira's estimate).
#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct ExportProgress {
    pub done: i64,
    pub total: i64,
}

/// A PDF export job.
#[derive(SimpleObject, Debug, Clone)]
pub struct ExportJob {
    pub id: ID,
    pub status: ExportStatus,
    pub progress: ExportProgress,
    /// Pages of the PDF, once it succeeded.
    pub pages: Option<i64>,
    /// Size of the PDF in bytes, once it succeeded.
    pub bytes: Option<i64>,
    /// Why the job failed.
    pub error: Option<String>,
    /// Where the owner downloads the PDF (authenticated like `/graphql`), once it succeeded.
    pub download_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<ExportRow> for ExportJob {
    fn from(row: ExportRow) -> Self {
        let time = |t: i64| DateTime::<Utc>::from_timestamp(t, 0).unwrap_or_default();
        ExportJob {
            download_url: (row.status == JobStatus::Succeeded)
                .then(|| format!("/exports/{}", row.id)),
            id: ID(row.id),
            status: row.status.into(),
            progress: ExportProgress {
                done: row.done,
                total: row.total,
            },
            pages: row.pages,
            bytes: row.bytes,
            error: row.error,
            created_at: time(row.created_at),
            finished_at: row.finished_at.map(time),
        }
    }
}

/// The caller's user id and the export queue, or why there are none.
fn owner<'a>(ctx: &'a Context<'_>) -> Result<(String, &'a Arc<ExportJobs>), GqlError> {
    let request = request(ctx)?;
    let Some(user_id) = request.user_id() else {
        return Err(GqlError::Forbidden(
            "Export jobs belong to a logged-in user: log in (POST /auth/login) and send the gateway access token; the service account cannot export.".into(),
        ));
    };
    let jobs = ctx
        .data::<Arc<ExportJobs>>()
        .map_err(|_| GqlError::Forbidden("Export jobs are not enabled on this gateway.".into()))?;
    Ok((user_id.to_owned(), jobs))
}

fn store_failed(error: StoreError) -> GqlError {
    tracing::error!(%error, "export: store failure");
    GqlError::Internal
}

fn not_found(id: &ID) -> GqlError {
    GqlError::NotFound {
        kind: "export job",
        key: id.to_string(),
    }
}

/// The caller's selection on `site_url` (a snapshot), then the `keys` not in it;
/// `BAD_USER_INPUT` when the selection is empty or the whole passes [`MAX_KEYS`].
async fn with_selection(
    jobs: &ExportJobs,
    user_id: &str,
    site_url: &str,
    keys: Vec<String>,
) -> Result<Vec<String>, GqlError> {
    let selected = jobs
        .store
        .list_selection(user_id, site_url)
        .await
        .map_err(store_failed)?;
    if selected.is_empty() {
        return Err(GqlError::BadUserInput(
            "Your selection on this site is empty: select issues first.".into(),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    let all: Vec<String> = selected
        .into_iter()
        .map(|s| s.key)
        .chain(keys)
        .filter(|k| seen.insert(k.to_ascii_uppercase()))
        .collect();
    if all.len() > MAX_KEYS {
        return Err(GqlError::BadUserInput(format!(
            "The selection and `keys` together name more than {MAX_KEYS} issues."
        )));
    }
    Ok(all)
}

/// Render options from the input, checked.
fn render_options(
    template: ExportTemplate,
    input: Option<ExportOptionsInput>,
) -> Result<RenderOptions, GqlError> {
    let input = input.unwrap_or_default();
    let defaults = RenderOptions::default();
    let s = input.sections.unwrap_or_default();
    let d = Sections::default();
    let options = RenderOptions {
        template: match template {
            ExportTemplate::Issue => Template::Issue,
            ExportTemplate::Report => Template::Report,
        },
        title: input
            .title
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty()),
        paper: match input.paper.unwrap_or_default() {
            ExportPaper::A4 => Paper::A4,
            ExportPaper::Letter => Paper::Letter,
        },
        landscape: input.landscape.unwrap_or(false),
        locale: input.locale.unwrap_or(defaults.locale),
        accent_color: input.accent_color.unwrap_or(defaults.accent_color),
        logo: None,
        sections: Sections {
            description: s.description.unwrap_or(d.description),
            comments: s.comments.unwrap_or(d.comments),
            changelog: s.changelog.unwrap_or(d.changelog),
            attachments: s.attachments.unwrap_or(d.attachments),
            custom_fields: s.custom_fields.unwrap_or(d.custom_fields),
            charts: s.charts.unwrap_or(d.charts),
            toc: s.toc.unwrap_or(d.toc),
        },
        custom_template: None,
    };
    if options
        .title
        .as_ref()
        .is_some_and(|t| t.chars().count() > 200)
    {
        return Err(GqlError::BadUserInput(
            "The title is longer than 200 characters.".into(),
        ));
    }
    validate_options(&options).map_err(|e| GqlError::BadUserInput(e.to_string()))?;
    Ok(options)
}

#[derive(Default)]
pub struct ExportQueryRoot;

#[Object]
impl ExportQueryRoot {
    /// One of the caller's export jobs; null when there is none with this id (or it is
    /// someone else's).
    async fn export_job(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<ExportJob>> {
        let (user_id, jobs) = owner(ctx)?;
        let row = jobs
            .store
            .get_export(&id, &user_id)
            .await
            .map_err(store_failed)?;
        Ok(row.map(ExportJob::from))
    }

    /// The caller's export jobs, newest first.
    async fn export_jobs(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
    ) -> GqlResult<Vec<ExportJob>> {
        let (user_id, jobs) = owner(ctx)?;
        if first < 0 {
            return Err(GqlError::BadUserInput("`first` must not be negative.".into()).into());
        }
        let limit = i64::from(first).min(MAX_LISTED);
        let rows = jobs
            .store
            .list_exports(&user_id, limit)
            .await
            .map_err(store_failed)?;
        Ok(rows.into_iter().map(ExportJob::from).collect())
    }
}

#[derive(Default)]
pub struct ExportMutation;

#[Object]
impl ExportMutation {
    /// Queues a PDF export of `keys` and/or the issues of `jql` and `filter`, acting with the
    /// caller's own connection to `site` (default: the request's site). With `selection`,
    /// the caller's selection on that site as it is now, then any `keys` not in it. Poll
    /// `exportJob` and download from its `downloadUrl`.
    #[expect(
        clippy::too_many_arguments,
        reason = "one argument per GraphQL argument"
    )]
    async fn export_issues(
        &self,
        ctx: &Context<'_>,
        keys: Option<Vec<String>>,
        jql: Option<String>,
        filter: Option<IssueFilter>,
        #[graphql(default_with = "Some(ExportTemplate::Report)")] template: Option<ExportTemplate>,
        options: Option<ExportOptionsInput>,
        site: Option<String>,
        selection: Option<bool>,
    ) -> GqlResult<ExportJob> {
        let (user_id, jobs) = owner(ctx)?;
        let keys: Vec<String> = keys
            .unwrap_or_default()
            .into_iter()
            .map(|k| k.trim().to_owned())
            .filter(|k| !k.is_empty())
            .collect();
        if keys.len() > MAX_KEYS {
            return Err(GqlError::BadUserInput(format!(
                "At most {MAX_KEYS} keys per export; use `jql` for more."
            ))
            .into());
        }
        let has_query = jql.as_deref().is_some_and(|j| !j.trim().is_empty()) || filter.is_some();
        let jql = if has_query {
            Some(build_jql(jql.as_deref(), filter.as_ref(), &[])?)
        } else {
            None
        };
        let selection = selection.unwrap_or(false);
        if jql.is_none() && keys.is_empty() && !selection {
            return Err(GqlError::BadUserInput(
                "Nothing to export: give `keys`, `jql`, `filter` or `selection`.".into(),
            )
            .into());
        }
        let options = render_options(template.unwrap_or_default(), options)?;

        let request = request(ctx)?;
        let site = site.or_else(|| {
            request
                .sites
                .iter()
                .find(|s| s.current)
                .map(|s| s.url.clone())
        });
        let (connection, _) = jobs
            .identity()
            .connection(&user_id, site.as_deref())
            .await?;
        let keys = if selection {
            with_selection(jobs, &user_id, &connection.site_url, keys).await?
        } else {
            keys
        };

        let stored = serde_json::to_string(&JobRequest { jql, keys, options })
            .map_err(|_| GqlError::Internal)?;
        let limit = jobs.config.max_active_per_user;
        let inserted = jobs
            .store
            .insert_export_within(
                &NewExport {
                    user_id: &user_id,
                    site_url: &connection.site_url,
                    request: &stored,
                },
                i64::try_from(limit).unwrap_or(i64::MAX),
            )
            .await
            .map_err(store_failed)?;
        let row = match inserted {
            ExportInsert::Queued(row) => *row,
            ExportInsert::AtLimit { active } => {
                return Err(GqlError::BadUserInput(format!(
                    "You already have {active} export jobs queued or running (the limit is {limit}): wait for one to finish or cancel one."
                ))
                .into());
            }
        };
        jobs.notify.notify_one();
        tracing::info!(export.job = %row.id, "export queued");
        Ok(row.into())
    }

    /// Cancels one of the caller's jobs; a finished job is answered as it is.
    async fn cancel_export(&self, ctx: &Context<'_>, id: ID) -> GqlResult<ExportJob> {
        let (user_id, jobs) = owner(ctx)?;
        let row = jobs
            .store
            .cancel_export(&id, &user_id)
            .await
            .map_err(store_failed)?
            .ok_or_else(|| not_found(&id))?;
        if row.status == JobStatus::Cancelled {
            let _ = jobs.events.send(crate::export::jobs::ExportEvent {
                job_id: row.id.clone(),
                done: u64::try_from(row.done).unwrap_or(0),
                total: u64::try_from(row.total).unwrap_or(0),
                status: JobStatus::Cancelled,
            });
        }
        Ok(row.into())
    }
}
