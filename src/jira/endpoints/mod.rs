//! The typed Jira operations, as `impl JiraClient` blocks grouped by domain. Each one only
//! describes its request (`Call`); sending, retrying and error mapping live in `client.rs`.

mod issue;
mod search;
mod site;
