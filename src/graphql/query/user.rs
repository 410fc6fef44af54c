//! `viewer` and `user`.

use async_graphql::{Context, ID, Object};

use crate::graphql::context::{request, site_request};
use crate::graphql::error::{GqlError, GqlResult};
use crate::graphql::types::User;

#[derive(Default)]
pub struct UserQuery;

#[Object]
impl UserQuery {
    /// The Jira user the gateway acts as for this request.
    async fn viewer(&self, ctx: &Context<'_>, site: Option<String>) -> GqlResult<User> {
        let me = site_request(ctx, site.as_deref())
            .await?
            .jira
            .myself()
            .await
            .map_err(GqlError::from)?;
        Ok(User::from(me))
    }

    /// The Jira sites the caller is connected to; `X-Jira-Site` picks one per request.
    async fn sites(&self, ctx: &Context<'_>) -> GqlResult<Vec<crate::graphql::context::SiteInfo>> {
        let request = request(ctx)?;
        if request.sites.is_empty() {
            // The service account: its one site.
            let url = request
                .jira
                .base_url()
                .as_str()
                .trim_end_matches('/')
                .to_string();
            return Ok(vec![crate::graphql::context::SiteInfo {
                name: url.clone(),
                url,
                cloud_id: None,
                needs_reconnect: false,
                current: true,
            }]);
        }
        Ok(request.sites.clone())
    }

    /// A user by account id (batched with other `user` fields of the query).
    async fn user(
        &self,
        ctx: &Context<'_>,
        account_id: ID,
        site: Option<String>,
    ) -> GqlResult<Option<User>> {
        let user = site_request(ctx, site.as_deref())
            .await?
            .users
            .load_one(account_id.0)
            .await
            .map_err(GqlError::from)?;
        Ok(user.map(User))
    }
}
