//! The GraphQL layer: schema, resolvers, loaders, errors. Knows nothing about HTTP; tests
//! can call `build_schema(..).execute(..)` directly.

pub mod context;
pub mod documents;
pub mod error;
pub mod export;
pub mod filter;
pub mod immediate;
pub mod limits;
pub mod loaders;
pub mod mutation;
pub mod plan;
pub mod query;
pub mod selection;
pub mod subscription;
pub mod types;

use std::sync::Arc;

use async_graphql::Schema;

pub use context::RequestContext;
pub use error::{CODES, GqlError};
pub use mutation::MutationRoot;
pub use query::QueryRoot;
pub use subscription::SubscriptionRoot;

use crate::export::jobs::ExportJobs;
use selection::Selections;

pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Limits every query is checked against before it runs, and how it runs.
#[derive(Debug, Clone, Copy)]
pub struct QueryLimits {
    /// Deepest selection nesting.
    pub max_depth: usize,
    /// Complexity budget; connections count `first` times their children.
    pub max_complexity: usize,
    /// Whether fields already in memory are read at once ([`immediate`]).
    pub fast_path: bool,
}

impl Default for QueryLimits {
    fn default() -> Self {
        QueryLimits {
            max_depth: 16,
            max_complexity: 20_000,
            fast_path: true,
        }
    }
}

/// Builds the schema (shared by the server, the `schema` command and tests).
pub fn build_schema(limits: QueryLimits) -> AppSchema {
    build_schema_with(limits, None, None)
}

/// [`build_schema`] with the export queue the export fields use and the selection state
/// the selection fields use (absent: they answer `FORBIDDEN`).
pub fn build_schema_with(
    limits: QueryLimits,
    exports: Option<Arc<ExportJobs>>,
    selections: Option<Arc<Selections>>,
) -> AppSchema {
    let mut builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .limit_depth(limits.max_depth)
    .limit_complexity(limits.max_complexity)
    // No `.extension(…)`: the immediate path would skip per-field extension hooks.
    .data(immediate::FastPath(limits.fast_path));
    if let Some(exports) = exports {
        builder = builder.data(exports);
    }
    if let Some(selections) = selections {
        builder = builder.data(selections);
    }
    builder.finish()
}

/// The SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    build_schema(QueryLimits::default()).sdl()
}
