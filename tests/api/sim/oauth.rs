//! The OAuth 2.0 (3LO) stand-in end to end: authorize, token exchange, accessible resources,
//! refresh-token rotation and reuse detection.

use jira_gateway::sim::SimConfig;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Answer, Sim, VIEWER, answer};

pub const REDIRECT_URI: &str = "http://127.0.0.1:1/cb";
pub const ALL_SCOPES: &str =
    "read:jira-work write:jira-work read:jira-user manage:jira-webhook offline_access";

/// `/authorize` as `user` with `scope`; returns the answer (a redirect to `REDIRECT_URI`).
pub async fn authorize(sim: &Sim, user: &str, scope: &str) -> Answer {
    let url = reqwest::Url::parse_with_params(
        &format!("{}/authorize", sim.base()),
        &[
            ("audience", "api.atlassian.com"),
            ("client_id", "demo-client"),
            ("scope", scope),
            ("redirect_uri", REDIRECT_URI),
            ("state", "xyz"),
            ("response_type", "code"),
            ("prompt", "consent"),
            ("user", user),
        ],
    )
    .expect("authorize URL");
    answer(sim.http.get(url).send().await.expect("authorize answers")).await
}

/// The query parameters of a redirect's `Location`.
pub fn redirect_params(answer: &Answer) -> Vec<(String, String)> {
    let location = answer.header("location").expect("Location header");
    let url = reqwest::Url::parse(location).expect("absolute Location");
    assert_eq!(
        format!("{}://{}{}", url.scheme(), url.authority(), url.path()),
        REDIRECT_URI
    );
    url.query_pairs().into_owned().collect()
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// `POST /oauth/token` with a JSON body.
pub async fn token(sim: &Sim, body: &Value) -> Answer {
    sim.send(
        Method::POST,
        &format!("{}/oauth/token", sim.base()),
        None,
        Some(body),
    )
    .await
}

pub async fn exchange(sim: &Sim, code: &str) -> Answer {
    token(
        sim,
        &json!({ "grant_type": "authorization_code", "client_id": "demo-client", "client_secret": "demo-secret", "code": code, "redirect_uri": REDIRECT_URI }),
    )
    .await
}

pub async fn refresh(sim: &Sim, refresh_token: &str) -> Answer {
    token(sim, &json!({ "grant_type": "refresh_token", "client_id": "demo-client", "client_secret": "demo-secret", "refresh_token": refresh_token })).await
}

/// A code for `user` with `scope`.
pub async fn code(sim: &Sim, user: &str, scope: &str) -> String {
    let answer = authorize(sim, user, scope).await;
    param(&redirect_params(&answer), "code")
        .expect("code in the redirect")
        .to_string()
}

/// Tokens (`access_token`, `refresh_token`, ...) for `user` with every scope.
pub async fn login(sim: &Sim, user: &str) -> Value {
    let code = code(sim, user, ALL_SCOPES).await;
    let answer = exchange(sim, &code).await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    answer.body
}

/// `GET /ex/jira/{cloudId}/rest/api/3{path}` with a bearer token.
pub async fn bearer_get(sim: &Sim, cloud_id: &str, access_token: &str, path: &str) -> Answer {
    let url = format!("{}/ex/jira/{cloud_id}/rest/api/3{path}", sim.base());
    sim.send(
        Method::GET,
        &url,
        Some(&format!("Bearer {access_token}")),
        None,
    )
    .await
}

#[tokio::test]
async fn the_authorization_code_flow_gives_tokens_that_reach_the_api_as_the_consenting_user() {
    // Arrange
    let sim = Sim::start().await;

    // Act: consent
    let consent = authorize(&sim, VIEWER, ALL_SCOPES).await;

    // Assert: a redirect back with the code and the state
    assert!(
        matches!(consent.status, StatusCode::FOUND | StatusCode::SEE_OTHER),
        "{}",
        consent.status
    );
    let params = redirect_params(&consent);
    assert_eq!(param(&params, "state"), Some("xyz"));
    let code = param(&params, "code").expect("code").to_string();

    // Act: exchange the code
    let tokens = exchange(&sim, &code).await;
    assert_eq!(tokens.status, StatusCode::OK);
    assert_eq!(tokens.body["expires_in"], 3600);
    assert_eq!(tokens.body["token_type"], "Bearer");
    assert_eq!(tokens.body["scope"], ALL_SCOPES);
    let access = tokens.body["access_token"].as_str().expect("access token");
    assert!(
        tokens.body["refresh_token"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );

    // Act: find the site
    let resources = sim
        .send(
            Method::GET,
            &format!("{}/oauth/token/accessible-resources", sim.base()),
            Some(&format!("Bearer {access}")),
            None,
        )
        .await;
    assert_eq!(resources.status, StatusCode::OK);
    let sites = resources.body.as_array().expect("array of sites");
    assert_eq!(sites.len(), 1);
    assert_eq!(sites[0]["id"], sim.site.cloud_id());
    assert_eq!(sites[0]["url"], sim.base());
    let cloud_id = sites[0]["id"].as_str().expect("cloud id");

    // Act: call the API through /ex/jira/{cloudId}
    let me = bearer_get(&sim, cloud_id, access, "/myself").await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["emailAddress"], VIEWER);
    assert_eq!(me.body["accountId"], sim.account_id(VIEWER));
}

#[tokio::test]
async fn an_authorization_code_can_be_exchanged_only_once() {
    let sim = Sim::start().await;
    let code = code(&sim, VIEWER, ALL_SCOPES).await;

    assert_eq!(exchange(&sim, &code).await.status, StatusCode::OK);
    let again = exchange(&sim, &code).await;

    assert_eq!(again.status, StatusCode::FORBIDDEN);
    assert_eq!(again.body["error"], "invalid_grant");
}

#[tokio::test]
async fn a_wrong_client_secret_is_refused() {
    let sim = Sim::start().await;
    let code = code(&sim, VIEWER, ALL_SCOPES).await;

    let answer = token(
        &sim,
        &json!({ "grant_type": "authorization_code", "client_id": "demo-client", "client_secret": "wrong", "code": code, "redirect_uri": REDIRECT_URI }),
    )
    .await;

    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.body["error"], "access_denied");
    // The code was not spent by the refused attempt.
    assert_eq!(exchange(&sim, &code).await.status, StatusCode::OK);
}

#[tokio::test]
async fn without_offline_access_no_refresh_token_is_issued() {
    let sim = Sim::start().await;
    let code = code(&sim, VIEWER, "read:jira-work read:jira-user").await;

    let tokens = exchange(&sim, &code).await;

    assert_eq!(tokens.status, StatusCode::OK);
    assert!(tokens.body["access_token"].is_string());
    assert!(
        tokens.body.get("refresh_token").is_none(),
        "{}",
        tokens.body
    );
}

#[tokio::test]
async fn every_refresh_rotates_the_refresh_token() {
    let sim = Sim::start().await;
    let cloud_id = sim.site.cloud_id();
    let first = login(&sim, VIEWER).await;
    let r1 = first["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_string();

    let second = refresh(&sim, &r1).await;
    assert_eq!(second.status, StatusCode::OK);
    let r2 = second.body["refresh_token"]
        .as_str()
        .expect("rotated refresh token")
        .to_string();
    let third = refresh(&sim, &r2).await;
    assert_eq!(third.status, StatusCode::OK);
    let r3 = third.body["refresh_token"]
        .as_str()
        .expect("rotated again")
        .to_string();

    assert_ne!(r1, r2);
    assert_ne!(r2, r3);
    assert_ne!(r1, r3);
    assert_eq!(third.body["expires_in"], 3600);
    let access = third.body["access_token"].as_str().expect("access token");
    assert_eq!(
        bearer_get(&sim, &cloud_id, access, "/myself").await.body["emailAddress"],
        VIEWER
    );
}

#[tokio::test]
async fn reusing_a_spent_refresh_token_without_grace_revokes_the_whole_family() {
    // Arrange
    let sim = Sim::with(SimConfig {
        oauth_reuse_grace_secs: 0,
        ..SimConfig::default()
    })
    .await;
    let cloud_id = sim.site.cloud_id();
    let first = login(&sim, VIEWER).await;
    let spent = first["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_string();
    let rotated = refresh(&sim, &spent).await;
    assert_eq!(rotated.status, StatusCode::OK);
    let current_access = rotated.body["access_token"]
        .as_str()
        .expect("access")
        .to_string();
    let current_refresh = rotated.body["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_string();
    assert_eq!(
        bearer_get(&sim, &cloud_id, &current_access, "/myself")
            .await
            .status,
        StatusCode::OK
    );

    // Act: reuse the spent token
    let reuse = refresh(&sim, &spent).await;

    // Assert
    assert_eq!(reuse.status, StatusCode::FORBIDDEN);
    assert_eq!(reuse.body["error"], "invalid_grant");
    assert_eq!(
        bearer_get(&sim, &cloud_id, &current_access, "/myself")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let after = refresh(&sim, &current_refresh).await;
    assert_eq!(after.status, StatusCode::FORBIDDEN);
    assert_eq!(after.body["error"], "invalid_grant");
}

#[tokio::test]
async fn reusing_a_spent_refresh_token_within_the_grace_period_still_works() {
    let sim = Sim::start().await;
    let first = login(&sim, VIEWER).await;
    let spent = first["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_string();
    let rotated = refresh(&sim, &spent).await;
    let current = rotated.body["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_string();

    let reuse = refresh(&sim, &spent).await;

    assert_eq!(reuse.status, StatusCode::OK);
    assert_eq!(reuse.body["refresh_token"], current.as_str());
    assert_eq!(refresh(&sim, &current).await.status, StatusCode::OK);
}

#[tokio::test]
async fn authorize_without_a_user_shows_a_consent_page_listing_the_users() {
    let sim = Sim::start().await;
    let url = format!(
        "{}/authorize?audience=api.atlassian.com&client_id=demo-client&scope=read%3Ajira-work&redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcb&state=s&response_type=code",
        sim.base()
    );

    let page = sim.send(Method::GET, &url, None, None).await;

    assert_eq!(page.status, StatusCode::OK);
    let html = String::from_utf8_lossy(&page.bytes);
    assert!(
        html.contains("viewer%40demo.test") && html.contains("Viewer Victor"),
        "{html}"
    );
}

#[tokio::test]
async fn authorize_refuses_an_unknown_client_and_redirects_errors_for_bad_requests() {
    let sim = Sim::start().await;
    let base = format!("{}/authorize?client_id=", sim.base());

    let unknown = sim.send(Method::GET, &format!("{base}nope&redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcb&response_type=code&audience=api.atlassian.com"), None, None).await;
    let no_audience = sim.send(Method::GET, &format!("{base}demo-client&redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcb&response_type=code&state=s&user=viewer%40demo.test"), None, None).await;

    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    let params = redirect_params(&no_audience);
    assert_eq!(param(&params, "error"), Some("invalid_request"));
    assert_eq!(param(&params, "state"), Some("s"));
}

#[tokio::test]
async fn a_code_is_refused_with_another_redirect_uri() {
    let sim = Sim::start().await;
    let code = code(&sim, VIEWER, ALL_SCOPES).await;

    let answer = token(
        &sim,
        &json!({ "grant_type": "authorization_code", "client_id": "demo-client", "client_secret": "demo-secret", "code": code, "redirect_uri": "http://127.0.0.1:2/other" }),
    )
    .await;

    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(answer.body["error"], "invalid_grant");
}

#[tokio::test]
async fn the_token_endpoint_also_takes_a_form_body() {
    let sim = Sim::start().await;
    let code = code(&sim, VIEWER, ALL_SCOPES).await;

    let response = sim
        .http
        .post(format!("{}/oauth/token", sim.base()))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", "demo-client"),
            ("client_secret", "demo-secret"),
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
        ])
        .send()
        .await
        .expect("answer");

    let answer = answer(response).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.body["access_token"].is_string());
}

#[tokio::test]
async fn accessible_resources_needs_a_live_token() {
    let sim = Sim::start().await;

    let none = sim
        .send(
            Method::GET,
            &format!("{}/oauth/token/accessible-resources", sim.base()),
            None,
            None,
        )
        .await;
    let wrong = sim
        .send(
            Method::GET,
            &format!("{}/oauth/token/accessible-resources", sim.base()),
            Some("Bearer nope"),
            None,
        )
        .await;

    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_token_only_reaches_operations_its_scopes_allow() {
    // Arrange: a read-only token
    let sim = Sim::start().await;
    let cloud_id = sim.site.cloud_id();
    let code = code(&sim, VIEWER, "read:jira-work").await;
    let tokens = exchange(&sim, &code).await;
    let bearer = format!(
        "Bearer {}",
        tokens.body["access_token"].as_str().expect("access token")
    );
    let url = |path: &str| format!("{}/ex/jira/{cloud_id}/rest/api/3{path}", sim.base());
    let issue = sim.issue_where(|i| i.project == "DEMO");

    // Act
    let read = sim
        .send(
            Method::GET,
            &url(&format!("/issue/{}", issue.key)),
            Some(&bearer),
            None,
        )
        .await;
    let search = sim
        .send(
            Method::POST,
            &url("/search/jql"),
            Some(&bearer),
            Some(&json!({ "jql": "project = DEMO" })),
        )
        .await;
    let write = sim
        .send(
            Method::PUT,
            &url(&format!("/issue/{}", issue.key)),
            Some(&bearer),
            Some(&json!({ "fields": { "summary": "x" } })),
        )
        .await;
    let me = sim
        .send(Method::GET, &url("/myself"), Some(&bearer), None)
        .await;
    let hooks = sim
        .send(Method::GET, &url("/webhook"), Some(&bearer), None)
        .await;

    // Assert
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(search.status, StatusCode::OK);
    for refused in [write, me, hooks] {
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            refused.messages(),
            vec!["Unauthorized; scope does not match"]
        );
    }
    let after = sim
        .get(VIEWER, &format!("/issue/{}?fields=summary", issue.key))
        .await;
    assert_eq!(after.body["fields"]["summary"], issue.summary.as_str());
}
