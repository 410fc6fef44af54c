//! Gives every error a stable `extensions.code`: errors raised before resolvers run (parse,
//! validation, depth and complexity limits) come from async-graphql without one. Every
//! transport (POST, GET, WebSocket) passes its responses through [`with_codes`].

use std::sync::Arc;

use async_graphql::{
    BatchResponse, Data, ErrorExtensionValues, Executor, Request, Response, Value,
};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;

use super::AppSchema;
use super::documents::DocumentCache;

/// Adds `extensions.code` to every error that has none. Done on the response, not in an
/// async-graphql extension: an installed extension makes async-graphql run its hook chain
/// for every resolved field, which cost a board query about a third of its execution time.
pub fn with_codes(mut response: Response) -> Response {
    for error in &mut response.errors {
        let has_code = error
            .extensions
            .as_ref()
            .is_some_and(|e| e.get("code").is_some());
        if has_code {
            continue;
        }
        let message = error.message.to_ascii_lowercase();
        let code = if message.contains("too complex")
            || message.contains("nested too deep")
            || message.contains("too many")
        {
            "QUERY_TOO_COMPLEX"
        } else if error.path.is_empty() {
            // Parse and validation errors have no path.
            "BAD_USER_INPUT"
        } else {
            "INTERNAL"
        };
        error
            .extensions
            .get_or_insert_with(ErrorExtensionValues::default)
            .set("code", Value::from(code));
    }
    response
}

/// [`with_codes`] over a batch.
pub fn batch_with_codes(response: BatchResponse) -> BatchResponse {
    match response {
        BatchResponse::Single(r) => BatchResponse::Single(with_codes(r)),
        BatchResponse::Batch(rs) => BatchResponse::Batch(rs.into_iter().map(with_codes).collect()),
    }
}

/// The schema as the WebSocket transport sees it: every response gets its codes.
#[derive(Clone)]
pub struct CodedSchema {
    pub schema: AppSchema,
    pub documents: DocumentCache,
}

impl Executor for CodedSchema {
    async fn execute(&self, request: Request) -> Response {
        let request = self.documents.prepare(request).await;
        with_codes(self.schema.execute(request).await)
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        self.schema
            .execute_stream_with_session_data(request, session_data.unwrap_or_default())
            .map(with_codes)
            .boxed()
    }
}
