//! The `jira-gateway` binary: parses the command line and hands over to the library.

fn main() -> std::process::ExitCode {
    jira_gateway::cli::main()
}
