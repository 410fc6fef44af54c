//! GraphQL output types. Built from `jira::models` with `From`; never derive GraphQL on the
//! Jira DTOs themselves.

mod common;
mod connection;
mod issue;
mod project;
mod rich_text;

pub use common::{
    Attachment, ChangeItem, Changelog, Comment, CustomFieldValue, IssueTypeInfo, PriorityInfo,
    Resolution, StatusCategoryInfo, StatusInfo, Transition, User,
};
pub use connection::{
    ChangelogConnection, ChangelogEdge, CommentConnection, CommentEdge, IssueConnection, IssueEdge,
    PageInfo, SearchCursor, decode_offset, encode_offset,
};
pub use issue::{Issue, page_size};
pub use project::Project;
pub use rich_text::RichText;

/// Page size of nested connections (comments, changelog) when `first` is not given: as many as
/// Jira embeds in an issue answer, so the default page costs no extra call.
pub const DEFAULT_NESTED_PAGE: usize = 20;

/// Parses a Jira timestamp into a GraphQL `DateTime`; odd values become null, not errors.
pub fn time(value: Option<&str>) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    value.and_then(crate::jira::models::parse_jira_time)
}
