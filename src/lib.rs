//! jira-gateway: a GraphQL gateway over Jira Cloud's REST API v3.
//!
//! - [`sim`]: a simulated Jira Cloud site (tests, demo, benchmarks); the gateway's request
//!   path never imports it.
//! - [`adf`]: Atlassian Document Format conversions shared by every text path.
//! - [`jira`]: the Jira REST client. Knows nothing about GraphQL.
//! - [`export`]: PDF rendering through typst.

#![recursion_limit = "256"]

pub mod adf;
pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod export;
pub mod graphql;
pub mod http;
pub mod jira;
pub mod sim;
pub mod store;
pub mod telemetry;
