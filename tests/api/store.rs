//! The store suite: the same tests on SQLite (always) and on PostgreSQL when
//! `TEST_DATABASE_URL` is set (`.ci/run` sets it and requires it with `REQUIRE_POSTGRES=1`).

use jira_gateway::store::{
    AuthKind, ExportInsert, JobStatus, NewConnection, NewExport, Rotation, SelectionAdd, Store, now,
};

/// A fresh SQLite file per call, plus a fresh PostgreSQL database when configured.
async fn stores() -> Vec<(&'static str, Store, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = Store::sqlite_file(&dir.path().join("gateway.db"))
        .await
        .expect("sqlite store");
    let mut out = vec![("sqlite", sqlite, Some(dir))];
    #[expect(
        clippy::disallowed_methods,
        reason = "tests read their own service locations"
    )]
    let postgres = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty());
    #[expect(
        clippy::disallowed_methods,
        reason = "tests read their own service locations"
    )]
    let required = std::env::var("REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    match postgres {
        Some(url) => out.push(("postgres", fresh_postgres(&url).await, None)),
        None if required => panic!("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set"),
        None => {
            // Straight to stderr: the test harness would swallow `println!` from a passing test.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "store suite: PostgreSQL SKIPPED (set TEST_DATABASE_URL=postgres://... to run it; .ci/run does)"
            );
        }
    }
    out
}

/// Creates a new database on the server of `url`, so tests never share state.
async fn fresh_postgres(url: &str) -> Store {
    use sqlx::Connection;
    let name = format!("jg_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(url)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at TEST_DATABASE_URL is not reachable: {e}"));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("create database");
    let (base, _) = url
        .rsplit_once('/')
        .expect("a database path in TEST_DATABASE_URL");
    Store::connect(&format!("{base}/{name}"))
        .await
        .expect("postgres store")
}

#[tokio::test]
async fn users_are_one_per_atlassian_account_and_keep_the_latest_name() {
    for (backend, store, _dir) in stores().await {
        let first = store.upsert_user("acc-1", "Ada").await.expect(backend);
        let again = store
            .upsert_user("acc-1", "Ada Lovelace")
            .await
            .expect(backend);
        assert_eq!(first.id, again.id, "{backend}");
        assert_eq!(again.display_name, "Ada Lovelace", "{backend}");
        assert_eq!(
            store.get_user(&first.id).await.expect(backend),
            Some(again),
            "{backend}"
        );
        assert_eq!(
            store.get_user("nobody").await.expect(backend),
            None,
            "{backend}"
        );
    }
}

#[tokio::test]
async fn connections_are_per_site_and_credential_updates_are_compare_and_swap() {
    for (backend, store, _dir) in stores().await {
        let user = store.upsert_user("acc-2", "Bob").await.expect(backend);
        let new = |site: &'static str, sealed: &'static str| NewConnection {
            user_id: Box::leak(user.id.clone().into_boxed_str()),
            site_url: site,
            site_name: "site",
            cloud_id: Some("cloud"),
            auth_kind: AuthKind::OAuth,
            sealed_credentials: sealed,
        };
        let a = store
            .upsert_connection(&new("https://a.example", "sealed-1"))
            .await
            .expect(backend);
        let b = store
            .upsert_connection(&new("https://b.example", "sealed-2"))
            .await
            .expect(backend);
        let listed = store.list_connections(&user.id).await.expect(backend);
        assert_eq!(
            listed
                .iter()
                .map(|c| c.site_url.as_str())
                .collect::<Vec<_>>(),
            ["https://a.example", "https://b.example"],
            "{backend}"
        );
        assert_eq!(a.auth_kind, AuthKind::OAuth);
        // Two refreshes raced from the same version: exactly one is stored.
        assert!(
            store
                .update_credentials(&a.id, a.credentials_version, "sealed-3")
                .await
                .expect(backend),
            "{backend}"
        );
        assert!(
            !store
                .update_credentials(&a.id, a.credentials_version, "sealed-4")
                .await
                .expect(backend),
            "{backend}"
        );
        let stored = store
            .get_connection(&a.id)
            .await
            .expect(backend)
            .expect("exists");
        assert_eq!(stored.sealed_credentials, "sealed-3", "{backend}");
        store.mark_reconnect(&b.id).await.expect(backend);
        assert!(
            store
                .get_connection(&b.id)
                .await
                .expect(backend)
                .expect("exists")
                .needs_reconnect,
            "{backend}"
        );
        // A new login to the same site replaces the credentials and clears the flag.
        let b2 = store
            .upsert_connection(&new("https://b.example", "sealed-5"))
            .await
            .expect(backend);
        assert_eq!(b2.id, b.id, "{backend}");
        assert!(
            !b2.needs_reconnect && b2.credentials_version > b.credentials_version,
            "{backend}"
        );
    }
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_revokes_its_family() {
    for (backend, store, _dir) in stores().await {
        let user = store.upsert_user("acc-3", "Cy").await.expect(backend);
        let later = now() + 3600;
        store
            .create_session(&user.id, "h1", later)
            .await
            .expect(backend);
        assert_eq!(
            store
                .rotate_session("h1", "h2", later)
                .await
                .expect(backend),
            Rotation::Rotated {
                user_id: user.id.clone()
            },
            "{backend}"
        );
        assert_eq!(
            store
                .rotate_session("h2", "h3", later)
                .await
                .expect(backend),
            Rotation::Rotated {
                user_id: user.id.clone()
            },
            "{backend}"
        );
        // h1 was spent: replaying it revokes h3 too.
        assert_eq!(
            store
                .rotate_session("h1", "h4", later)
                .await
                .expect(backend),
            Rotation::Reused,
            "{backend}"
        );
        assert_eq!(
            store
                .rotate_session("h3", "h5", later)
                .await
                .expect(backend),
            Rotation::Reused,
            "{backend}"
        );
        assert_eq!(
            store
                .rotate_session("nope", "h6", later)
                .await
                .expect(backend),
            Rotation::Unknown,
            "{backend}"
        );
        store
            .create_session(&user.id, "x1", now() - 1)
            .await
            .expect(backend);
        assert_eq!(
            store
                .rotate_session("x1", "x2", later)
                .await
                .expect(backend),
            Rotation::Unknown,
            "expired, {backend}"
        );
    }
}

#[tokio::test]
async fn concurrent_rotations_of_one_token_have_exactly_one_winner() {
    for (backend, store, _dir) in stores().await {
        let user = store.upsert_user("acc-4", "Di").await.expect(backend);
        store
            .create_session(&user.id, "root", now() + 3600)
            .await
            .expect(backend);
        let attempts = (0..8).map(|n| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .rotate_session("root", &format!("next-{n}"), now() + 3600)
                    .await
            })
        });
        let mut rotated = 0;
        for attempt in attempts {
            if let Ok(Ok(Rotation::Rotated { .. })) = attempt.await {
                rotated += 1;
            }
        }
        assert_eq!(rotated, 1, "{backend}");
    }
}

#[tokio::test]
async fn logout_revokes_the_session_family() {
    for (backend, store, _dir) in stores().await {
        let user = store.upsert_user("acc-5", "Ed").await.expect(backend);
        store
            .create_session(&user.id, "l1", now() + 3600)
            .await
            .expect(backend);
        assert!(store.revoke_session("l1").await.expect(backend));
        assert_eq!(
            store
                .rotate_session("l1", "l2", now() + 3600)
                .await
                .expect(backend),
            Rotation::Reused,
            "{backend}"
        );
        assert!(!store.revoke_session("unknown").await.expect(backend));
    }
}

#[tokio::test]
async fn oauth_states_are_single_use_and_expire() {
    for (backend, store, _dir) in stores().await {
        store
            .insert_oauth_state("s1", "browser", now() + 600)
            .await
            .expect(backend);
        assert_eq!(
            store
                .take_oauth_state("s1")
                .await
                .expect(backend)
                .as_deref(),
            Some("browser"),
            "{backend}"
        );
        assert_eq!(
            store.take_oauth_state("s1").await.expect(backend),
            None,
            "{backend}"
        );
        store
            .insert_oauth_state("s2", "browser", now() - 1)
            .await
            .expect(backend);
        assert_eq!(
            store.take_oauth_state("s2").await.expect(backend),
            None,
            "{backend}"
        );
    }
}

#[tokio::test]
async fn a_restart_keeps_users_connections_and_sessions() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("gateway.db");
    let user = {
        let store = Store::sqlite_file(&path).await.expect("first start");
        let user = store.upsert_user("acc-6", "Flo").await.expect("user");
        store
            .upsert_connection(&NewConnection {
                user_id: &user.id,
                site_url: "https://a.example",
                site_name: "a",
                cloud_id: None,
                auth_kind: AuthKind::ApiToken,
                sealed_credentials: "sealed",
            })
            .await
            .expect("connection");
        store
            .create_session(&user.id, "r1", now() + 3600)
            .await
            .expect("session");
        store.pool().close().await;
        user
    };
    // Migrations run again on the existing file without harm.
    let store = Store::sqlite_file(&path).await.expect("second start");
    assert_eq!(
        store.get_user(&user.id).await.expect("user"),
        Some(user.clone())
    );
    assert_eq!(
        store
            .list_connections(&user.id)
            .await
            .expect("connections")
            .len(),
        1
    );
    assert!(matches!(
        store
            .rotate_session("r1", "r2", now() + 3600)
            .await
            .expect("rotate"),
        Rotation::Rotated { .. }
    ));
}

#[tokio::test]
async fn export_jobs_are_owned_claimed_once_and_reclaimed_after_a_lapsed_lease() {
    for (backend, store, _dir) in stores().await {
        let owner = store.upsert_user("acc-7", "Gus").await.expect(backend);
        let other = store.upsert_user("acc-8", "Hal").await.expect(backend);
        let new = |request: &'static str| NewExport {
            user_id: &owner.id,
            site_url: "https://a.example",
            request,
        };
        let first = store.insert_export(&new("{\"n\":1}")).await.expect(backend);
        let second = store.insert_export(&new("{\"n\":2}")).await.expect(backend);
        assert_eq!(first.status, JobStatus::Queued, "{backend}");
        assert_eq!(
            store.count_active_exports(&owner.id).await.expect(backend),
            2,
            "{backend}"
        );
        // Owner only.
        assert!(
            store
                .get_export(&first.id, &other.id)
                .await
                .expect(backend)
                .is_none(),
            "{backend}"
        );
        assert!(
            store
                .cancel_export(&first.id, &other.id)
                .await
                .expect(backend)
                .is_none(),
            "{backend}"
        );
        assert!(
            store
                .list_exports(&other.id, 10)
                .await
                .expect(backend)
                .is_empty()
        );
        let listed = store.list_exports(&owner.id, 10).await.expect(backend);
        let ids: Vec<&str> = listed.iter().map(|j| j.id.as_str()).collect();
        assert_eq!(
            ids,
            [second.id.as_str(), first.id.as_str()],
            "newest first: {backend}"
        );

        // Claims: oldest first, each job once, until the lease lapses.
        let t = now();
        let claimed = store.claim_next_export(t, 30).await.expect(backend);
        assert_eq!(
            claimed.as_ref().map(|j| j.id.as_str()),
            Some(first.id.as_str()),
            "{backend}"
        );
        let claimed = store.claim_next_export(t, 30).await.expect(backend);
        assert_eq!(
            claimed.as_ref().map(|j| j.id.as_str()),
            Some(second.id.as_str()),
            "{backend}"
        );
        assert!(
            store
                .claim_next_export(t, 30)
                .await
                .expect(backend)
                .is_none(),
            "{backend}"
        );
        // The worker of `first` died: after its lease, another one takes it over.
        let again = store.claim_next_export(t + 31, 30).await.expect(backend);
        assert_eq!(
            again.as_ref().map(|j| j.id.as_str()),
            Some(first.id.as_str()),
            "{backend}"
        );
        assert!(
            store
                .update_export_progress(&second.id, 3, 10, t + 100)
                .await
                .expect(backend),
            "{backend}"
        );
        // `second` renewed its lease: not claimable at t + 31.
        assert!(
            store
                .claim_next_export(t + 31, 30)
                .await
                .expect(backend)
                .is_none(),
            "{backend}"
        );

        assert!(
            store
                .finish_export_succeeded(&first.id, "JVBERi0=", 2, 5)
                .await
                .expect(backend),
            "{backend}"
        );
        let (job, pdf) = store
            .export_pdf(&first.id, &owner.id)
            .await
            .expect(backend)
            .expect("own job");
        assert_eq!(job.status, JobStatus::Succeeded, "{backend}");
        assert_eq!((job.pages, job.bytes), (Some(2), Some(5)), "{backend}");
        assert_eq!(pdf.as_deref(), Some("JVBERi0="), "{backend}");
        assert!(
            store
                .export_pdf(&first.id, &other.id)
                .await
                .expect(backend)
                .is_none()
        );

        // Cancelling a running job: the worker's later writes change nothing.
        let cancelled = store
            .cancel_export(&second.id, &owner.id)
            .await
            .expect(backend)
            .expect("own job");
        assert_eq!(cancelled.status, JobStatus::Cancelled, "{backend}");
        assert!(
            !store
                .update_export_progress(&second.id, 4, 10, t + 200)
                .await
                .expect(backend),
            "{backend}"
        );
        assert!(
            !store
                .finish_export_failed(&second.id, "x")
                .await
                .expect(backend)
        );
        assert_eq!(
            store.count_active_exports(&owner.id).await.expect(backend),
            0,
            "{backend}"
        );

        // Retention removes finished jobs only.
        let third = store.insert_export(&new("{}")).await.expect(backend);
        assert_eq!(
            store
                .delete_finished_exports(now() + 10)
                .await
                .expect(backend),
            2,
            "{backend}"
        );
        let left = store.list_exports(&owner.id, 10).await.expect(backend);
        assert_eq!(left.len(), 1, "{backend}");
        assert_eq!(left[0].id, third.id, "{backend}");
    }
}

#[tokio::test]
async fn concurrent_claims_of_one_export_job_have_exactly_one_winner() {
    for (backend, store, _dir) in stores().await {
        let owner = store.upsert_user("acc-9", "Ida").await.expect(backend);
        store
            .insert_export(&NewExport {
                user_id: &owner.id,
                site_url: "https://a.example",
                request: "{}",
            })
            .await
            .expect(backend);
        let t = now();
        let claims =
            futures_util::future::join_all((0..4).map(|_| store.claim_next_export(t, 30))).await;
        let won = claims
            .into_iter()
            .filter(|c| matches!(c, Ok(Some(_))))
            .count();
        assert_eq!(won, 1, "{backend}");
    }
}

fn keys(list: &[&str]) -> Vec<String> {
    list.iter().map(|k| (*k).to_owned()).collect()
}

async fn selected(store: &Store, user_id: &str, site: &str) -> Vec<String> {
    store
        .list_selection(user_id, site)
        .await
        .expect("list selection")
        .into_iter()
        .map(|s| s.key)
        .collect()
}

#[tokio::test]
async fn a_selection_keeps_its_order_ignores_repeats_and_is_per_user_and_site() {
    const A: &str = "https://a.example";
    const B: &str = "https://b.example";
    for (backend, store, _dir) in stores().await {
        let ada = store.upsert_user("acc-s1", "Ada").await.expect(backend);
        let bob = store.upsert_user("acc-s2", "Bob").await.expect(backend);
        let added = store
            .add_to_selection(&ada.id, A, &keys(&["DEMO-3", "DEMO-1", "DEMO-3"]), 10)
            .await
            .expect(backend);
        assert_eq!(added, SelectionAdd::Added { added: 2 }, "{backend}");
        // Already selected keys keep their place; new ones go last, in the given order.
        let added = store
            .add_to_selection(&ada.id, A, &keys(&["OPS-2", "DEMO-1", "DEMO-10"]), 10)
            .await
            .expect(backend);
        assert_eq!(added, SelectionAdd::Added { added: 2 }, "{backend}");
        assert_eq!(
            selected(&store, &ada.id, A).await,
            ["DEMO-3", "DEMO-1", "OPS-2", "DEMO-10"],
            "{backend}"
        );
        let positions: Vec<i64> = store
            .list_selection(&ada.id, A)
            .await
            .expect(backend)
            .iter()
            .map(|s| s.position)
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");

        // Another site and another user have their own selections.
        store
            .add_to_selection(&ada.id, B, &keys(&["X-1"]), 10)
            .await
            .expect(backend);
        store
            .add_to_selection(&bob.id, A, &keys(&["DEMO-2"]), 10)
            .await
            .expect(backend);
        assert_eq!(selected(&store, &ada.id, B).await, ["X-1"], "{backend}");
        assert_eq!(selected(&store, &bob.id, A).await, ["DEMO-2"], "{backend}");
        assert_eq!(store.count_selection(&ada.id, A).await.expect(backend), 4);

        let removed = store
            .remove_from_selection(&ada.id, A, &keys(&["DEMO-1", "NOPE-1", "DEMO-2"]))
            .await
            .expect(backend);
        assert_eq!(removed, 1, "only Ada's DEMO-1 on A: {backend}");
        assert_eq!(
            selected(&store, &ada.id, A).await,
            ["DEMO-3", "OPS-2", "DEMO-10"],
            "{backend}"
        );
        assert_eq!(selected(&store, &bob.id, A).await, ["DEMO-2"], "{backend}");

        // A key removed and added again goes to the end.
        store
            .add_to_selection(&ada.id, A, &keys(&["DEMO-1"]), 10)
            .await
            .expect(backend);
        assert_eq!(
            selected(&store, &ada.id, A).await,
            ["DEMO-3", "OPS-2", "DEMO-10", "DEMO-1"],
            "{backend}"
        );

        assert_eq!(store.clear_selection(&ada.id, A).await.expect(backend), 4);
        assert!(selected(&store, &ada.id, A).await.is_empty(), "{backend}");
        assert_eq!(store.count_selection(&ada.id, A).await.expect(backend), 0);
        assert_eq!(selected(&store, &ada.id, B).await, ["X-1"], "{backend}");

        // Deleting a user deletes their selections.
        sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(&bob.id)
            .execute(store.pool())
            .await
            .expect(backend);
        assert_eq!(store.count_selection(&bob.id, A).await.expect(backend), 0);
    }
}

#[tokio::test]
async fn adding_past_the_selection_cap_stores_nothing() {
    const SITE: &str = "https://a.example";
    for (backend, store, _dir) in stores().await {
        let ada = store.upsert_user("acc-s3", "Ada").await.expect(backend);
        store
            .add_to_selection(&ada.id, SITE, &keys(&["K-1", "K-2", "K-3"]), 5)
            .await
            .expect(backend);
        let refused = store
            .add_to_selection(&ada.id, SITE, &keys(&["K-3", "K-4", "K-5", "K-6"]), 5)
            .await
            .expect(backend);
        assert_eq!(
            refused,
            SelectionAdd::OverCap {
                selected: 3,
                adding: 3
            },
            "{backend}"
        );
        assert_eq!(
            selected(&store, &ada.id, SITE).await,
            ["K-1", "K-2", "K-3"],
            "{backend}"
        );
        // Exactly up to the cap is fine; keys already there do not count twice.
        let filled = store
            .add_to_selection(&ada.id, SITE, &keys(&["K-1", "K-4", "K-5"]), 5)
            .await
            .expect(backend);
        assert_eq!(filled, SelectionAdd::Added { added: 2 }, "{backend}");
        assert_eq!(
            store.count_selection(&ada.id, SITE).await.expect(backend),
            5
        );

        // More than one insert chunk in one add.
        let many: Vec<String> = (1..=250).map(|n| format!("M-{n}")).collect();
        let big = store
            .add_to_selection(&ada.id, "https://b.example", &many, 1000)
            .await
            .expect(backend);
        assert_eq!(big, SelectionAdd::Added { added: 250 }, "{backend}");
        assert_eq!(
            selected(&store, &ada.id, "https://b.example").await,
            many,
            "{backend}"
        );
    }
}

#[tokio::test]
async fn concurrent_adds_cannot_pass_the_selection_cap() {
    const SITE: &str = "https://a.example";
    for (backend, store, _dir) in stores().await {
        let ada = store.upsert_user("acc-s4", "Ada").await.expect(backend);
        let batches: Vec<Vec<String>> = (0..4)
            .map(|b| (0..4).map(|i| format!("C{b}-{i}")).collect())
            .collect();
        // Four adds of four new keys race for a cap of ten: two fit, two are refused whole.
        let outcomes = futures_util::future::join_all(
            batches
                .iter()
                .map(|batch| store.add_to_selection(&ada.id, SITE, batch, 10)),
        )
        .await;
        let added = outcomes
            .iter()
            .filter(|o| matches!(o, Ok(SelectionAdd::Added { added: 4 })))
            .count();
        let refused = outcomes
            .iter()
            .filter(|o| matches!(o, Ok(SelectionAdd::OverCap { .. })))
            .count();
        assert_eq!((added, refused), (2, 2), "{backend}: {outcomes:?}");
        assert_eq!(
            store.count_selection(&ada.id, SITE).await.expect(backend),
            8
        );
    }
}

#[tokio::test]
async fn concurrent_export_requests_cannot_pass_the_per_user_limit() {
    for (backend, store, _dir) in stores().await {
        let owner = store.upsert_user("acc-e9", "Ivy").await.expect(backend);
        let new = NewExport {
            user_id: &owner.id,
            site_url: "https://a.example",
            request: "{}",
        };
        // Eight requests race for a limit of three active jobs: three are queued.
        let outcomes =
            futures_util::future::join_all((0..8).map(|_| store.insert_export_within(&new, 3)))
                .await;
        let queued = outcomes
            .iter()
            .filter(|o| matches!(o, Ok(ExportInsert::Queued(_))))
            .count();
        let refused = outcomes
            .iter()
            .filter(|o| matches!(o, Ok(ExportInsert::AtLimit { active: 3 })))
            .count();
        assert_eq!((queued, refused), (3, 5), "{backend}: {outcomes:?}");
        assert_eq!(
            store.count_active_exports(&owner.id).await.expect(backend),
            3,
            "{backend}"
        );
    }
}
