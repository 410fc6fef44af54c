//! `TestApp`: a simulated Jira site and a gateway wired to it, both on port 0.

use std::time::Duration;

use jira_gateway::app::App;
use jira_gateway::config::{Config, JiraClientArgs};
use jira_gateway::sim::{self, FaultConfig, FaultRule, SimConfig, SimHandle};
use serde_json::{Value, json};

pub struct TestApp {
    pub site: SimHandle,
    /// `http://127.0.0.1:port` of the gateway.
    pub gateway: String,
    pub http: reqwest::Client,
}

/// Starts a simulated site alone (seed 42, 500 issues unless changed).
pub async fn spawn_site(config: SimConfig) -> SimHandle {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind sim");
    sim::spawn(config, listener).await.expect("start sim")
}

/// The API token of `user` (a simulated user's email) on `site`.
pub fn api_token(site: &SimHandle, user: &str) -> String {
    let data = site.state.data.read();
    data.user_by_email(user)
        .expect("known simulated user")
        .api_token
        .clone()
}

/// A gateway's configuration acting as `user` (a simulated user's email) of `site`, reached
/// at `base` (the site itself or a proxy in front of it), with fast retries and port 0.
pub fn gateway_config(site: &SimHandle, base: &str, user: &str) -> Config {
    let token = api_token(site, user);
    Config {
        port: 0,
        jira_base_url: Some(base.to_string()),
        jira_email: Some(user.to_string()),
        jira_api_token: Some(secrecy::SecretString::from(token)),
        jira_client: JiraClientArgs {
            jira_retry_base_ms: 10,
            jira_retry_max_ms: 50,
            jira_timeout_ms: 5_000,
            jira_max_wait_ms: 3_000,
            ..JiraClientArgs::default()
        },
        ..Config::default()
    }
}

/// A gateway acting as `admin@demo.test`, with fast retries, over a default site.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(SimConfig::default(), "admin@demo.test", |_| {}).await
}

/// A gateway acting as `user` (a simulated user's email) over a site built from `sim_config`;
/// `tweak` adjusts the gateway's configuration.
pub async fn spawn_app_with(
    sim_config: SimConfig,
    user: &str,
    tweak: impl FnOnce(&mut Config),
) -> TestApp {
    let site = spawn_site(sim_config).await;
    let mut config = gateway_config(&site, site.base_url(), user);
    tweak(&mut config);
    let app = App::build(config).await.expect("build gateway");
    let gateway = format!("http://{}", app.local_addr().expect("gateway address"));
    tokio::spawn(app.run_until(std::future::pending()));
    TestApp {
        site,
        gateway,
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client"),
    }
}

impl TestApp {
    /// POSTs a query (with variables) and returns the JSON answer, whatever the status.
    pub async fn graphql_with(&self, query: &str, variables: Value) -> Value {
        let response = self
            .http
            .post(format!("{}/graphql", self.gateway))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("gateway answers");
        response.json().await.expect("JSON answer")
    }

    pub async fn graphql(&self, query: &str) -> Value {
        self.graphql_with(query, Value::Null).await
    }

    /// Clears the simulated site's request log.
    pub fn reset_log(&self) {
        self.site.log().clear();
    }

    /// REST API calls that reached the simulated site since the last reset.
    pub fn jira_calls(&self) -> Vec<String> {
        self.site
            .log()
            .entries()
            .into_iter()
            .filter(|e| e.path.contains("/rest/api/"))
            .map(|e| format!("{} {}", e.method, e.path))
            .collect()
    }

    pub fn fault(&self, rule: FaultRule) {
        self.site.set_faults(FaultConfig {
            rules: vec![rule],
            ..FaultConfig::default()
        });
    }
}

/// `extensions.code` of every error in a GraphQL answer.
pub fn error_codes(answer: &Value) -> Vec<String> {
    answer["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["extensions"]["code"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Basic auth header value for a simulated user.
pub fn basic(email: &str, token: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{email}:{token}"))
    )
}

/// Settings that enable logins: a fresh SQLite file, keys, and the simulated site allowed.
pub fn identity_config(dir: &std::path::Path) -> Config {
    use base64::Engine;
    Config {
        port: 0,
        database_url: format!("sqlite://{}", dir.join("gateway.db").display()),
        jwt_secret: Some(secrecy::SecretString::from(
            "test-jwt-secret-that-is-long-enough-xx".to_string(),
        )),
        encryption_key: Some(secrecy::SecretString::from(
            base64::engine::general_purpose::STANDARD.encode([42u8; 32]),
        )),
        allowed_sites: vec!["127.0.0.1".into()],
        jira_client: JiraClientArgs {
            jira_retry_base_ms: 10,
            jira_retry_max_ms: 50,
            ..JiraClientArgs::default()
        },
        ..Config::default()
    }
}

/// Starts a gateway with `config`; answers its base URL.
pub async fn spawn_gateway(config: Config) -> String {
    let app = App::build(config).await.expect("build gateway");
    let url = format!("http://{}", app.local_addr().expect("gateway address"));
    tokio::spawn(app.run_until(std::future::pending()));
    url
}

/// A user logged in to a gateway with an API token (`POST /auth/login`).
pub struct Session {
    pub http: reqwest::Client,
    pub gateway: String,
    pub token: String,
}

/// Logs `email` in to `gateway` against the simulated `site`.
pub async fn login(gateway: &str, site: &str, email: &str, api_token: &str) -> Session {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client");
    let session: Value = http
        .post(format!("{gateway}/auth/login"))
        .json(&json!({ "siteUrl": site, "email": email, "apiToken": api_token }))
        .send()
        .await
        .expect("login answers")
        .json()
        .await
        .expect("login JSON");
    let token = session["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("no access token: {session}"))
        .to_owned();
    Session {
        http,
        gateway: gateway.to_owned(),
        token,
    }
}

impl Session {
    /// POSTs a query with the session's access token; the JSON answer, whatever the status.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        self.http
            .post(format!("{}/graphql", self.gateway))
            .bearer_auth(&self.token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("gateway answers")
            .json()
            .await
            .expect("JSON answer")
    }

    /// The same login on another gateway (same database and keys).
    pub fn on(&self, gateway: &str) -> Session {
        Session {
            http: self.http.clone(),
            gateway: gateway.to_owned(),
            token: self.token.clone(),
        }
    }
}

/// A PDF's text, whitespace squashed and zero-width spaces dropped: poppler's pdftotext when
/// installed, else the crate's built-in extractor (`export::extract`, which reads typst's Type0
/// fonts and `/ActualText`), so the text is checked either way. lopdf always has to parse it.
pub fn pdf_text(bytes: &[u8]) -> String {
    lopdf::Document::load_mem(bytes).expect("lopdf parses the PDF");
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("export.pdf");
    std::fs::write(&path, bytes).expect("write PDF");
    let raw = match std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
    {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).into_owned(),
        _ => {
            eprintln!(
                "pdftotext not found (apt-get install poppler-utils); using the built-in extractor"
            );
            jira_gateway::export::extract::page_texts(bytes)
                .expect("the built-in extractor reads the PDF")
                .join("\n")
        }
    };
    raw.replace('\u{200b}', "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every `PREFIX-123` token in `text`.
pub fn keys_in(text: &str, prefix: &str) -> std::collections::BTreeSet<String> {
    let marker = format!("{prefix}-");
    let mut keys = std::collections::BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find(&marker) {
        let after = &rest[at + marker.len()..];
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        if !digits.is_empty() {
            keys.insert(format!("{marker}{digits}"));
        }
        rest = after;
    }
    keys
}
