-- The per-user issue selection (a board's multi-select that survives reloads and feeds
-- exports): one row per selected issue key, per user and Jira site. Portable SQL (SQLite and
-- PostgreSQL through sqlx Any): times are Unix seconds (BIGINT).

CREATE TABLE selected_issues (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The user's site connection the selection belongs to (its site URL).
    site_url TEXT NOT NULL,
    -- The key as Jira answered it for the user when it was selected (a moved issue's new key).
    issue_key TEXT NOT NULL,
    -- Selection order: each added key gets the next number (gaps are fine).
    position BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, site_url, issue_key)
);

CREATE INDEX selected_issues_order ON selected_issues (user_id, site_url, position);
