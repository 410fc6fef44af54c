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
        let response = self
            .http
            .post(format!("{}{path}", self.gateway))
            .json(&body)
            .send()
            .await
            .expect("answer");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn login(&self, site: &str, email: &str, token: &str) -> (u16, Value) {
        self.post(
            "/auth/login",
            json!({ "siteUrl": site, "email": email, "apiToken": token }),
        )
        .await
    }

    async fn graphql(&self, token: &str, site: Option<&str>, query: &str) -> (u16, Value) {
        let mut request = self
            .http
            .post(format!("{}/graphql", self.gateway))
            .bearer_auth(token)
            .json(&json!({ "query": query }));
        if let Some(site) = site {
            request = request.header("x-jira-site", site);
        }
        let response = request.send().await.expect("answer");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

/// A default simulated site and a gateway with logins enabled on a fresh database (kept alive
/// by the returned directory).
async fn setup() -> (jira_gateway::sim::SimHandle, tempfile::TempDir, Client) {
    let site = spawn_site(SimConfig::default()).await;
    let dir = tempfile::tempdir().expect("dir");
    let gateway = client(spawn_gateway(identity_config(dir.path())).await);
    (site, dir, gateway)
}

fn client(gateway: String) -> Client {
    Client {
        http: reqwest::Client::new(),
        gateway,
    }
}

#[tokio::test]
async fn an_api_token_login_acts_with_the_users_own_jira_permissions() {
    let (site, _dir, gateway) = setup().await;
    let (status, session) = gateway
        .login(site.base_url(), "viewer@demo.test", "viewer-token")
        .await;
    assert_eq!(status, 200, "{session}");
    assert_eq!(session["user"]["displayName"], "Viewer Victor");
    assert!(session["expiresIn"].as_i64().unwrap_or(0) > 0);
    let token = session["accessToken"].as_str().expect("access token");
    let (status, answer) = gateway.graphql(token, None, r#"{ viewer { displayName } sec: issue(key: "SEC-1") { key } demo: issue(key: "DEMO-1") { key } projects { key } }"#).await;
    assert_eq!(status, 200);
    assert_eq!(
        answer["data"]["viewer"]["displayName"], "Viewer Victor",
        "{answer}"
    );
    assert!(answer["data"]["sec"].is_null(), "{answer}");
    assert_eq!(answer["data"]["demo"]["key"], "DEMO-1");
    assert!(!answer.to_string().contains("\"SEC\""), "{answer}");
}

#[tokio::test]
async fn bad_credentials_missing_and_forged_tokens_are_refused_with_json() {
    let (site, _dir, gateway) = setup().await;
    let (status, body) = gateway
        .login(site.base_url(), "viewer@demo.test", "wrong")
        .await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(error_codes(&body), vec!["UNAUTHENTICATED"]);
    let (status, body) = gateway.login("http://169.254.169.254", "a@b.c", "x").await;
    assert_eq!(status, 400, "a site outside ALLOWED_SITES: {body}");
    let (status, body) = gateway
        .post("/auth/login", json!({ "nonsense": true }))
        .await;
    assert_eq!(status, 400, "{body}");
    let response = gateway
        .http
        .post(format!("{}/graphql", gateway.gateway))
        .json(&json!({ "query": "{ viewer { displayName } }" }))
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 401);
    for token in [
        "garbage",
        "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4In0.",
    ] {
        let (status, body) = gateway
            .graphql(token, None, "{ viewer { displayName } }")
            .await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(error_codes(&body), vec!["UNAUTHENTICATED"]);
    }
}

#[tokio::test]
async fn refresh_tokens_rotate_a_spent_one_is_refused_and_logout_revokes() {
    let (site, _dir, gateway) = setup().await;
    let (_, session) = gateway
        .login(site.base_url(), "alice@demo.test", "alice-token")
        .await;
    let first = session["refreshToken"]
        .as_str()
        .expect("refresh")
        .to_string();
    let (status, rotated) = gateway
        .post("/auth/refresh", json!({ "refreshToken": first }))
        .await;
    assert_eq!(status, 200, "{rotated}");
    let second = rotated["refreshToken"]
        .as_str()
        .expect("refresh")
        .to_string();
    assert_ne!(first, second);
    let (status, answer) = gateway
        .graphql(
            rotated["accessToken"].as_str().expect("access"),
            None,
            "{ viewer { displayName } }",
        )
        .await;
    assert_eq!(
        (status, answer["data"]["viewer"]["displayName"].clone()),
        (200, json!("Alice Nguyen"))
    );
    // Replaying the spent token fails and revokes the rotated one as well.
    let (status, _) = gateway
        .post("/auth/refresh", json!({ "refreshToken": first }))
        .await;
    assert_eq!(status, 401);
    let (status, _) = gateway
        .post("/auth/refresh", json!({ "refreshToken": second }))
        .await;
    assert_eq!(status, 401);
    let (_, session) = gateway
        .login(site.base_url(), "alice@demo.test", "alice-token")
        .await;
    let token = session["refreshToken"]
        .as_str()
        .expect("refresh")
        .to_string();
    let response = gateway
        .http
        .post(format!("{}/auth/logout", gateway.gateway))
        .json(&json!({ "refreshToken": token }))
        .send()
        .await
        .expect("logout");
    assert_eq!(response.status(), 204);
    let (status, _) = gateway
        .post("/auth/refresh", json!({ "refreshToken": token }))
        .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_user_cannot_reach_a_site_only_another_user_connected() {
    let site_a = spawn_site(SimConfig::default()).await;
    let site_b = spawn_site(SimConfig {
        seed: 7,
        ..SimConfig::default()
    })
    .await;
    let dir = tempfile::tempdir().expect("dir");
    let gateway = client(spawn_gateway(identity_config(dir.path())).await);
    let (_, alice) = gateway
        .login(site_a.base_url(), "alice@demo.test", "alice-token")
        .await;
    let (_, dmitry) = gateway
        .login(site_b.base_url(), "dmitry@demo.test", "dmitry-token")
        .await;
    let alice_token = alice["accessToken"].as_str().expect("token");
    let (status, body) = gateway
        .graphql(
            alice_token,
            Some(site_b.base_url()),
            "{ viewer { displayName } }",
        )
        .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(error_codes(&body), vec!["FORBIDDEN"]);
    let (status, body) = gateway
        .graphql(
            alice_token,
            Some(site_a.base_url()),
            "{ viewer { displayName } }",
        )
        .await;
    assert_eq!(
        (status, body["data"]["viewer"]["displayName"].clone()),
        (200, json!("Alice Nguyen"))
    );
    let (_, body) = gateway
        .graphql(
            dmitry["accessToken"].as_str().expect("token"),
            None,
            "{ viewer { displayName } }",
        )
        .await;
    assert_eq!(body["data"]["viewer"]["displayName"], "Дмитрий Иванов");
    // Alice's calls used Alice's credentials on site A only.
    assert!(
        site_b
            .log()
            .entries()
            .iter()
            .all(|e| !e.path.contains("/myself") || e.status == 200)
    );
}

#[tokio::test]
async fn the_database_holds_no_plaintext_token_and_a_restart_keeps_sessions() {
    let (site, dir, gateway) = setup().await;
    let (_, session) = gateway
        .login(site.base_url(), "hanako@demo.test", "hanako-token")
        .await;
    let refresh = session["refreshToken"]
        .as_str()
        .expect("refresh")
        .to_string();
    let access = session["accessToken"].as_str().expect("access").to_string();
    // A second gateway over the same database and keys: a restart.
    let restarted = client(spawn_gateway(identity_config(dir.path())).await);
    let (status, answer) = restarted
        .graphql(&access, None, "{ viewer { displayName } }")
        .await;
    assert_eq!(
        (status, answer["data"]["viewer"]["displayName"].clone()),
        (200, json!("田中 花子")),
        "{answer}"
    );
    let (status, _) = restarted
        .post("/auth/refresh", json!({ "refreshToken": refresh }))
        .await;
    assert_eq!(status, 200);
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir.path()).expect("dir") {
        bytes.extend(std::fs::read(entry.expect("entry").path()).expect("read"));
    }
    let haystack = String::from_utf8_lossy(&bytes);
    for secret in ["hanako-token", refresh.as_str(), access.as_str()] {
        assert!(
            !haystack.contains(secret),
            "the database files contain a secret in clear"
        );
    }
    assert!(haystack.contains("hanako@demo.test") || !haystack.is_empty());
}

/// A gateway whose OAuth login runs against the simulated site's stand-in.
async fn oauth_gateway(site: &jira_gateway::sim::SimHandle, dir: &std::path::Path) -> String {
    // The callback URL must be known before the gateway binds: reserve a free port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("free port")
        .local_addr()
        .expect("addr")
        .port();
    let base = site.base_url();
    let config = jira_gateway::config::Config {
        port,
        oauth_client_id: Some("demo-client".into()),
        oauth_client_secret: Some(secrecy::SecretString::from("demo-secret".to_string())),
        oauth_redirect_url: Some(format!("http://127.0.0.1:{port}/auth/callback")),
        frontend_url: "http://frontend.test/app".into(),
        oauth_authorize_url: format!("{base}/authorize"),
        oauth_token_url: format!("{base}/oauth/token"),
        oauth_resources_url: format!("{base}/oauth/token/accessible-resources"),
        atlassian_api_base: base.to_string(),
        ..identity_config(dir)
    };
    spawn_gateway(config).await
}

/// Follows the whole browser login by hand (no redirects followed automatically) and returns
/// the session the frontend receives in the URL fragment.
async fn oauth_login(gateway: &str, user: &str) -> std::collections::HashMap<String, String> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let start = http
        .get(format!("{gateway}/auth/login?provider=atlassian"))
        .send()
        .await
        .expect("login");
    assert_eq!(start.status(), 302);
    let cookie = start.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_string();
    assert!(
        start.headers()["set-cookie"]
            .to_str()
            .expect("cookie")
            .contains("HttpOnly")
    );
    let authorize = start.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    for part in [
        "audience=api.atlassian.com",
        "offline_access",
        "prompt=consent",
        "response_type=code",
        "state=",
    ] {
        assert!(authorize.contains(part), "{part} missing from {authorize}");
    }
    let consent = http
        .get(format!("{authorize}&user={user}"))
        .send()
        .await
        .expect("consent");
    let callback = consent.headers()["location"]
        .to_str()
        .expect("callback")
        .to_string();
    assert!(callback.starts_with(gateway), "{callback}");
    let done = http
        .get(&callback)
        .header("cookie", &cookie)
        .send()
        .await
        .expect("callback");
    assert_eq!(done.status(), 302, "{:?}", done.text().await);
    let landing = done.headers()["location"]
        .to_str()
        .expect("frontend")
        .to_string();
    let (page, fragment) = landing.split_once('#').expect("session in the fragment");
    assert_eq!(page, "http://frontend.test/app");
    // Replaying the callback (same state) is refused.
    let replay = http
        .get(&callback)
        .header("cookie", &cookie)
        .send()
        .await
        .expect("replay");
    assert_eq!(replay.status(), 400);
    url::form_urlencoded::parse(fragment.as_bytes())
        .into_owned()
        .collect()
}

#[tokio::test]
async fn the_oauth_login_runs_end_to_end_against_the_stand_in() {
    let site = spawn_site(SimConfig::default()).await;
    let dir = tempfile::tempdir().expect("dir");
    let gateway = oauth_gateway(&site, dir.path()).await;
    let session = oauth_login(&gateway, "viewer@demo.test").await;
    let client = client(gateway.clone());
    let (status, answer) = client.graphql(&session["access_token"], None, r#"{ viewer { displayName } sec: issue(key: "SEC-1") { key } demo: issue(key: "DEMO-2") { key } }"#).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["data"]["viewer"]["displayName"], "Viewer Victor");
    assert!(answer["data"]["sec"].is_null());
    assert_eq!(answer["data"]["demo"]["key"], "DEMO-2");
    // The calls went through /ex/jira/{cloudId} with the user's bearer token.
    assert!(
        site.log()
            .entries()
            .iter()
            .any(|e| e.path.starts_with("/ex/jira/") && e.path.ends_with("/issue/bulkfetch"))
    );
    // A callback without the browser's cookie is refused.
    let stray = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let response = stray
        .get(format!("{gateway}/auth/callback?code=x&state=y"))
        .send()
        .await
        .expect("callback");
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn ten_concurrent_requests_as_the_jira_token_expires_make_exactly_one_token_call() {
    // Access tokens live 61 s; the gateway refreshes 60 s early, so after a second they are due.
    let site = spawn_site(SimConfig {
        oauth_access_ttl_secs: 61,
        ..SimConfig::default()
    })
    .await;
    let dir = tempfile::tempdir().expect("dir");
    let gateway = oauth_gateway(&site, dir.path()).await;
    let session = oauth_login(&gateway, "alice@demo.test").await;
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    site.log().clear();
    let client = std::sync::Arc::new(client(gateway));
    let requests = (0..10).map(|n| {
        let client = client.clone();
        let token = session["access_token"].clone();
        tokio::spawn(async move {
            client
                .graphql(
                    &token,
                    None,
                    &format!("{{ issue(key: \"DEMO-{}\") {{ key }} }}", n + 1),
                )
                .await
        })
    });
    for request in requests {
        let (status, answer) = request.await.expect("task");
        assert_eq!(status, 200, "{answer}");
        assert!(answer["errors"].is_null(), "{answer}");
    }
    assert_eq!(
        site.log().count_path("/oauth/token"),
        1,
        "{:?}",
        site.log().entries()
    );
}

#[tokio::test]
async fn a_refused_atlassian_refresh_token_marks_the_connection_for_reconnect() {
    let site = spawn_site(SimConfig {
        oauth_access_ttl_secs: 61,
        ..SimConfig::default()
    })
    .await;
    let dir = tempfile::tempdir().expect("dir");
    let gateway = oauth_gateway(&site, dir.path()).await;
    let session = oauth_login(&gateway, "dmitry@demo.test").await;
    // The user withdrew consent (or a spent token was replayed): Atlassian answers invalid_grant.
    reqwest::Client::new()
        .post(format!("{}/_sim/oauth/revoke", site.base_url()))
        .send()
        .await
        .expect("revoke");
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let client = client(gateway.clone());
    let (status, answer) = client
        .graphql(&session["access_token"], None, "{ viewer { displayName } }")
        .await;
    assert_eq!(status, 401, "{answer}");
    assert_eq!(error_codes(&answer), vec!["UNAUTHENTICATED"]);
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("log in again to reconnect"),
        "{answer}"
    );
    site.log().clear();
    let (status, _) = client
        .graphql(&session["access_token"], None, "{ viewer { displayName } }")
        .await;
    assert_eq!(status, 401);
    assert_eq!(
        site.log().count_path("/oauth/token"),
        0,
        "a connection marked for reconnect is not refreshed again"
    );
    let me: Value = client
        .http
        .get(format!("{gateway}/auth/me"))
        .bearer_auth(&session["access_token"])
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("json");
    assert_eq!(me["sites"][0]["needsReconnect"], true, "{me}");
    // Logging in again reconnects.
    let again = oauth_login(&gateway, "dmitry@demo.test").await;
    let (status, answer) = client
        .graphql(&again["access_token"], None, "{ viewer { displayName } }")
        .await;
    assert_eq!(
        (status, answer["data"]["viewer"]["displayName"].clone()),
        (200, json!("Дмитрий Иванов")),
        "{answer}"
    );
}

#[tokio::test]
async fn websockets_authenticate_in_connection_init_and_browsers_may_use_the_cookie() {
    use crate::gateway::ws::{connect, next_json, send};
    let (site, _dir, gateway) = setup().await;
    let (_, session) = gateway
        .login(site.base_url(), "viewer@demo.test", "viewer-token")
        .await;
    let token = session["accessToken"].as_str().expect("token");
    let mut socket = connect(&gateway.gateway, "graphql-transport-ws").await;
    send(&mut socket, json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } })).await;
    assert_eq!(next_json(&mut socket).await["type"], "connection_ack");
    send(&mut socket, json!({ "id": "1", "type": "subscribe", "payload": { "query": "{ viewer { displayName } sites { url current } }" } })).await;
    let next = next_json(&mut socket).await;
    assert_eq!(
        next["payload"]["data"]["viewer"]["displayName"], "Viewer Victor",
        "{next}"
    );
    assert_eq!(next["payload"]["data"]["sites"][0]["current"], true);
    // Without credentials (and no service account) the connection is refused.
    let mut anonymous = connect(&gateway.gateway, "graphql-transport-ws").await;
    send(
        &mut anonymous,
        json!({ "type": "connection_init", "payload": {} }),
    )
    .await;
    let refused = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        futures_util::StreamExt::next(&mut anonymous),
    )
    .await
    .expect("an answer");
    assert!(
        !matches!(refused, Some(Ok(tokio_tungstenite::tungstenite::Message::Text(ref t))) if t.contains("connection_ack")),
        "{refused:?}"
    );
    // The HttpOnly cookie works in place of the header.
    let answer: Value = gateway
        .http
        .post(format!("{}/graphql", gateway.gateway))
        .header("cookie", format!("jg_access={token}"))
        .json(&json!({ "query": "{ viewer { displayName } }" }))
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("json");
    assert_eq!(
        answer["data"]["viewer"]["displayName"], "Viewer Victor",
        "{answer}"
    );
}

#[tokio::test]
async fn the_logs_of_a_full_login_hold_no_secret() {
    // The real binary, with debug logs, through an API-token login, an OAuth login and queries.
    let site = spawn_site(SimConfig::default()).await;
    let dir = tempfile::tempdir().expect("dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("free port")
        .local_addr()
        .expect("addr")
        .port();
    let gateway = format!("http://127.0.0.1:{port}");
    let base = site.base_url();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_jira-gateway"))
        .arg("serve")
        .env("PORT", port.to_string())
        .env("RUST_LOG", "debug")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("gateway.db").display()),
        )
        .env("JWT_SECRET", "test-jwt-secret-that-is-long-enough-xx")
        .env(
            "ENCRYPTION_KEY",
            "KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKio=",
        )
        .env("ALLOWED_SITES", "127.0.0.1")
        .env("OAUTH_CLIENT_ID", "demo-client")
        .env("OAUTH_CLIENT_SECRET", "demo-secret")
        .env("OAUTH_REDIRECT_URL", format!("{gateway}/auth/callback"))
        .env("FRONTEND_URL", "http://frontend.test/app")
        .env("OAUTH_AUTHORIZE_URL", format!("{base}/authorize"))
        .env("OAUTH_TOKEN_URL", format!("{base}/oauth/token"))
        .env(
            "OAUTH_RESOURCES_URL",
            format!("{base}/oauth/token/accessible-resources"),
        )
        .env("ATLASSIAN_API_BASE", base)
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start the gateway");
    let http = client(gateway.clone());
    let mut ready = false;
    for _ in 0..100 {
        if http
            .http
            .get(format!("{gateway}/health"))
            .send()
            .await
            .is_ok()
        {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(ready, "the gateway did not start");
    let (status, api_session) = http.login(base, "admin@demo.test", "admin-token").await;
    assert_eq!(status, 200, "{api_session}");
    let oauth_session = oauth_login(&gateway, "viewer@demo.test").await;
    let (_, answer) = http
        .graphql(
            api_session["accessToken"].as_str().expect("token"),
            None,
            r#"{ issue(key: "DEMO-1") { key } }"#,
        )
        .await;
    assert_eq!(answer["data"]["issue"]["key"], "DEMO-1");
    let _ = http
        .post(
            "/auth/refresh",
            json!({ "refreshToken": api_session["refreshToken"] }),
        )
        .await;
    let _ = child.kill();
    let output = child.wait_with_output().expect("logs");
    let logs = String::from_utf8_lossy(&output.stderr).to_string()
        + &String::from_utf8_lossy(&output.stdout);
    assert!(
        logs.contains("login with an API token"),
        "debug logs were captured"
    );
    let mut secrets = vec![
        "admin-token".to_string(),
        "demo-secret".to_string(),
        "sim-at-".to_string(),
        "sim-rt-".to_string(),
        "sim-code-".to_string(),
    ];
    secrets.extend(
        [&api_session["accessToken"], &api_session["refreshToken"]]
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string)),
    );
    secrets.extend([
        oauth_session["access_token"].clone(),
        oauth_session["refresh_token"].clone(),
    ]);
    for secret in secrets {
        assert!(
            !logs.contains(&secret),
            "the logs contain a secret ({} chars)",
            secret.len()
        );
    }
}

#[tokio::test]
async fn root_fields_choose_among_the_callers_sites_with_the_site_argument() {
    let site_a = spawn_site(SimConfig::default()).await;
    let site_b = spawn_site(SimConfig {
        seed: 7,
        ..SimConfig::default()
    })
    .await;
    let dir = tempfile::tempdir().expect("dir");
    let gateway = client(spawn_gateway(identity_config(dir.path())).await);
    // The same Atlassian account on two sites: one gateway user with two connections.
    gateway
        .login(site_a.base_url(), "alice@demo.test", "alice-token")
        .await;
    let (_, session) = gateway
        .login(site_b.base_url(), "alice@demo.test", "alice-token")
        .await;
    let token = session["accessToken"].as_str().expect("token");
    let query = format!(
        r#"{{ sites {{ url current }}
             a: issue(key: "DEMO-1", site: "{a}") {{ key summary comments(first: 1) {{ totalCount }} }}
             b: issue(key: "DEMO-1", site: "{b}") {{ key summary comments(first: 1) {{ totalCount }} }}
             c: issues(jql: "project = DEMO ORDER BY key ASC", first: 1, site: "{b}") {{ totalCount edges {{ node {{ summary }} }} }} }}"#,
        a = site_a.base_url(),
        b = site_b.base_url()
    );
    let (status, answer) = gateway.graphql(token, None, &query).await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer["errors"].is_null(), "{answer}");
    assert_ne!(
        answer["data"]["a"]["summary"], answer["data"]["b"]["summary"],
        "two different sites"
    );
    assert_eq!(
        answer["data"]["b"]["summary"],
        answer["data"]["c"]["edges"][0]["node"]["summary"]
    );
    assert_eq!(answer["data"]["sites"].as_array().map(Vec::len), Some(2));
    let (_, answer) = gateway
        .graphql(
            token,
            None,
            r#"{ issue(key: "DEMO-1", site: "http://elsewhere.example") { key } }"#,
        )
        .await;
    assert_eq!(error_codes(&answer), vec!["FORBIDDEN"], "{answer}");
}

/// The Atlassian refresh token the gateway holds for `user` (read from its database with the
/// test's key: the test plays an attacker who stole an old token).
async fn stored_refresh_token(dir: &std::path::Path, account_id: &str) -> String {
    use base64::Engine;
    let store = jira_gateway::store::Store::sqlite_file(&dir.join("gateway.db"))
        .await
        .expect("store");
    let user = store.upsert_user(account_id, "").await.expect("user");
    let connection = store
        .list_connections(&user.id)
        .await
        .expect("connections")
        .into_iter()
        .next()
        .expect("a connection");
    let sealer = jira_gateway::store::crypto::Sealer::from_base64(
        &base64::engine::general_purpose::STANDARD.encode([42u8; 32]),
    )
    .expect("key");
    let credentials: Value =
        serde_json::from_slice(&sealer.open(&connection.sealed_credentials).expect("opens"))
            .expect("json");
    // Stored as `{"kind": "oAuth", "access_token", "refresh_token", "expires_at"}`.
    credentials["refresh_token"]
        .as_str()
        .expect("a refresh token")
        .to_string()
}

#[tokio::test]
async fn reuse_of_a_spent_atlassian_refresh_token_marks_the_connection_for_reconnect() {
    // No grace: a spent refresh token used again revokes its whole family at once.
    let site = spawn_site(SimConfig {
        oauth_access_ttl_secs: 61,
        oauth_reuse_grace_secs: 0,
        ..SimConfig::default()
    })
    .await;
    let dir = tempfile::tempdir().expect("dir");
    let gateway = oauth_gateway(&site, dir.path()).await;
    let session = oauth_login(&gateway, "somchai@demo.test").await;
    let account = "5b10ac8d82e05b22cc7d4ef6";
    let first = stored_refresh_token(dir.path(), account).await;
    let client = client(gateway);
    // The token comes due; the gateway refreshes once and stores the rotated token.
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let (status, answer) = client
        .graphql(&session["access_token"], None, "{ viewer { displayName } }")
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_ne!(
        stored_refresh_token(dir.path(), account).await,
        first,
        "the rotated token was stored"
    );
    // Someone replays the spent token: Atlassian revokes the family.
    let replay = reqwest::Client::new()
        .post(format!("{}/oauth/token", site.base_url()))
        .json(&json!({ "grant_type": "refresh_token", "client_id": "demo-client", "client_secret": "demo-secret", "refresh_token": first }))
        .send()
        .await
        .expect("replay");
    assert_eq!(replay.status(), 403);
    // The gateway's next refresh gets invalid_grant: reconnect needed, with the hint.
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let (status, answer) = client
        .graphql(&session["access_token"], None, "{ viewer { displayName } }")
        .await;
    assert_eq!(status, 401, "{answer}");
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("log in again to reconnect"),
        "{answer}"
    );
}
