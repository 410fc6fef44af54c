//! The simulated Jira site over HTTP: each test starts its own site on port 0 and talks to it
//! the way the gateway's client (or a person with curl) would.

mod act_as;
mod attachments;
mod auth;
mod bulkfetch;
mod comments;
mod deliveries;
mod determinism;
mod faults;
mod issues;
mod jql;
mod jql_semantics;
mod oauth;
mod search;
mod site;
mod transitions;
mod webhooks;

use jira_gateway::sim::SimConfig;
use jira_gateway::sim::SimHandle;
use jira_gateway::sim::model::Issue;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{basic, spawn_site};

pub const ADMIN: &str = "admin@demo.test";
pub const VIEWER: &str = "viewer@demo.test";
pub const ALICE: &str = "alice@demo.test";

/// The `Issue does not exist...` message Jira gives for missing and forbidden issues alike.
pub const NO_ISSUE: &str = "Issue does not exist or you do not have permission to see it.";

/// A site and a client that never follows redirects (so 302/303 answers can be inspected).
pub struct Sim {
    pub site: SimHandle,
    pub http: reqwest::Client,
}

/// One HTTP answer: status, headers and the body as JSON (`Null` when empty or not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: bytes::Bytes,
    pub body: Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    /// `errorMessages` of a Jira error answer.
    pub fn messages(&self) -> Vec<String> {
        self.body["errorMessages"]
            .as_array()
            .map(|m| {
                m.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The `Authorization` header value for a seeded user (token `<name>-token`).
pub fn auth(email: &str) -> String {
    let name = email.split('@').next().unwrap_or_default();
    basic(email, &format!("{name}-token"))
}

impl Sim {
    /// A default site: seed 42, 500 issues.
    pub async fn start() -> Sim {
        Sim::with(SimConfig::default()).await
    }

    pub async fn with(config: SimConfig) -> Sim {
        let site = spawn_site(config).await;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(20))
            .build()
            .expect("client");
        Sim { site, http }
    }

    pub fn base(&self) -> &str {
        self.site.base_url()
    }

    /// `http://127.0.0.1:port/rest/api/3{path}`.
    pub fn api(&self, path: &str) -> String {
        format!("{}/rest/api/3{path}", self.base())
    }

    /// Sends `method url` with an optional `Authorization` value and JSON body.
    pub async fn send(
        &self,
        method: Method,
        url: &str,
        authorization: Option<&str>,
        body: Option<&Value>,
    ) -> Answer {
        let mut request = self.http.request(method, url);
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        answer(request.send().await.expect("site answers")).await
    }

    /// A REST API call (`/rest/api/3{path}`) as `user` with Basic auth.
    pub async fn call(
        &self,
        method: Method,
        user: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Answer {
        self.send(method, &self.api(path), Some(&auth(user)), body)
            .await
    }

    pub async fn get(&self, user: &str, path: &str) -> Answer {
        self.call(Method::GET, user, path, None).await
    }

    pub async fn post(&self, user: &str, path: &str, body: &Value) -> Answer {
        self.call(Method::POST, user, path, Some(body)).await
    }

    pub async fn put(&self, user: &str, path: &str, body: &Value) -> Answer {
        self.call(Method::PUT, user, path, Some(body)).await
    }

    pub async fn delete(&self, user: &str, path: &str) -> Answer {
        self.call(Method::DELETE, user, path, None).await
    }

    /// The admin API acting as `user`: `/_sim/as/{user}/rest/api/3{path}`, no credentials.
    pub async fn act_as(
        &self,
        method: Method,
        user: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Answer {
        let url = format!("{}/_sim/as/{user}/rest/api/3{path}", self.base());
        self.send(method, &url, None, body).await
    }

    /// The first issue (lowest id) matching `predicate`, read in process to arrange a test
    /// without depending on JQL.
    pub fn issue_where(&self, predicate: impl Fn(&Issue) -> bool) -> Issue {
        let data = self.site.state.data.read();
        data.issues
            .values()
            .find(|i| predicate(i))
            .cloned()
            .expect("a seeded issue matches")
    }

    /// Every issue matching `predicate`, in id order.
    pub fn issues_where(&self, predicate: impl Fn(&Issue) -> bool) -> Vec<Issue> {
        let data = self.site.state.data.read();
        data.issues
            .values()
            .filter(|i| predicate(i))
            .cloned()
            .collect()
    }

    pub fn account_id(&self, email: &str) -> String {
        self.site
            .state
            .data
            .read()
            .user_by_email(email)
            .expect("seeded user")
            .account_id
            .clone()
    }
}

pub async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("body");
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        bytes,
        body,
    }
}

/// A minimal ADF document with one paragraph.
pub fn adf(text: &str) -> Value {
    serde_json::json!({
        "version": 1,
        "type": "doc",
        "content": [{ "type": "paragraph", "content": [{ "type": "text", "text": text }] }]
    })
}

/// Keys of the issues of a search answer.
pub fn keys(body: &Value) -> Vec<String> {
    body["issues"]
        .as_array()
        .expect("issues array")
        .iter()
        .map(|i| i["key"].as_str().expect("key").to_string())
        .collect()
}

/// Ids of the issues of a search or bulkfetch answer, as numbers.
pub fn ids(body: &Value) -> Vec<u64> {
    body["issues"]
        .as_array()
        .expect("issues array")
        .iter()
        .map(|i| {
            i["id"]
                .as_str()
                .expect("string id")
                .parse()
                .expect("numeric id")
        })
        .collect()
}
