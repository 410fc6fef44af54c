//! Jira REST v3 client. Knows nothing about GraphQL.
//!
//! - [`JiraClient`]: typed operations over one site with one set of credentials; every
//!   request goes through one path that applies the [`SiteBudget`], a timeout, status mapping
//!   to [`JiraError`] and retries honouring `Retry-After`.
//! - [`JiraApi`]: the same operations as an object-safe trait, for `Arc<dyn JiraApi>`.
//! - [`JiraAuth`]: Basic (email + API token) or Bearer (OAuth 2.0 3LO) credentials.
//! - [`models`]: serde DTOs mirroring Jira's JSON.
//! - [`jql`]: building JQL safely from typed values.

mod api;
mod auth;
mod budget;
mod client;
mod endpoints;
mod error;
pub mod jql;
pub mod models;
mod retry;

pub use api::JiraApi;
pub use auth::JiraAuth;
pub use budget::{
    BudgetLimits, BudgetPermit, LOCAL_CONCURRENCY_REASON, LOCAL_RATE_REASON, SiteBudget,
};
pub use client::{ATLASSIAN_API_BASE, ClientConfig, JiraClient, oauth_base, site_base};
pub use error::{JiraError, Result};

#[cfg(test)]
mod tests;
