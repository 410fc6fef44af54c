//! `viewer` and `user`.

use async_graphql::{Context, ID, Object};

use crate::graphql::context::request;
use crate::graphql::error::{GqlError, GqlResult};
use crate::graphql::types::User;

#[derive(Default)]
pub struct UserQuery;

#[Object]
impl UserQuery {
    /// The Jira user the gateway acts as for this request.
    async fn viewer(&self, ctx: &Context<'_>) -> GqlResult<User> {
        let me = request(ctx)?.jira.myself().await.map_err(GqlError::from)?;
        Ok(User(me))
    }

    /// A user by account id (batched with other `user` fields of the query).
    async fn user(&self, ctx: &Context<'_>, account_id: ID) -> GqlResult<Option<User>> {
        let user = request(ctx)?.users.load_one(account_id.0).await.map_err(GqlError::from)?;
        Ok(user.map(|u| User((*u).clone())))
    }
}
