//! The command line, run as a process.

use std::process::Command;

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_jira-gateway"))
}

#[test]
fn schema_prints_the_committed_sdl() {
    let output = binary().arg("schema").output().expect("run schema");
    assert!(output.status.success());
    let printed = String::from_utf8(output.stdout).expect("utf-8");
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql")).expect("schema.graphql at the root");
    assert!(printed == committed, "schema.graphql differs from `jira-gateway schema`: run `cargo run -- schema > schema.graphql`");
}

#[test]
fn help_lists_every_subcommand() {
    let output = binary().arg("--help").output().expect("run --help");
    let help = String::from_utf8_lossy(&output.stdout);
    for command in ["serve", "demo", "sim", "schema", "export"] {
        assert!(help.contains(command), "{command} missing from --help");
    }
}

#[test]
fn export_says_plainly_that_it_is_not_built_yet() {
    let output = binary().arg("export").output().expect("run export");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not built yet"));
}

#[test]
fn serve_refuses_a_partial_service_account() {
    let output = binary().args(["serve", "--port", "0"]).env("JIRA_BASE_URL", "http://127.0.0.1:1").env_remove("JIRA_EMAIL").env_remove("JIRA_API_TOKEN").output().expect("run serve");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("go together"));
}
