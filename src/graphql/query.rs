//! The query root, merged from one object per domain.

mod issue;
mod jql;
mod project;
mod user;

use async_graphql::MergedObject;

pub(crate) use issue::is_issue_key_or_id;
pub use issue::{GroupCount, IssueStats};
pub use jql::{JqlSuggestion, JqlValidation};

#[derive(MergedObject, Default)]
pub struct QueryRoot(
    issue::IssueQuery,
    project::ProjectQuery,
    user::UserQuery,
    jql::JqlQuery,
    super::export::ExportQueryRoot,
    super::selection::SelectionQuery,
);
