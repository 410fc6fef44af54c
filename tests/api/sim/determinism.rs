//! The dataset is a function of the seed, and large sites start and answer.

use jira_gateway::sim::SimConfig;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{ADMIN, Sim, ids};

async fn first_page(sim: &Sim) -> Vec<(String, String)> {
    let answer = sim.post(ADMIN, "/search/jql", &json!({ "jql": "project = DEMO ORDER BY key ASC", "maxResults": 100, "fields": ["summary"] })).await;
    assert_eq!(answer.status, StatusCode::OK);
    answer.body["issues"]
        .as_array()
        .expect("issues")
        .iter()
        .map(|i| {
            (
                i["key"].as_str().expect("key").to_string(),
                i["fields"]["summary"]
                    .as_str()
                    .expect("summary")
                    .to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn two_sites_with_the_same_seed_have_the_same_issues() {
    let a = Sim::with(SimConfig {
        seed: 7,
        issues: 200,
        ..SimConfig::default()
    })
    .await;
    let b = Sim::with(SimConfig {
        seed: 7,
        issues: 200,
        ..SimConfig::default()
    })
    .await;

    let (page_a, page_b) = (first_page(&a).await, first_page(&b).await);

    assert_eq!(page_a.len(), 100);
    assert_eq!(page_a, page_b);
    assert_eq!(a.site.cloud_id(), b.site.cloud_id());
}

#[tokio::test]
async fn a_different_seed_gives_different_issues() {
    let a = Sim::with(SimConfig {
        seed: 7,
        issues: 200,
        ..SimConfig::default()
    })
    .await;
    let b = Sim::with(SimConfig {
        seed: 8,
        issues: 200,
        ..SimConfig::default()
    })
    .await;

    let (page_a, page_b) = (first_page(&a).await, first_page(&b).await);

    let summaries_a: Vec<&String> = page_a.iter().map(|(_, s)| s).collect();
    let summaries_b: Vec<&String> = page_b.iter().map(|(_, s)| s).collect();
    assert_ne!(summaries_a, summaries_b);
    assert_ne!(a.site.cloud_id(), b.site.cloud_id());
}

#[tokio::test]
async fn a_site_with_100_000_issues_starts_and_answers() {
    // Arrange
    let started = std::time::Instant::now();
    let sim = Sim::with(SimConfig {
        issues: 100_000,
        ..SimConfig::default()
    })
    .await;
    eprintln!("100,000 issues generated in {:?}", started.elapsed());
    let (last_key, last_id, some_keys) = {
        let data = sim.site.state.data.read();
        assert_eq!(data.issues.len(), 100_000);
        let last = data.issues.values().next_back().expect("issues");
        let keys: Vec<(u64, String)> = data
            .issues
            .values()
            .step_by(997)
            .take(100)
            .map(|i| (i.id, i.key.clone()))
            .collect();
        (last.key.clone(), last.id, keys)
    };

    // Act
    let one = sim
        .get(ADMIN, &format!("/issue/{last_key}?fields=summary"))
        .await;
    let request: Vec<Value> = some_keys.iter().rev().map(|(_, k)| json!(k)).collect();
    let bulk = sim
        .post(
            ADMIN,
            "/issue/bulkfetch",
            &json!({ "issueIdsOrKeys": request, "fields": ["summary"] }),
        )
        .await;

    // Assert
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(one.body["id"], last_id.to_string());
    assert_eq!(bulk.status, StatusCode::OK);
    assert_eq!(
        ids(&bulk.body),
        some_keys.iter().map(|(id, _)| *id).collect::<Vec<_>>()
    );
}
