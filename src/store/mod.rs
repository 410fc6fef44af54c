//! Persistent state: users, their Jira site connections (credentials sealed), gateway
//! sessions (refresh tokens hashed), OAuth login state, export jobs and issue selections.
//!
//! One code path for SQLite (the default: a file in WAL mode, created on first start) and
//! PostgreSQL (`DATABASE_URL=postgres://…`), through sqlx's `Any` driver and portable SQL.
//! Migrations are embedded in the binary and applied at start-up on both.

pub mod crypto;
mod exports;
mod selection;

pub use exports::{ExportInsert, ExportRow, JobStatus, NewExport};
pub use selection::{SelectedIssue, SelectionAdd};

use std::borrow::Cow;
use std::path::Path;
use std::time::Duration;

use futures_util::future::BoxFuture;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::{AnyPool, Row, SqlStr};

/// Result alias of the store.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("invalid DATABASE_URL: {0}")]
    Url(String),
}

/// Every migration, in order, embedded at compile time.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "identity",
        include_str!("../../migrations/0001_identity.sql"),
    ),
    (
        2,
        "export_jobs",
        include_str!("../../migrations/0002_export_jobs.sql"),
    ),
    (
        3,
        "selection",
        include_str!("../../migrations/0003_selection.sql"),
    ),
];

#[derive(Debug)]
struct Embedded;

impl MigrationSource<'static> for Embedded {
    fn resolve(self) -> BoxFuture<'static, std::result::Result<Vec<Migration>, BoxDynError>> {
        Box::pin(async {
            Ok(MIGRATIONS
                .iter()
                .map(|(version, name, sql)| {
                    Migration::new(
                        *version,
                        Cow::Borrowed(*name),
                        MigrationType::Simple,
                        SqlStr::from_static(sql),
                        false,
                    )
                })
                .collect())
        })
    }
}

/// Which database the store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The store. Cheap to clone (a pool inside).
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

/// Seconds since the Unix epoch: how the store keeps time.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

impl Store {
    /// Connects to `database_url` (`sqlite://path` or `postgres://…`) and applies migrations.
    pub async fn connect(database_url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://")
        {
            Backend::Postgres
        } else if database_url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(StoreError::Url(
                "use sqlite://<path> or postgres://…".into(),
            ));
        };
        let url = match backend {
            // Create the file on first start.
            Backend::Sqlite if !database_url.contains("mode=") => {
                let separator = if database_url.contains('?') { '&' } else { '?' };
                format!("{database_url}{separator}mode=rwc")
            }
            _ => database_url.to_string(),
        };
        let options: AnyConnectOptions = url
            .parse()
            .map_err(|e: sqlx::Error| StoreError::Url(e.to_string()))?;
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 10 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers run beside the writer; foreign keys enforce cascades.
                        sqlx::query("PRAGMA journal_mode = WAL")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA foreign_keys = ON")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA busy_timeout = 5000")
                            .execute(&mut *conn)
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Migrator::new(Embedded).await?.run(&pool).await?;
        Ok(Store { pool, backend })
    }

    /// The default SQLite file, next to the working directory unless configured.
    pub async fn sqlite_file(path: &Path) -> Result<Store> {
        Store::connect(&format!("sqlite://{}", path.display())).await
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    // --- users -------------------------------------------------------------------------

    /// Finds or creates the user for an Atlassian account, refreshing the display name.
    pub async fn upsert_user(
        &self,
        atlassian_account_id: &str,
        display_name: &str,
    ) -> Result<UserRow> {
        let now = now();
        let id = uuid::Uuid::new_v4().to_string();
        sqlx::query(
            "INSERT INTO users (id, atlassian_account_id, display_name, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
             ON CONFLICT (atlassian_account_id) DO UPDATE SET display_name = excluded.display_name, updated_at = excluded.updated_at",
        )
        .bind(&id)
        .bind(atlassian_account_id)
        .bind(display_name)
        .bind(now)
        .execute(&self.pool)
        .await?;
        let row = sqlx::query("SELECT id, atlassian_account_id, display_name FROM users WHERE atlassian_account_id = $1")
            .bind(atlassian_account_id)
            .fetch_one(&self.pool)
            .await?;
        UserRow::from_row(&row)
    }

    pub async fn get_user(&self, id: &str) -> Result<Option<UserRow>> {
        let row =
            sqlx::query("SELECT id, atlassian_account_id, display_name FROM users WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        row.as_ref().map(UserRow::from_row).transpose()
    }

    // --- site connections ----------------------------------------------------------------

    /// Creates or replaces the user's connection to `site_url` (a new login reconnects it).
    pub async fn upsert_connection(&self, new: &NewConnection<'_>) -> Result<ConnectionRow> {
        let now = now();
        // Time-ordered ids keep "oldest first" stable within one second.
        let id = uuid::Uuid::now_v7().to_string();
        sqlx::query(
            "INSERT INTO site_connections (id, user_id, site_url, site_name, cloud_id, auth_kind, credentials, credentials_version, needs_reconnect, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0, $8, $8)
             ON CONFLICT (user_id, site_url) DO UPDATE SET site_name = excluded.site_name, cloud_id = excluded.cloud_id,
                 auth_kind = excluded.auth_kind, credentials = excluded.credentials,
                 credentials_version = site_connections.credentials_version + 1, needs_reconnect = 0, updated_at = excluded.updated_at",
        )
        .bind(&id)
        .bind(new.user_id)
        .bind(new.site_url)
        .bind(new.site_name)
        .bind(new.cloud_id)
        .bind(new.auth_kind.as_str())
        .bind(new.sealed_credentials)
        .bind(now)
        .execute(&self.pool)
        .await?;
        let row = sqlx::query(CONNECTION_BY_SITE)
            .bind(new.user_id)
            .bind(new.site_url)
            .fetch_one(&self.pool)
            .await?;
        ConnectionRow::from_row(&row)
    }

    /// The user's connections, oldest first (the first is the default site).
    pub async fn list_connections(&self, user_id: &str) -> Result<Vec<ConnectionRow>> {
        let rows = sqlx::query(LIST_CONNECTIONS)
            .bind(user_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(ConnectionRow::from_row).collect()
    }

    pub async fn get_connection(&self, id: &str) -> Result<Option<ConnectionRow>> {
        let row = sqlx::query(GET_CONNECTION)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(ConnectionRow::from_row).transpose()
    }

    /// Stores refreshed credentials if nobody else did since `expected_version`; returns
    /// whether this write won (compare-and-swap across replicas).
    pub async fn update_credentials(
        &self,
        id: &str,
        expected_version: i64,
        sealed_credentials: &str,
    ) -> Result<bool> {
        let result = sqlx::query(
            "UPDATE site_connections SET credentials = $1, credentials_version = credentials_version + 1, needs_reconnect = 0, updated_at = $2
             WHERE id = $3 AND credentials_version = $4",
        )
        .bind(sealed_credentials)
        .bind(now())
        .bind(id)
        .bind(expected_version)
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    /// Marks a connection whose refresh token Jira refused: the user must log in again.
    pub async fn mark_reconnect(&self, id: &str) -> Result<()> {
        sqlx::query(
            "UPDATE site_connections SET needs_reconnect = 1, updated_at = $1 WHERE id = $2",
        )
        .bind(now())
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    // --- sessions ------------------------------------------------------------------------

    /// Stores a new session (a login): its refresh token's hash, in a new family.
    pub async fn create_session(
        &self,
        user_id: &str,
        refresh_hash: &str,
        expires_at: i64,
    ) -> Result<String> {
        let id = uuid::Uuid::new_v4().to_string();
        let family = uuid::Uuid::new_v4().to_string();
        sqlx::query("INSERT INTO sessions (id, user_id, refresh_hash, family, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&id)
            .bind(user_id)
            .bind(refresh_hash)
            .bind(&family)
            .bind(expires_at)
            .bind(now())
            .execute(&self.pool)
            .await?;
        Ok(id)
    }

    /// Rotates a refresh token: the old one is spent, a new one joins its family. Reusing a
    /// spent token revokes the whole family (a stolen token is then useless too).
    pub async fn rotate_session(
        &self,
        old_hash: &str,
        new_hash: &str,
        expires_at: i64,
    ) -> Result<Rotation> {
        let now = now();
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query("SELECT id, user_id, family, expires_at, revoked_at FROM sessions WHERE refresh_hash = $1")
            .bind(old_hash)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            return Ok(Rotation::Unknown);
        };
        let user_id: String = row.try_get("user_id")?;
        let family: String = row.try_get("family")?;
        let expires: i64 = row.try_get("expires_at")?;
        let revoked: Option<i64> = row.try_get("revoked_at")?;
        if revoked.is_some() {
            sqlx::query(
                "UPDATE sessions SET revoked_at = $1 WHERE family = $2 AND revoked_at IS NULL",
            )
            .bind(now)
            .bind(&family)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            return Ok(Rotation::Reused);
        }
        if expires <= now {
            return Ok(Rotation::Unknown);
        }
        // Spend the old token only if it is still live: a concurrent rotation loses here.
        let spent = sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE refresh_hash = $2 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(old_hash)
        .execute(&mut *tx)
        .await?;
        if spent.rows_affected() != 1 {
            return Ok(Rotation::Reused);
        }
        let id = uuid::Uuid::new_v4().to_string();
        sqlx::query("INSERT INTO sessions (id, user_id, refresh_hash, family, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&id)
            .bind(&user_id)
            .bind(new_hash)
            .bind(&family)
            .bind(expires_at)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Rotation::Rotated { user_id })
    }

    /// Revokes the family of the session holding `refresh_hash` (logout).
    pub async fn revoke_session(&self, refresh_hash: &str) -> Result<bool> {
        let family: Option<String> =
            sqlx::query("SELECT family FROM sessions WHERE refresh_hash = $1")
                .bind(refresh_hash)
                .fetch_optional(&self.pool)
                .await?
                .map(|row| row.try_get("family"))
                .transpose()?;
        let Some(family) = family else {
            return Ok(false);
        };
        sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE family = $2 AND revoked_at IS NULL")
            .bind(now())
            .bind(family)
            .execute(&self.pool)
            .await?;
        Ok(true)
    }

    // --- OAuth login state ---------------------------------------------------------------

    pub async fn insert_oauth_state(
        &self,
        state_hash: &str,
        browser_hash: &str,
        expires_at: i64,
    ) -> Result<()> {
        sqlx::query("INSERT INTO oauth_states (state_hash, browser_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(state_hash)
            .bind(browser_hash)
            .bind(now())
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Consumes a login state (single use); `Some(browser_hash)` when it existed and was live.
    pub async fn take_oauth_state(&self, state_hash: &str) -> Result<Option<String>> {
        let mut tx = self.pool.begin().await?;
        let row =
            sqlx::query("SELECT browser_hash, expires_at FROM oauth_states WHERE state_hash = $1")
                .bind(state_hash)
                .fetch_optional(&mut *tx)
                .await?;
        sqlx::query("DELETE FROM oauth_states WHERE state_hash = $1 OR expires_at < $2")
            .bind(state_hash)
            .bind(now())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        let Some(row) = row else { return Ok(None) };
        let expires: i64 = row.try_get("expires_at")?;
        if expires < now() {
            return Ok(None);
        }
        Ok(Some(row.try_get("browser_hash")?))
    }
}

const CONNECTION_BY_SITE: &str = "SELECT id, user_id, site_url, site_name, cloud_id, auth_kind, credentials, credentials_version, needs_reconnect FROM site_connections WHERE user_id = $1 AND site_url = $2";
const LIST_CONNECTIONS: &str = "SELECT id, user_id, site_url, site_name, cloud_id, auth_kind, credentials, credentials_version, needs_reconnect FROM site_connections WHERE user_id = $1 ORDER BY created_at, id";
const GET_CONNECTION: &str = "SELECT id, user_id, site_url, site_name, cloud_id, auth_kind, credentials, credentials_version, needs_reconnect FROM site_connections WHERE id = $1";

/// Outcome of [`Store::rotate_session`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotation {
    Rotated {
        user_id: String,
    },
    /// The token was already spent: its family is now revoked.
    Reused,
    /// No such live token.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: String,
    pub atlassian_account_id: String,
    pub display_name: String,
}

impl UserRow {
    fn from_row(row: &sqlx::any::AnyRow) -> Result<Self> {
        Ok(UserRow {
            id: row.try_get("id")?,
            atlassian_account_id: row.try_get("atlassian_account_id")?,
            display_name: row.try_get("display_name")?,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthKind {
    ApiToken,
    OAuth,
}

impl AuthKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthKind::ApiToken => "api_token",
            AuthKind::OAuth => "oauth",
        }
    }
}

/// What [`Store::upsert_connection`] stores. Credentials arrive already sealed.
#[derive(Debug)]
pub struct NewConnection<'a> {
    pub user_id: &'a str,
    pub site_url: &'a str,
    pub site_name: &'a str,
    pub cloud_id: Option<&'a str>,
    pub auth_kind: AuthKind,
    pub sealed_credentials: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionRow {
    pub id: String,
    pub user_id: String,
    pub site_url: String,
    pub site_name: String,
    pub cloud_id: Option<String>,
    pub auth_kind: AuthKind,
    /// Sealed; open with [`crypto::Sealer::open`].
    pub sealed_credentials: String,
    pub credentials_version: i64,
    pub needs_reconnect: bool,
}

impl ConnectionRow {
    fn from_row(row: &sqlx::any::AnyRow) -> Result<Self> {
        let kind: String = row.try_get("auth_kind")?;
        Ok(ConnectionRow {
            id: row.try_get("id")?,
            user_id: row.try_get("user_id")?,
            site_url: row.try_get("site_url")?,
            site_name: row.try_get("site_name")?,
            cloud_id: row.try_get("cloud_id")?,
            auth_kind: if kind == "oauth" {
                AuthKind::OAuth
            } else {
                AuthKind::ApiToken
            },
            sealed_credentials: row.try_get("credentials")?,
            credentials_version: row.try_get("credentials_version")?,
            needs_reconnect: row.try_get::<i64, _>("needs_reconnect")? != 0,
        })
    }
}
