-- Users, their Jira site connections, gateway sessions and OAuth login state.
-- Portable SQL: runs unchanged on SQLite and PostgreSQL. Times are Unix seconds (BIGINT);
-- booleans are BIGINT 0/1 (portable through sqlx Any); secrets are stored sealed (AES-256-GCM, base64) or as SHA-256 hashes, never in clear.

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    -- The Atlassian account id: the same person on every site.
    atlassian_account_id TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE site_connections (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- https://acme.atlassian.net (no trailing slash)
    site_url TEXT NOT NULL,
    site_name TEXT NOT NULL,
    -- Set for OAuth connections: the API is reached through {api}/ex/jira/{cloud_id}.
    cloud_id TEXT,
    -- 'api_token' or 'oauth'
    auth_kind TEXT NOT NULL,
    -- Sealed JSON: {"email","apiToken"} or {"accessToken","refreshToken","expiresAt"}.
    credentials TEXT NOT NULL,
    -- Bumped on every credential change; refreshes compare-and-swap on it.
    credentials_version BIGINT NOT NULL DEFAULT 0,
    -- Set when Jira refused the refresh token (invalid_grant): the user must reconnect.
    needs_reconnect BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (user_id, site_url)
);

CREATE INDEX site_connections_user ON site_connections (user_id);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- SHA-256 (hex) of the refresh token; the token itself is never stored.
    refresh_hash TEXT NOT NULL UNIQUE,
    -- All sessions rotated from one login share a family; reuse of a spent token revokes it.
    family TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    created_at BIGINT NOT NULL
);

CREATE INDEX sessions_family ON sessions (family);

CREATE TABLE oauth_states (
    -- SHA-256 (hex) of the state parameter.
    state_hash TEXT PRIMARY KEY,
    -- SHA-256 (hex) of the cookie value that binds the login to one browser.
    browser_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
