//! The integration test binary: the gateway over HTTP and WebSocket against the simulated
//! Jira site, the simulated site itself, and the CLI.

mod helpers;

mod cli;
mod demo;
mod export;
mod exports;
mod gateway;
mod identity;
mod selection;
mod sim;
mod spec;
mod store;
