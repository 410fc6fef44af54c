-- PDF export jobs: queued by `exportIssues`, claimed by a worker of any replica, kept for
-- EXPORT_RETENTION_SECS after they finish. Portable SQL (SQLite and PostgreSQL through sqlx
-- Any): times are Unix seconds (BIGINT), the PDF is base64 TEXT.

CREATE TABLE export_jobs (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The owner's site connection the job acts through (its site URL).
    site_url TEXT NOT NULL,
    -- JSON: what to export and how to render it.
    request TEXT NOT NULL,
    -- 'QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED' or 'CANCELLED'
    status TEXT NOT NULL,
    done BIGINT NOT NULL DEFAULT 0,
    total BIGINT NOT NULL DEFAULT 0,
    pages BIGINT,
    bytes BIGINT,
    -- Why the job failed, as the owner may read it.
    error TEXT,
    -- The PDF, base64.
    pdf TEXT,
    -- A RUNNING job whose lease passed was abandoned (its process died): any worker may
    -- claim it again.
    lease_until BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    started_at BIGINT,
    finished_at BIGINT,
    updated_at BIGINT NOT NULL
);

CREATE INDEX export_jobs_user ON export_jobs (user_id, created_at);
CREATE INDEX export_jobs_status ON export_jobs (status, lease_until);
