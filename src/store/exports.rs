//! Export jobs: the queue the workers of every replica claim from, and the finished PDFs.
//!
//! A claim is a compare-and-swap (`UPDATE … WHERE id = $1 AND (status = 'QUEUED' OR lease
//! expired)`), so two workers never run one job; a RUNNING job whose lease passed was
//! abandoned by a dead process and is claimed again. Every write of a worker names
//! `status = 'RUNNING'`, so a cancelled job stays cancelled.

use sqlx::Row;

use super::{Result, Store, now};

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "QUEUED",
            JobStatus::Running => "RUNNING",
            JobStatus::Succeeded => "SUCCEEDED",
            JobStatus::Failed => "FAILED",
            JobStatus::Cancelled => "CANCELLED",
        }
    }

    fn parse(value: &str) -> Self {
        match value {
            "QUEUED" => JobStatus::Queued,
            "RUNNING" => JobStatus::Running,
            "SUCCEEDED" => JobStatus::Succeeded,
            "CANCELLED" => JobStatus::Cancelled,
            _ => JobStatus::Failed,
        }
    }

    /// Whether the job is done, one way or another.
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            JobStatus::Succeeded | JobStatus::Failed | JobStatus::Cancelled
        )
    }
}

/// What [`Store::insert_export`] stores.
#[derive(Debug)]
pub struct NewExport<'a> {
    pub user_id: &'a str,
    pub site_url: &'a str,
    /// JSON of what to export and how.
    pub request: &'a str,
}

/// What [`Store::insert_export_within`] did.
#[derive(Debug)]
pub enum ExportInsert {
    Queued(Box<ExportRow>),
    /// The owner already has this many jobs queued or running.
    AtLimit {
        active: i64,
    },
}

/// A job, without its PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRow {
    pub id: String,
    pub user_id: String,
    pub site_url: String,
    pub request: String,
    pub status: JobStatus,
    pub done: i64,
    pub total: i64,
    pub pages: Option<i64>,
    pub bytes: Option<i64>,
    pub error: Option<String>,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
}

const COLUMNS: &str = "id, user_id, site_url, request, status, done, total, pages, bytes, error, created_at, started_at, finished_at";

impl ExportRow {
    fn from_row(row: &sqlx::any::AnyRow) -> Result<Self> {
        let status: String = row.try_get("status")?;
        Ok(ExportRow {
            id: row.try_get("id")?,
            user_id: row.try_get("user_id")?,
            site_url: row.try_get("site_url")?,
            request: row.try_get("request")?,
            status: JobStatus::parse(&status),
            done: row.try_get("done")?,
            total: row.try_get("total")?,
            pages: row.try_get("pages")?,
            bytes: row.try_get("bytes")?,
            error: row.try_get("error")?,
            created_at: row.try_get("created_at")?,
            started_at: row.try_get("started_at")?,
            finished_at: row.try_get("finished_at")?,
        })
    }
}

impl Store {
    /// Queues a job; answers it.
    pub async fn insert_export(&self, new: &NewExport<'_>) -> Result<ExportRow> {
        let mut tx = self.pool.begin().await?;
        let id = Self::insert_export_in(&mut tx, new).await?;
        tx.commit().await?;
        self.export_by_id(&id)
            .await?
            .ok_or(super::StoreError::Database(sqlx::Error::RowNotFound))
    }

    /// Queues a job unless its owner already has `max_active` jobs queued or running. The
    /// count and the insert are one transaction that first locks the owner (as the selection
    /// cap does), so concurrent requests of one user cannot pass the limit together.
    pub async fn insert_export_within(
        &self,
        new: &NewExport<'_>,
        max_active: i64,
    ) -> Result<ExportInsert> {
        let mut tx = self.pool.begin().await?;
        // A write first: SQLite's write lock, or PostgreSQL's lock on the user's row.
        sqlx::query("UPDATE users SET updated_at = updated_at WHERE id = $1")
            .bind(new.user_id)
            .execute(&mut *tx)
            .await?;
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM export_jobs WHERE user_id = $1 AND status IN ('QUEUED', 'RUNNING')",
        )
        .bind(new.user_id)
        .fetch_one(&mut *tx)
        .await?;
        let active: i64 = row.try_get("n")?;
        if active >= max_active {
            // Dropping the transaction rolls it back.
            return Ok(ExportInsert::AtLimit { active });
        }
        let id = Self::insert_export_in(&mut tx, new).await?;
        tx.commit().await?;
        let row = self
            .export_by_id(&id)
            .await?
            .ok_or(super::StoreError::Database(sqlx::Error::RowNotFound))?;
        Ok(ExportInsert::Queued(Box::new(row)))
    }

    async fn insert_export_in(
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        new: &NewExport<'_>,
    ) -> Result<String> {
        // Time-ordered ids keep "newest first" stable within one second.
        let id = uuid::Uuid::now_v7().to_string();
        sqlx::query(
            "INSERT INTO export_jobs (id, user_id, site_url, request, status, done, total, lease_until, created_at, updated_at)
             VALUES ($1, $2, $3, $4, 'QUEUED', 0, 0, 0, $5, $5)",
        )
        .bind(&id)
        .bind(new.user_id)
        .bind(new.site_url)
        .bind(new.request)
        .bind(now())
        .execute(&mut **tx)
        .await?;
        Ok(id)
    }

    /// The job `id` if `user_id` owns it.
    pub async fn get_export(&self, id: &str, user_id: &str) -> Result<Option<ExportRow>> {
        let sql = format!("SELECT {COLUMNS} FROM export_jobs WHERE id = $1 AND user_id = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(ExportRow::from_row).transpose()
    }

    /// The job `id`, whoever owns it (workers only).
    pub async fn export_by_id(&self, id: &str) -> Result<Option<ExportRow>> {
        let sql = format!("SELECT {COLUMNS} FROM export_jobs WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(ExportRow::from_row).transpose()
    }

    /// The owner's jobs, newest first.
    pub async fn list_exports(&self, user_id: &str, limit: i64) -> Result<Vec<ExportRow>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM export_jobs WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user_id)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(ExportRow::from_row).collect()
    }

    /// The base64 PDF of the owner's job, with the job (`None` when not theirs or absent).
    pub async fn export_pdf(
        &self,
        id: &str,
        user_id: &str,
    ) -> Result<Option<(ExportRow, Option<String>)>> {
        let sql = format!("SELECT {COLUMNS}, pdf FROM export_jobs WHERE id = $1 AND user_id = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let pdf: Option<String> = row.try_get("pdf")?;
        Ok(Some((ExportRow::from_row(&row)?, pdf)))
    }

    /// Claims the oldest job that is QUEUED, or RUNNING with a lease that passed before `now`
    /// (its worker died); the claim holds until `now + lease_secs`. Compare-and-swap per
    /// candidate, so concurrent claimers never get the same job.
    pub async fn claim_next_export(&self, now: i64, lease_secs: i64) -> Result<Option<ExportRow>> {
        let candidates = sqlx::query(
            "SELECT id FROM export_jobs WHERE status = 'QUEUED' OR (status = 'RUNNING' AND lease_until < $1)
             ORDER BY created_at, id LIMIT 8",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        for candidate in candidates {
            let id: String = candidate.try_get("id")?;
            let claimed = sqlx::query(
                "UPDATE export_jobs SET status = 'RUNNING', lease_until = $2, started_at = $3, updated_at = $3
                 WHERE id = $1 AND (status = 'QUEUED' OR (status = 'RUNNING' AND lease_until < $3))",
            )
            .bind(&id)
            .bind(now + lease_secs)
            .bind(now)
            .execute(&self.pool)
            .await?;
            if claimed.rows_affected() == 1 {
                return self.export_by_id(&id).await;
            }
        }
        Ok(None)
    }

    /// Records progress and renews the lease of a RUNNING job; `false` when the job is no
    /// longer running (cancelled, or claimed away after a lapse).
    pub async fn update_export_progress(
        &self,
        id: &str,
        done: i64,
        total: i64,
        lease_until: i64,
    ) -> Result<bool> {
        let result = sqlx::query(
            "UPDATE export_jobs SET done = $2, total = $3, lease_until = $4, updated_at = $5
             WHERE id = $1 AND status = 'RUNNING'",
        )
        .bind(id)
        .bind(done)
        .bind(total)
        .bind(lease_until)
        .bind(now())
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Stores the PDF (base64) of a RUNNING job and marks it SUCCEEDED; `false` when the job
    /// was no longer running.
    pub async fn finish_export_succeeded(
        &self,
        id: &str,
        pdf_base64: &str,
        pages: i64,
        bytes: i64,
    ) -> Result<bool> {
        let now = now();
        let result = sqlx::query(
            "UPDATE export_jobs SET status = 'SUCCEEDED', pdf = $2, pages = $3, bytes = $4, done = total,
                 finished_at = $5, updated_at = $5
             WHERE id = $1 AND status = 'RUNNING'",
        )
        .bind(id)
        .bind(pdf_base64)
        .bind(pages)
        .bind(bytes)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Marks a RUNNING job FAILED with a message its owner may read.
    pub async fn finish_export_failed(&self, id: &str, error: &str) -> Result<bool> {
        let now = now();
        let result = sqlx::query(
            "UPDATE export_jobs SET status = 'FAILED', error = $2, finished_at = $3, updated_at = $3
             WHERE id = $1 AND status = 'RUNNING'",
        )
        .bind(id)
        .bind(error)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Cancels the owner's job if it has not finished; answers the job as it now is (`None`
    /// when it is not theirs or absent).
    pub async fn cancel_export(&self, id: &str, user_id: &str) -> Result<Option<ExportRow>> {
        let now = now();
        sqlx::query(
            "UPDATE export_jobs SET status = 'CANCELLED', finished_at = $3, updated_at = $3
             WHERE id = $1 AND user_id = $2 AND status IN ('QUEUED', 'RUNNING')",
        )
        .bind(id)
        .bind(user_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        self.get_export(id, user_id).await
    }

    /// The owner's jobs that are QUEUED or RUNNING.
    pub async fn count_active_exports(&self, user_id: &str) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM export_jobs WHERE user_id = $1 AND status IN ('QUEUED', 'RUNNING')",
        )
        .bind(user_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("n")?)
    }

    /// Deletes jobs that finished before `before` (Unix seconds); answers how many.
    pub async fn delete_finished_exports(&self, before: i64) -> Result<u64> {
        let result = sqlx::query(
            "DELETE FROM export_jobs WHERE status IN ('SUCCEEDED', 'FAILED', 'CANCELLED') AND finished_at < $1",
        )
        .bind(before)
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected())
    }
}
