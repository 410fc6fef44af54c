//! The query root, merged from one object per domain.

mod issue;
mod jql;
mod project;
mod user;

use async_graphql::MergedObject;

pub use issue::{GroupCount, IssueStats};
pub use jql::{JqlSuggestion, JqlValidation};

#[derive(MergedObject, Default)]
pub struct QueryRoot(
    issue::IssueQuery,
    project::ProjectQuery,
    user::UserQuery,
    jql::JqlQuery,
    super::export::ExportQueryRoot,
);
