//! Parsed GraphQL documents, cached by their text. Clients send the same few queries again and
//! again (a board re-runs one query), and parsing one with async-graphql's parser cost about 3%
//! of a board's CPU in the gateway. A cached document is still checked like a fresh one
//! (depth, complexity, validation), so only the parse is skipped.

use async_graphql::parser::{parse_query, types::ExecutableDocument};
use async_graphql::{BatchRequest, Request};
use moka::future::Cache;

/// Longest query text that is cached (longer ones are parsed each time).
const MAX_CACHED_QUERY: usize = 16 * 1024;
/// Total query text the cache holds, in bytes; a parsed document is roughly ten times its text.
const CAPACITY_BYTES: u64 = 1024 * 1024;

/// A shared cache of parsed documents (cheap to clone).
#[derive(Clone)]
pub struct DocumentCache(Cache<String, ExecutableDocument>);

impl Default for DocumentCache {
    fn default() -> Self {
        DocumentCache(
            Cache::builder()
                .max_capacity(CAPACITY_BYTES)
                .weigher(|query: &String, _| u32::try_from(query.len()).unwrap_or(u32::MAX))
                .build(),
        )
    }
}

impl DocumentCache {
    /// `request` with its parsed document attached, from the cache or parsed now. A query that
    /// does not parse is left alone, so execution reports the syntax error as usual.
    pub async fn prepare(&self, mut request: Request) -> Request {
        if request.query.len() > MAX_CACHED_QUERY {
            return request;
        }
        if let Some(document) = self.0.get(&request.query).await {
            request.set_parsed_query(document);
            return request;
        }
        if let Ok(document) = parse_query(&request.query) {
            self.0.insert(request.query.clone(), document.clone()).await;
            request.set_parsed_query(document);
        }
        request
    }

    /// [`DocumentCache::prepare`] for every request of a batch.
    pub async fn prepare_batch(&self, batch: BatchRequest) -> BatchRequest {
        match batch {
            BatchRequest::Single(request) => BatchRequest::Single(self.prepare(request).await),
            BatchRequest::Batch(requests) => {
                let mut prepared = Vec::with_capacity(requests.len());
                for request in requests {
                    prepared.push(self.prepare(request).await);
                }
                BatchRequest::Batch(prepared)
            }
        }
    }
}
