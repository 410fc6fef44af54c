//! Issue selections: the keys a user selected on one Jira site, in selection order.
//!
//! The store keeps keys only, never issue content: whoever reads a selection's issues
//! re-reads them from Jira with their own credentials. Adding is capped per user and site,
//! and the cap is checked in the transaction that inserts, after taking a lock that
//! serialises the user's adds, so concurrent adds cannot overshoot it.

use std::collections::HashSet;

use sqlx::Row;

use super::{Result, Store, now};

/// Rows per multi-row INSERT or DELETE (five bound values per row stays far below every
/// backend's parameter limit).
const CHUNK: usize = 100;

/// One selected issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectedIssue {
    pub key: String,
    /// Orders the selection; grows with every add, with gaps.
    pub position: i64,
}

/// Outcome of [`Store::add_to_selection`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectionAdd {
    /// The keys are selected; `added` of them were new.
    Added { added: usize },
    /// Nothing was stored: `selected` keys plus `adding` new ones would pass the cap.
    OverCap { selected: usize, adding: usize },
}

impl Store {
    /// Adds `keys` to the user's selection on `site_url`, after the keys already there and
    /// in the given order; keys already selected keep their place. Stores nothing when the
    /// selection would then hold more than `cap` keys.
    pub async fn add_to_selection(
        &self,
        user_id: &str,
        site_url: &str,
        keys: &[String],
        cap: usize,
    ) -> Result<SelectionAdd> {
        let mut tx = self.pool.begin().await?;
        // A write first: it takes SQLite's write lock (a deferred transaction that read first
        // could not upgrade under a concurrent writer) and, on PostgreSQL, a lock on the
        // user's row, so concurrent adds of one user run one after the other and each count
        // below sees every committed add.
        sqlx::query("UPDATE users SET updated_at = updated_at WHERE id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        let rows = sqlx::query(
            "SELECT issue_key, position FROM selected_issues WHERE user_id = $1 AND site_url = $2",
        )
        .bind(user_id)
        .bind(site_url)
        .fetch_all(&mut *tx)
        .await?;
        let mut seen = HashSet::with_capacity(rows.len() + keys.len());
        let mut top = 0_i64;
        for row in &rows {
            seen.insert(row.try_get::<String, _>("issue_key")?);
            top = top.max(row.try_get("position")?);
        }
        let new: Vec<&String> = keys.iter().filter(|k| seen.insert((*k).clone())).collect();
        if rows.len() + new.len() > cap {
            // Dropping the transaction rolls it back.
            return Ok(SelectionAdd::OverCap {
                selected: rows.len(),
                adding: new.len(),
            });
        }
        let created_at = now();
        for (chunk_index, chunk) in new.chunks(CHUNK).enumerate() {
            let sql = format!(
                "INSERT INTO selected_issues (user_id, site_url, issue_key, position, created_at) VALUES {} ON CONFLICT DO NOTHING",
                placeholders(chunk.len(), 5, 0)
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (i, key) in chunk.iter().enumerate() {
                let offset = i64::try_from(chunk_index * CHUNK + i + 1).unwrap_or(i64::MAX);
                query = query
                    .bind(user_id)
                    .bind(site_url)
                    .bind((*key).clone())
                    .bind(top.saturating_add(offset))
                    .bind(created_at);
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(SelectionAdd::Added { added: new.len() })
    }

    /// Removes `keys` from the user's selection on `site_url`; answers how many were there.
    pub async fn remove_from_selection(
        &self,
        user_id: &str,
        site_url: &str,
        keys: &[String],
    ) -> Result<u64> {
        let mut removed = 0;
        let mut tx = self.pool.begin().await?;
        for chunk in keys.chunks(CHUNK) {
            let sql = format!(
                "DELETE FROM selected_issues WHERE user_id = $1 AND site_url = $2 AND issue_key IN {}",
                placeholders(1, chunk.len(), 2)
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(user_id)
                .bind(site_url);
            for key in chunk {
                query = query.bind(key.clone());
            }
            removed += query.execute(&mut *tx).await?.rows_affected();
        }
        tx.commit().await?;
        Ok(removed)
    }

    /// Empties the user's selection on `site_url`; answers how many keys it held.
    pub async fn clear_selection(&self, user_id: &str, site_url: &str) -> Result<u64> {
        let result =
            sqlx::query("DELETE FROM selected_issues WHERE user_id = $1 AND site_url = $2")
                .bind(user_id)
                .bind(site_url)
                .execute(&self.pool)
                .await?;
        Ok(result.rows_affected())
    }

    /// The user's selection on `site_url`, in selection order.
    pub async fn list_selection(
        &self,
        user_id: &str,
        site_url: &str,
    ) -> Result<Vec<SelectedIssue>> {
        let rows = sqlx::query(
            "SELECT issue_key, position FROM selected_issues WHERE user_id = $1 AND site_url = $2
             ORDER BY position, issue_key",
        )
        .bind(user_id)
        .bind(site_url)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(SelectedIssue {
                    key: row.try_get("issue_key")?,
                    position: row.try_get("position")?,
                })
            })
            .collect()
    }

    /// How many keys the user's selection on `site_url` holds.
    pub async fn count_selection(&self, user_id: &str, site_url: &str) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM selected_issues WHERE user_id = $1 AND site_url = $2",
        )
        .bind(user_id)
        .bind(site_url)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("n")?)
    }
}

/// `($1, $2, …), ($k, …)`: `rows` groups of `width` numbered placeholders after `first`
/// already used. Only numbers go into the SQL; every value is bound.
fn placeholders(rows: usize, width: usize, first: usize) -> String {
    (0..rows)
        .map(|row| {
            let start = first + row * width + 1;
            let group: Vec<String> = (start..start + width).map(|n| format!("${n}")).collect();
            format!("({})", group.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::placeholders;

    #[test]
    fn placeholders_are_numbered_row_after_row() {
        assert_eq!(placeholders(2, 3, 0), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(placeholders(1, 2, 2), "($3, $4)");
    }
}
