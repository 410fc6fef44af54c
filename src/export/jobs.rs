//! Export jobs: the request a job stores, and the workers that run them.
//!
//! `exportIssues` stores a QUEUED job and pokes [`ExportJobs::notify`]; the worker loop claims
//! jobs (every [`POLL`] too, so jobs queued by another replica or left by a dead process are
//! found), runs at most `EXPORT_WORKERS` at once, each with its owner's own Jira connection:
//! fetch with progress → render on the blocking pool → store the PDF. A running job renews
//! its lease with every progress update and every [`HEARTBEAT`]; a job whose lease passed is
//! claimed again by any replica (restart after a crash). Cancellation is checked by every
//! store write and aborts the fetch.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, Semaphore, broadcast, watch};

use super::fetch::FetchError;
use super::{ExportError, ExportQuery, RenderOptions, fetch_report, render_pdf_blocking};
use crate::auth::Identity;
use crate::store::{ExportRow, JobStatus, Store};

/// How often the queue is polled without a poke.
pub const POLL: Duration = Duration::from_millis(500);
/// How long a claim holds without renewal.
pub const LEASE_SECS: i64 = 30;
/// How often a running job renews its lease when it has no progress to report.
const HEARTBEAT: Duration = Duration::from_secs(5);
/// Progress is written (and published) at most this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);
/// How often finished jobs past their retention are deleted.
const CLEANUP_EVERY: Duration = Duration::from_secs(600);

/// What a job exports and how it renders, as stored in the job's `request` column.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct JobRequest {
    pub jql: Option<String>,
    pub keys: Vec<String>,
    pub options: RenderOptions,
}

/// A job's progress or status change, published on [`ExportJobs::events`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportEvent {
    pub job_id: String,
    pub done: u64,
    pub total: u64,
    pub status: JobStatus,
}

/// Settings of the workers.
#[derive(Debug, Clone, Copy)]
pub struct JobsConfig {
    /// Jobs run at once by this process; 0 runs none.
    pub workers: usize,
    /// Queued or running jobs a user may have.
    pub max_active_per_user: usize,
    /// Finished jobs are deleted this long after they finish.
    pub retention: Duration,
}

/// The export queue of this process: shared by the resolvers and the workers.
pub struct ExportJobs {
    pub store: Store,
    identity: Arc<Identity>,
    pub config: JobsConfig,
    /// Poked when a job is queued, so a worker claims it at once.
    pub notify: Notify,
    /// Progress and status changes of the jobs this process runs.
    pub events: broadcast::Sender<ExportEvent>,
}

impl ExportJobs {
    pub fn new(store: Store, identity: Arc<Identity>, config: JobsConfig) -> Arc<Self> {
        let (events, _) = broadcast::channel(256);
        Arc::new(ExportJobs {
            store,
            identity,
            config,
            notify: Notify::new(),
            events,
        })
    }

    /// Identity services: the owners' connections.
    pub fn identity(&self) -> &Arc<Identity> {
        &self.identity
    }

    /// Starts the worker loop (nothing when `workers` is 0).
    pub fn start(self: &Arc<Self>) {
        if self.config.workers == 0 {
            return;
        }
        tokio::spawn(Arc::clone(self).run());
    }

    async fn run(self: Arc<Self>) {
        let slots = Arc::new(Semaphore::new(self.config.workers));
        let mut last_cleanup: Option<Instant> = None;
        loop {
            if last_cleanup.is_none_or(|t| t.elapsed() >= CLEANUP_EVERY) {
                last_cleanup = Some(Instant::now());
                self.cleanup().await;
            }
            while let Ok(permit) = Arc::clone(&slots).try_acquire_owned() {
                match self
                    .store
                    .claim_next_export(crate::store::now(), LEASE_SECS)
                    .await
                {
                    Ok(Some(job)) => {
                        let jobs = Arc::clone(&self);
                        tokio::spawn(async move {
                            let _permit = permit;
                            jobs.run_job(job).await;
                        });
                    }
                    Ok(None) => break,
                    Err(error) => {
                        tracing::error!(%error, "export: claiming a job failed");
                        break;
                    }
                }
            }
            tokio::select! {
                () = self.notify.notified() => {}
                () = tokio::time::sleep(POLL) => {}
            }
        }
    }

    async fn cleanup(&self) {
        let keep = i64::try_from(self.config.retention.as_secs()).unwrap_or(i64::MAX);
        match self
            .store
            .delete_finished_exports(crate::store::now().saturating_sub(keep))
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(export.deleted = n, "export: removed old jobs"),
            Err(error) => tracing::error!(%error, "export: removing old jobs failed"),
        }
    }

    fn publish(&self, job_id: &str, done: u64, total: u64, status: JobStatus) {
        // Nobody listening is fine.
        let _ = self.events.send(ExportEvent {
            job_id: job_id.to_owned(),
            done,
            total,
            status,
        });
    }

    #[tracing::instrument(skip_all, fields(export.job = %job.id))]
    async fn run_job(&self, job: ExportRow) {
        self.publish(&job.id, 0, 0, JobStatus::Running);
        let outcome = self.execute(&job).await;
        let id = job.id.as_str();
        let result = match outcome {
            Ok(Outcome::Rendered { pdf, pages }) => {
                let encoded = base64::engine::general_purpose::STANDARD.encode(&pdf);
                let pages = i64::try_from(pages).unwrap_or(i64::MAX);
                let bytes = i64::try_from(pdf.len()).unwrap_or(i64::MAX);
                self.store
                    .finish_export_succeeded(id, &encoded, pages, bytes)
                    .await
                    .map(|stored| stored.then_some(JobStatus::Succeeded))
            }
            Ok(Outcome::Stopped) => Ok(None),
            Err(message) => self
                .store
                .finish_export_failed(id, &message)
                .await
                .map(|stored| stored.then_some(JobStatus::Failed)),
        };
        match result {
            Ok(Some(status)) => {
                tracing::info!(export.status = status.as_str(), "export finished");
                let (done, total) = match self.store.export_by_id(id).await {
                    Ok(Some(row)) => (row.done, row.total),
                    _ => (0, 0),
                };
                self.publish(id, as_u64(done), as_u64(total), status);
            }
            // Cancelled (or claimed away after a lapsed lease): leave the row alone.
            Ok(None) => {
                tracing::info!("export stopped: the job is no longer running here");
                self.publish(id, 0, 0, JobStatus::Cancelled);
            }
            Err(error) => tracing::error!(%error, "export: storing the result failed"),
        }
    }

    /// Fetches and renders; `Err` carries the message the owner sees.
    async fn execute(&self, job: &ExportRow) -> Result<Outcome, String> {
        let request: JobRequest = serde_json::from_str(&job.request)
            .map_err(|_| "the stored export request is unreadable".to_owned())?;
        let (connection, _) = self
            .identity
            .connection(&job.user_id, Some(&job.site_url))
            .await
            .map_err(|e| e.message())?;
        // Jobs share the site budget with interactive queries but may wait longer for it.
        let client = self
            .identity
            .client_for(&connection)
            .await
            .map_err(|e| e.message())?
            .with_max_wait(
                self.identity
                    .client_config
                    .max_wait
                    .max(super::EXPORT_MAX_WAIT),
            );
        let query = ExportQuery {
            jql: request.jql.clone(),
            keys: request.keys.clone(),
            sections: request.options.sections,
            ..ExportQuery::default()
        };

        // Progress flows through a watch to a tracker task that writes it (throttled), renews
        // the lease and notices cancellation.
        let (progress_tx, progress_rx) = watch::channel((0usize, 0usize));
        let (stop_tx, mut stop_rx) = watch::channel(false);
        let (finished_tx, finished_rx) = watch::channel(false);
        let tracker = self.track(job.id.clone(), progress_rx, stop_tx, finished_rx);

        let work = async {
            let fetched = tokio::select! {
                fetched = fetch_report(&client, &query, |done, total| {
                    let _ = progress_tx.send((done, total));
                }) => fetched,
                Ok(_) = stop_rx.wait_for(|stop| *stop) => return Ok(Outcome::Stopped),
            };
            let report = fetched.map_err(|e| fetch_message(&e))?;
            let stopped = *stop_rx.borrow();
            if stopped || !self.still_running(&job.id).await {
                return Ok(Outcome::Stopped);
            }
            let rendered = render_pdf_blocking(report, request.options.clone())
                .await
                .map_err(|e| render_message(&e))?;
            if !self.still_running(&job.id).await {
                return Ok(Outcome::Stopped);
            }
            Ok(Outcome::Rendered {
                pdf: rendered.bytes,
                pages: rendered.pages,
            })
        };
        let work = async {
            let outcome = work.await;
            let _ = finished_tx.send(true);
            outcome
        };
        let (outcome, ()) = tokio::join!(work, tracker);
        outcome
    }

    /// Writes progress (at most every [`PROGRESS_EVERY`]), renews the lease at least every
    /// [`HEARTBEAT`], and raises `stop` when the job is no longer running (cancelled).
    async fn track(
        &self,
        id: String,
        mut progress: watch::Receiver<(usize, usize)>,
        stop: watch::Sender<bool>,
        mut finished: watch::Receiver<bool>,
    ) {
        let mut written = (usize::MAX, usize::MAX);
        loop {
            let pending = *progress.borrow_and_update();
            if pending != written {
                written = pending;
                let (done, total) = (as_i64(pending.0), as_i64(pending.1));
                let lease = crate::store::now() + LEASE_SECS;
                match self
                    .store
                    .update_export_progress(&id, done, total, lease)
                    .await
                {
                    Ok(true) => self.publish(&id, as_u64(done), as_u64(total), JobStatus::Running),
                    Ok(false) => {
                        let _ = stop.send(true);
                        return;
                    }
                    Err(error) => tracing::warn!(%error, "export: progress update failed"),
                }
            }
            if *finished.borrow() {
                if *progress.borrow() == written {
                    return;
                }
                continue;
            }
            tokio::select! {
                _ = finished.changed() => {}
                _ = tokio::time::sleep(HEARTBEAT) => {
                    // Heartbeat: rewrite the same progress to renew the lease.
                    written = (usize::MAX, usize::MAX);
                }
                changed = progress.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    tokio::time::sleep(PROGRESS_EVERY).await;
                }
            }
        }
    }

    async fn still_running(&self, id: &str) -> bool {
        match self.store.export_by_id(id).await {
            Ok(Some(row)) => row.status == JobStatus::Running,
            Ok(None) => false,
            // A store hiccup is not a cancellation; the final write decides.
            Err(_) => true,
        }
    }
}

enum Outcome {
    Rendered {
        pdf: Vec<u8>,
        pages: usize,
    },
    /// Cancelled, or no longer this worker's.
    Stopped,
}

/// What the owner reads when fetching failed: Jira's own message where there is one.
fn fetch_message(error: &FetchError) -> String {
    match error {
        FetchError::Jira(jira) => {
            let gql = crate::graphql::GqlError::from_search(jira);
            gql.message()
        }
        other => other.to_string(),
    }
}

fn render_message(error: &ExportError) -> String {
    match error {
        ExportError::Compile(_) => {
            tracing::error!(%error, "export: rendering failed");
            "rendering the PDF failed".to_owned()
        }
        other => other.to_string(),
    }
}

fn as_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn as_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}
