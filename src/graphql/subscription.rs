//! The subscription root, merged from one object per domain. Served over `/graphql/ws`.

use async_graphql::MergedSubscription;

#[derive(MergedSubscription, Default)]
pub struct SubscriptionRoot(super::selection::SelectionSubscription);
