//! Logins, gateway tokens and per-user Jira credentials.

use jira_gateway::sim::SimConfig;
use serde_json::{Value, json};

use crate::helpers::{error_codes, identity_config, spawn_gateway, spawn_site};

struct Client {
    http: reqwest::Client,
    gateway: String,
}

impl Client {
    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let response = self.http.post(format!("{}{path}", self.gateway)).json(&body).send().await.expect("answer");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn login(&self, site: &str, email: &str, token: &str) -> (u16, Value) {
        self.post("/auth/login", json!({ "siteUrl": site, "email": email, "apiToken": token })).await
    }

    async fn graphql(&self, token: &str, site: Option<&str>, query: &str) -> (u16, Value) {
        let mut request = self.http.post(format!("{}/graphql", self.gateway)).bearer_auth(token).json(&json!({ "query": query }));
        if let Some(site) = site {
            request = request.header("x-jira-site", site);
        }
        let response = request.send().await.expect("answer");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

fn client(gateway: String) -> Client {
    Client { http: reqwest::Client::new(), gateway }
}

#[tokio::test]
async fn an_api_token_login_acts_with_the_users_own_jira_permissions() {
    let site = spawn_site(SimConfig::default()).await;
    let dir = tempfile::tempdir().expect("dir");
    let gateway = client(spawn_gateway(identity_config(dir.path())).await);
    let (status, session) = gateway.login(site.base_url(), "viewer@demo.test", "viewer-token").await;
    assert_eq!(status, 200, "{session}");
    assert_eq!(session["user"]["displayName"], "Viewer Victor");
    assert!(session["expiresIn"].as_i64().unwrap_or(0) > 0);
    let token = session["accessToken"].as_str().expect("access token");
    let (status, answer) = gateway.graphql(token, None, r#"{ viewer { displayName } sec: issue(key: "SEC-1") { key } demo: issue(key: "DEMO-1") { key } projects { key } }"#).await;
    assert_eq!(status, 200);
    assert_eq!(answer["data"]["viewer"]["displayName"], "Viewer Victor", "{answer}");
    assert!(answer["data"]["sec"].is_null(), "{answer}");
    assert_eq!(answer["data"]["demo"]["key"], "DEMO-1");
    assert!(!answer.to_string().contains("\"SEC\""), "{answer}");
}

#[tokio::test]
async fn bad_credentials_missing_and_forged_tokens_are_refused_with_json() {
    let site = spawn_site(SimConfig::default()).await;
    let dir = tempfile::tempdir().expect("dir");
    let gateway = client(spawn_gateway(identity_config(dir.path())).await);
    let (status, body) = gateway.login(site.base_url(), "viewer@demo.test", "wrong").await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(error_codes(&body), vec!["UNAUTHENTICATED"]);
    let (status, body) = gateway.login("http://169.254.169.254", "a@b.c", "x").await;
    assert_eq!(status, 400, "a site outside ALLOWED_SITES: {body}");
    let (status, body) = gateway.post("/auth/login", json!({ "nonsense": true })).await;
    assert_eq!(status, 400, "{body}");
    let response = gateway.http.post(format!("{}/graphql", gateway.gateway)).json(&json!({ "query": "{ viewer { displayName } }" })).send().await.expect("answer");
    assert_eq!(response.status(), 401);
    for token in ["garbage", "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4In0."] {
        let (status, body) = gateway.graphql(token, None, "{ viewer { displayName } }").await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(error_codes(&body), vec!["UNAUTHENTICATED"]);
    }
}

#[tokio::test]
async fn refresh_tokens_rotate_a_spent_one_is_refused_and_logout_revokes() {
    let site = spawn_site(SimConfig::default()).await;
    let dir = tempfile::tempdir().expect("dir");
    let gateway = client(spawn_gateway(identity_config(dir.path())).await);
    let (_, session) = gateway.login(site.base_url(), "alice@demo.test", "alice-token").await;
    let first = session["refreshToken"].as_str().expect("refresh").to_string();
    let (status, rotated) = gateway.post("/auth/refresh", json!({ "refreshToken": first })).await;
    assert_eq!(status, 200, "{rotated}");
    let second = rotated["refreshToken"].as_str().expect("refresh").to_string();
    assert_ne!(first, second);
    let (status, answer) = gateway.graphql(rotated["accessToken"].as_str().expect("access"), None, "{ viewer { displayName } }").await;
    assert_eq!((status, answer["data"]["viewer"]["displayName"].clone()), (200, json!("Alice Nguyen")));
    // Replaying the spent token fails and revokes the rotated one as well.
    let (status, _) = gateway.post("/auth/refresh", json!({ "refreshToken": first })).await;
    assert_eq!(status, 401);
    let (status, _) = gateway.post("/auth/refresh", json!({ "refreshToken": second })).await;
    assert_eq!(status, 401);
    let (_, session) = gateway.login(site.base_url(), "alice@demo.test", "alice-token").await;
    let token = session["refreshToken"].as_str().expect("refresh").to_string();
    let response = gateway.http.post(format!("{}/auth/logout", gateway.gateway)).json(&json!({ "refreshToken": token })).send().await.expect("logout");
    assert_eq!(response.status(), 204);
    let (status, _) = gateway.post("/auth/refresh", json!({ "refreshToken": token })).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_user_cannot_reach_a_site_only_another_user_connected() {
    let site_a = spawn_site(SimConfig::default()).await;
    let site_b = spawn_site(SimConfig { seed: 7, ..SimConfig::default() }).await;
    let dir = tempfile::tempdir().expect("dir");
    let gateway = client(spawn_gateway(identity_config(dir.path())).await);
    let (_, alice) = gateway.login(site_a.base_url(), "alice@demo.test", "alice-token").await;
    let (_, dmitry) = gateway.login(site_b.base_url(), "dmitry@demo.test", "dmitry-token").await;
    let alice_token = alice["accessToken"].as_str().expect("token");
    let (status, body) = gateway.graphql(alice_token, Some(site_b.base_url()), "{ viewer { displayName } }").await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(error_codes(&body), vec!["FORBIDDEN"]);
    let (status, body) = gateway.graphql(alice_token, Some(site_a.base_url()), "{ viewer { displayName } }").await;
    assert_eq!((status, body["data"]["viewer"]["displayName"].clone()), (200, json!("Alice Nguyen")));
    let (_, body) = gateway.graphql(dmitry["accessToken"].as_str().expect("token"), None, "{ viewer { displayName } }").await;
    assert_eq!(body["data"]["viewer"]["displayName"], "Дмитрий Иванов");
    // Alice's calls used Alice's credentials on site A only.
    assert!(site_b.log().entries().iter().all(|e| !e.path.contains("/myself") || e.status == 200));
}

#[tokio::test]
async fn the_database_holds_no_plaintext_token_and_a_restart_keeps_sessions() {
    let site = spawn_site(SimConfig::default()).await;
    let dir = tempfile::tempdir().expect("dir");
    let gateway = client(spawn_gateway(identity_config(dir.path())).await);
    let (_, session) = gateway.login(site.base_url(), "hanako@demo.test", "hanako-token").await;
    let refresh = session["refreshToken"].as_str().expect("refresh").to_string();
    let access = session["accessToken"].as_str().expect("access").to_string();
    // A second gateway over the same database and keys: a restart.
    let restarted = client(spawn_gateway(identity_config(dir.path())).await);
    let (status, answer) = restarted.graphql(&access, None, "{ viewer { displayName } }").await;
    assert_eq!((status, answer["data"]["viewer"]["displayName"].clone()), (200, json!("田中 花子")), "{answer}");
    let (status, _) = restarted.post("/auth/refresh", json!({ "refreshToken": refresh })).await;
    assert_eq!(status, 200);
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir.path()).expect("dir") {
        bytes.extend(std::fs::read(entry.expect("entry").path()).expect("read"));
    }
    let haystack = String::from_utf8_lossy(&bytes);
    for secret in ["hanako-token", refresh.as_str(), access.as_str()] {
        assert!(!haystack.contains(secret), "the database files contain a secret in clear");
    }
    assert!(haystack.contains("hanako@demo.test") || !haystack.is_empty());
}
