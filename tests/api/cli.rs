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
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .expect("schema.graphql at the root");
    assert!(
        printed == committed,
        "schema.graphql differs from `jira-gateway schema`: run `cargo run -- schema > schema.graphql`"
    );
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
fn export_without_a_query_or_an_output_is_refused_with_usage() {
    let output = binary()
        .args(["export", "--out", "report.pdf"])
        .output()
        .expect("run export");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--jql") && stderr.contains("--keys"),
        "{stderr}"
    );

    let output = binary()
        .args(["export", "--jql", "project = DEMO"])
        .output()
        .expect("run export");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--out"));
}

#[test]
fn export_help_documents_its_options_without_showing_the_token() {
    let output = binary()
        .args(["export", "--help"])
        .env("JIRA_API_TOKEN", "do-not-show-me")
        .output()
        .expect("run export --help");
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for option in [
        "--jql",
        "--keys",
        "--template",
        "--template-file",
        "--out",
        "--title",
        "--paper",
        "--landscape",
        "--locale",
        "--accent",
        "--logo",
        "--font-dir",
        "--jira-base-url",
        "--jira-email",
        "--jira-api-token",
        "JIRA_API_TOKEN",
        // The same client budget settings as `serve`.
        "JIRA_REQUESTS_PER_SECOND",
        "JIRA_BURST",
        "JIRA_MAX_CONCURRENCY",
        "JIRA_TIMEOUT_MS",
    ] {
        assert!(help.contains(option), "{option} missing from export --help");
    }
    assert!(
        !help.contains("do-not-show-me"),
        "the token's value is hidden"
    );
}

#[test]
fn export_refuses_bad_options_before_calling_jira() {
    // Port 1 answers nothing: the options must be refused before any Jira call.
    let output = binary()
        .args([
            "export",
            "--jql",
            "project = DEMO",
            "--out",
            "report.pdf",
            "--accent",
            "blue",
        ])
        .env("JIRA_BASE_URL", "http://127.0.0.1:1")
        .env("JIRA_EMAIL", "someone@example.com")
        .env("JIRA_API_TOKEN", "token")
        .output()
        .expect("run export");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("accent colour"));

    let output = binary()
        .args([
            "export",
            "--jql",
            "project = DEMO",
            "--out",
            "/no/such/dir/report.pdf",
        ])
        .env("JIRA_BASE_URL", "http://127.0.0.1:1")
        .env("JIRA_EMAIL", "someone@example.com")
        .env("JIRA_API_TOKEN", "token")
        .output()
        .expect("run export");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("does not exist"));
}

#[test]
fn serve_refuses_a_partial_service_account() {
    let output = binary()
        .args(["serve", "--port", "0"])
        .env("JIRA_BASE_URL", "http://127.0.0.1:1")
        .env_remove("JIRA_EMAIL")
        .env_remove("JIRA_API_TOKEN")
        .output()
        .expect("run serve");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("go together"));
}
