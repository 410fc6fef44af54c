//! Who may call: Basic auth on the site URL, bearer tokens only under `/ex/jira/{cloudId}`.

use reqwest::{Method, StatusCode};

use super::oauth::{bearer_get, login};
use super::{ADMIN, Sim, VIEWER, auth};
use crate::helpers::basic;

const UNAUTHENTICATED: &str = "Client must be authenticated to access this resource.";

#[tokio::test]
async fn a_request_without_credentials_is_refused_with_401() {
    let sim = Sim::start().await;

    let answer = sim.send(Method::GET, &sim.api("/myself"), None, None).await;

    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.messages(), vec![UNAUTHENTICATED]);
}

#[tokio::test]
async fn a_wrong_api_token_is_refused_with_401() {
    let sim = Sim::start().await;

    let wrong = sim
        .send(
            Method::GET,
            &sim.api("/myself"),
            Some(&basic(ADMIN, "viewer-token")),
            None,
        )
        .await;
    let unknown = sim
        .send(
            Method::GET,
            &sim.api("/myself"),
            Some(&basic("nobody@demo.test", "x")),
            None,
        )
        .await;

    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn basic_auth_with_an_api_token_works_on_the_site_url() {
    let sim = Sim::start().await;

    let me = sim.get(VIEWER, "/myself").await;

    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["emailAddress"], VIEWER);
    assert_eq!(me.body["displayName"], "Viewer Victor");
    assert_eq!(me.body["accountType"], "atlassian");
    assert_eq!(me.body["active"], true);
    assert_eq!(me.body["accountId"], sim.account_id(VIEWER));
}

#[tokio::test]
async fn an_oauth_bearer_token_does_not_work_on_the_site_url() {
    let sim = Sim::start().await;
    let tokens = login(&sim, VIEWER).await;
    let bearer = format!(
        "Bearer {}",
        tokens["access_token"].as_str().expect("access token")
    );

    let answer = sim
        .send(Method::GET, &sim.api("/myself"), Some(&bearer), None)
        .await;

    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.messages(), vec![UNAUTHENTICATED]);
}

#[tokio::test]
async fn a_bearer_token_works_under_ex_jira_with_the_sites_cloud_id_only() {
    let sim = Sim::start().await;
    let tokens = login(&sim, VIEWER).await;
    let access = tokens["access_token"].as_str().expect("access token");

    let right = bearer_get(&sim, &sim.site.cloud_id(), access, "/myself").await;
    let wrong = bearer_get(
        &sim,
        "00000000-0000-0000-0000-000000000000",
        access,
        "/myself",
    )
    .await;

    assert_eq!(right.status, StatusCode::OK);
    assert_eq!(right.body["emailAddress"], VIEWER);
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn basic_auth_does_not_work_under_ex_jira() {
    let sim = Sim::start().await;
    let url = format!(
        "{}/ex/jira/{}/rest/api/3/myself",
        sim.base(),
        sim.site.cloud_id()
    );

    let answer = sim.send(Method::GET, &url, Some(&auth(VIEWER)), None).await;

    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_expired_access_token_is_refused() {
    let sim = Sim::start().await;
    let tokens = login(&sim, VIEWER).await;
    let access = tokens["access_token"].as_str().expect("access token");

    let expire = sim
        .send(
            Method::POST,
            &format!("{}/_sim/oauth/expire", sim.base()),
            None,
            None,
        )
        .await;
    let answer = bearer_get(&sim, &sim.site.cloud_id(), access, "/myself").await;

    assert_eq!(expire.status, StatusCode::NO_CONTENT);
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}
