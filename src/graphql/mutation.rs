//! The mutation root, merged from one object per domain.

use async_graphql::MergedObject;

#[derive(MergedObject, Default)]
pub struct MutationRoot(
    super::export::ExportMutation,
    super::selection::SelectionMutation,
);
