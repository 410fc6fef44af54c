//! PDF export jobs through the gateway: `exportIssues`, `exportJob(s)`, `cancelExport` and
//! `GET /exports/{id}`, with logins against a simulated site.

use std::time::Duration;

use jira_gateway::config::Config;
use jira_gateway::sim::SimConfig;
use serde_json::{Value, json};

use crate::helpers::{
    Session, api_token, error_codes, identity_config, login, pdf_text, spawn_gateway, spawn_site,
};

impl Session {
    async fn export(&self, jql: &str, title: &str) -> Value {
        self.graphql(
            "mutation($jql: String, $title: String) { exportIssues(jql: $jql, options: { title: $title }) { id status progress { done total } } }",
            json!({ "jql": jql, "title": title }),
        )
        .await
    }

    async fn job(&self, id: &str) -> Value {
        let answer = self
            .graphql(
                "query($id: ID!) { exportJob(id: $id) { id status progress { done total } pages bytes error downloadUrl createdAt finishedAt } }",
                json!({ "id": id }),
            )
            .await;
        assert!(answer["errors"].is_null(), "{answer}");
        answer["data"]["exportJob"].clone()
    }

    /// Polls until the job is finished (bounded), answering its last state.
    async fn wait_finished(&self, id: &str) -> Value {
        for _ in 0..600 {
            let job = self.job(id).await;
            let status = job["status"].as_str().unwrap_or_default();
            if matches!(status, "SUCCEEDED" | "FAILED" | "CANCELLED") {
                return job;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("export {id} did not finish");
    }

    async fn download(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.gateway))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("download answers")
    }
}

fn job_id(answer: &Value) -> String {
    answer["data"]["exportIssues"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no job: {answer}"))
        .to_owned()
}

fn config(dir: &std::path::Path, workers: usize) -> Config {
    Config {
        export_workers: workers,
        ..identity_config(dir)
    }
}

#[tokio::test]
async fn an_export_job_runs_to_a_pdf_only_its_owner_can_see() {
    let site = spawn_site(SimConfig::default()).await;
    let dir = tempfile::tempdir().expect("dir");
    let gateway = spawn_gateway(config(dir.path(), 2)).await;
    let alice = login(&gateway, site.base_url(), "alice@demo.test", "alice-token").await;
    let viewer = login(
        &gateway,
        site.base_url(),
        "viewer@demo.test",
        "viewer-token",
    )
    .await;

    let created = alice
        .export("project = DEMO AND key <= DEMO-20", "Sprint / \"Отчёт\"")
        .await;
    assert!(created["errors"].is_null(), "{created}");
    let id = job_id(&created);
    assert!(
        matches!(
            created["data"]["exportIssues"]["status"].as_str(),
            Some("QUEUED" | "RUNNING")
        ),
        "{created}"
    );

    let job = alice.wait_finished(&id).await;
    assert_eq!(job["status"], "SUCCEEDED", "{job}");
    assert!(job["pages"].as_i64().unwrap_or(0) >= 1, "{job}");
    assert!(job["bytes"].as_i64().unwrap_or(0) > 1000, "{job}");
    assert!(job["finishedAt"].is_string(), "{job}");
    let total = job["progress"]["total"].as_i64().unwrap_or(0);
    assert!(total >= 1, "{job}");
    assert_eq!(job["progress"]["done"].as_i64(), Some(total), "{job}");
    let url = job["downloadUrl"]
        .as_str()
        .expect("download URL")
        .to_owned();
    assert_eq!(url, format!("/exports/{id}"));

    let listed = alice
        .graphql("{ exportJobs { id status } }", Value::Null)
        .await;
    assert_eq!(
        listed["data"]["exportJobs"][0]["id"],
        id.as_str(),
        "{listed}"
    );

    let response = alice.download(&url).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"].to_str().expect("ascii"),
        "application/pdf"
    );
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"Sprint  _____.pdf\""),
        "{disposition}"
    );
    assert!(
        disposition.contains("filename*=UTF-8''Sprint%20%20%D0%9E"),
        "{disposition}"
    );
    let bytes = response.bytes().await.expect("body");
    assert!(bytes.starts_with(b"%PDF"), "a PDF");
    // Browsers authenticate with the access cookie instead.
    let by_cookie = alice
        .http
        .get(format!("{gateway}{url}"))
        .header("cookie", format!("jg_access={}", alice.token))
        .send()
        .await
        .expect("answer");
    assert_eq!(by_cookie.status(), 200);
    let text = pdf_text(&bytes);
    for key in ["DEMO-1", "DEMO-2", "DEMO-20"] {
        assert!(text.contains(key), "{key} missing from the PDF");
    }

    // Someone else: no data, no PDF, no cancelling.
    let theirs = viewer.job(&id).await;
    assert!(theirs.is_null(), "{theirs}");
    let listed = viewer.graphql("{ exportJobs { id } }", Value::Null).await;
    assert_eq!(listed["data"]["exportJobs"], json!([]), "{listed}");
    let cancel = viewer
        .graphql(
            "mutation($id: ID!) { cancelExport(id: $id) { status } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_codes(&cancel), ["NOT_FOUND"], "{cancel}");
    assert_eq!(viewer.download(&url).await.status(), 404);
    let anonymous = reqwest::get(format!("{gateway}{url}"))
        .await
        .expect("answer");
    assert_eq!(anonymous.status(), 401);
    assert_eq!(alice.download("/exports/nope").await.status(), 404);
}

#[tokio::test]
async fn jobs_are_limited_per_user_cancellable_and_survive_a_restart() {
    let site = spawn_site(SimConfig::default()).await;
    let dir = tempfile::tempdir().expect("dir");
    // Gateway A runs no jobs: everything it queues stays queued.
    let a = spawn_gateway(config(dir.path(), 0)).await;
    let alice = login(&a, site.base_url(), "alice@demo.test", "alice-token").await;

    let jql = "project = DEMO AND key <= DEMO-3";
    let first = job_id(&alice.export(jql, "first").await);
    let second = job_id(&alice.export(jql, "second").await);
    let third = job_id(&alice.export(jql, "third").await);
    let refused = alice.export(jql, "fourth").await;
    assert_eq!(error_codes(&refused), ["BAD_USER_INPUT"], "{refused}");

    let pending = alice.download(&format!("/exports/{first}")).await;
    assert_eq!(pending.status(), 409);

    let cancelled = alice
        .graphql(
            "mutation($id: ID!) { cancelExport(id: $id) { id status downloadUrl } }",
            json!({ "id": third }),
        )
        .await;
    assert_eq!(
        cancelled["data"]["cancelExport"]["status"], "CANCELLED",
        "{cancelled}"
    );
    assert!(cancelled["data"]["cancelExport"]["downloadUrl"].is_null());
    // A slot is free again.
    let fourth = alice.export(jql, "fourth").await;
    assert!(fourth["errors"].is_null(), "{fourth}");
    let fourth = job_id(&fourth);

    // A worker claimed `first` a minute ago and died: its lease has lapsed.
    let store = jira_gateway::store::Store::sqlite_file(&dir.path().join("gateway.db"))
        .await
        .expect("store");
    let claimed = store
        .claim_next_export(jira_gateway::store::now() - 60, 30)
        .await
        .expect("claim");
    assert_eq!(claimed.map(|j| j.id), Some(first.clone()));
    assert_eq!(alice.job(&first).await["status"], "RUNNING");

    // Gateway B on the same database and keys picks up the queue and the abandoned job.
    let b = spawn_gateway(config(dir.path(), 1)).await;
    let alice_b = alice.on(&b);
    for id in [&first, &second, &fourth] {
        let job = alice_b.wait_finished(id).await;
        assert_eq!(job["status"], "SUCCEEDED", "{job}");
    }
    assert_eq!(alice_b.job(&third).await["status"], "CANCELLED");
    let response = alice_b.download(&format!("/exports/{first}")).await;
    assert_eq!(response.status(), 200);
    let bytes = response.bytes().await.expect("body");
    assert!(pdf_text(&bytes).contains("DEMO-3"));
}

#[tokio::test]
async fn bad_export_requests_and_the_service_account_are_refused() {
    let site = spawn_site(SimConfig::default()).await;
    let token = api_token(&site, "admin@demo.test");
    let dir = tempfile::tempdir().expect("dir");
    let gateway = spawn_gateway(Config {
        jira_base_url: Some(site.base_url().to_string()),
        jira_email: Some("admin@demo.test".into()),
        jira_api_token: Some(secrecy::SecretString::from(token)),
        ..config(dir.path(), 0)
    })
    .await;
    let http = reqwest::Client::new();
    let answer: Value = http
        .post(format!("{gateway}/graphql"))
        .json(&json!({ "query": "mutation { exportIssues(keys: [\"DEMO-1\"]) { id } }" }))
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("JSON");
    assert_eq!(error_codes(&answer), ["FORBIDDEN"], "{answer}");
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("log in")),
        "{answer}"
    );

    let alice = login(&gateway, site.base_url(), "alice@demo.test", "alice-token").await;
    for query in [
        "mutation { exportIssues { id } }",
        "mutation { exportIssues(keys: [\"DEMO-1\"], options: { accentColor: \"red\" }) { id } }",
        "mutation { exportIssues(keys: [\"DEMO-1\"], options: { locale: \"??\" }) { id } }",
    ] {
        let answer = alice.graphql(query, Value::Null).await;
        assert_eq!(
            error_codes(&answer),
            ["BAD_USER_INPUT"],
            "{query}: {answer}"
        );
    }
    let answer = alice
        .graphql(
            "mutation { exportIssues(keys: [\"DEMO-1\"], site: \"https://elsewhere.example\") { id } }",
            Value::Null,
        )
        .await;
    assert_eq!(error_codes(&answer), ["FORBIDDEN"], "{answer}");
}
