//! The `jira-gateway` binary: parses the command line and hands over to the library.

/// mimalloc instead of glibc's allocator: a GraphQL answer allocates and frees thousands of
/// small values, and glibc's malloc/free took ~30% of the gateway's CPU per board query
/// (BENCHMARKS.md, "Where the gateway's time goes").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    jira_gateway::cli::main()
}
