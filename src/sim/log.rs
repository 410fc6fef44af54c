//! The request log: what reached the simulated site, in arrival order.
//!
//! Tests count upstream calls with it, over HTTP (`GET /_sim/requests`) or in process.

use std::sync::Arc;

use parking_lot::Mutex;
use serde::Serialize;

/// One request as the site saw it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LoggedRequest {
    pub method: String,
    /// The path as sent, before any routing rewrite (`/ex/jira/{cloudId}/rest/api/3/...` stays so).
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// 0 while the request is still being answered.
    pub status: u16,
}

#[derive(Debug, Default)]
struct Inner {
    /// Sequence number of the first entry (grows when the log is cleared).
    first_seq: u64,
    entries: Vec<LoggedRequest>,
}

/// Shared, cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct RequestLog(Arc<Mutex<Inner>>);

impl RequestLog {
    /// Records an arriving request; returns its sequence number for [`RequestLog::finish`].
    pub fn begin(&self, method: &str, path: &str, query: Option<&str>) -> u64 {
        let mut inner = self.0.lock();
        inner.entries.push(LoggedRequest {
            method: method.to_string(),
            path: path.to_string(),
            query: query.map(str::to_string),
            status: 0,
        });
        inner.first_seq + inner.entries.len() as u64 - 1
    }

    /// Sets the status of a request recorded by [`RequestLog::begin`] (ignored if cleared since).
    pub fn finish(&self, seq: u64, status: u16) {
        let mut inner = self.0.lock();
        if let Some(index) = seq.checked_sub(inner.first_seq)
            && let Some(entry) = inner.entries.get_mut(index as usize)
        {
            entry.status = status;
        }
    }

    pub fn entries(&self) -> Vec<LoggedRequest> {
        self.0.lock().entries.clone()
    }

    pub fn clear(&self) {
        let mut inner = self.0.lock();
        inner.first_seq += inner.entries.len() as u64;
        inner.entries.clear();
    }

    /// Requests whose path ends with `suffix` (e.g. `/search/jql`), any method.
    pub fn count_path(&self, suffix: &str) -> usize {
        self.0
            .lock()
            .entries
            .iter()
            .filter(|e| e.path.ends_with(suffix))
            .count()
    }

    /// Requests to the REST API (`/rest/...` and `/ex/jira/...`), OAuth endpoints excluded.
    pub fn api_calls(&self) -> usize {
        self.0
            .lock()
            .entries
            .iter()
            .filter(|e| e.path.contains("/rest/api/"))
            .count()
    }

    pub fn len(&self) -> usize {
        self.0.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finish_after_clear_does_not_touch_new_entries() {
        let log = RequestLog::default();
        let old = log.begin("GET", "/a", None);
        log.clear();
        let new = log.begin("GET", "/b", Some("x=1"));
        log.finish(old, 500);
        log.finish(new, 200);
        assert_eq!(
            log.entries(),
            vec![LoggedRequest {
                method: "GET".into(),
                path: "/b".into(),
                query: Some("x=1".into()),
                status: 200
            }]
        );
    }
}
