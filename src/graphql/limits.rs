//! Gives every error a stable `extensions.code`: errors raised before resolvers run (parse,
//! validation, depth and complexity limits) come from async-graphql without one.

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextRequest};
use async_graphql::{ErrorExtensionValues, Response, Value};

pub struct ErrorCodes;

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodesExtension)
    }
}

struct ErrorCodesExtension;

#[async_trait::async_trait]
impl Extension for ErrorCodesExtension {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
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
}
