//! The README's first command: `jira-gateway demo` serves GraphQL over a simulated site.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test]
async fn the_demo_prints_a_graphiql_url_that_answers_queries_and_logins() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jira-gateway"))
        .args(["demo", "--port", "0", "--issues", "120"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the demo");
    let stdout = child.stdout.take().expect("stdout");
    let lines = tokio::task::spawn_blocking(move || {
        let mut seen = Vec::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let done = line.starts_with("Or the OAuth 2.0 login");
            seen.push(line);
            if done {
                break;
            }
        }
        seen
    })
    .await
    .expect("read the banner");
    let url_of = |prefix: &str| {
        lines
            .iter()
            .find_map(|l| l.strip_prefix(prefix))
            .and_then(|rest| rest.split_whitespace().next())
            .map(str::to_string)
    };
    let graphql = url_of("GraphiQL: ").expect("the GraphiQL URL is printed");
    let site = url_of("Simulated Jira site: ").expect("the site URL is printed");
    let http = reqwest::Client::new();
    let answer: serde_json::Value = http
        .post(&graphql)
        .json(&serde_json::json!({ "query": "{ viewer { displayName } issues(jql: \"project = DEMO\", first: 2) { edges { node { key } } } }" }))
        .send()
        .await
        .expect("query")
        .json()
        .await
        .expect("json");
    assert_eq!(
        answer["data"]["viewer"]["displayName"], "Admin Ada",
        "{answer}"
    );
    assert_eq!(
        answer["data"]["issues"]["edges"].as_array().map(Vec::len),
        Some(2)
    );
    let login: serde_json::Value = http
        .post(graphql.replace("/graphql", "/auth/login"))
        .json(&serde_json::json!({ "siteUrl": site, "email": "viewer@demo.test", "apiToken": "viewer-token" }))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    assert!(login["accessToken"].is_string(), "{login}");
    let _ = child.kill();
    let _ = child.wait();
}
