//! The gateway over HTTP and WebSocket against the simulated Jira site: upstream call counts,
//! error codes, permissions, limits.

mod browser;
mod errors;
mod fast_path;
mod http;
mod queries;
pub(crate) mod ws;
