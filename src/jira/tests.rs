//! HTTP behaviour of `JiraClient` against a scripted axum stub on 127.0.0.1:0: retries,
//! backoff, the shared budget, status mapping and request shapes.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use parking_lot::Mutex;
use serde_json::json;
use tokio::time::Instant;
use url::Url;

use super::models::{BulkFetchRequest, IssueUpdate, SearchRequest};
use super::*;

/// One scripted answer.
#[derive(Debug, Clone)]
struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
    delay: Duration,
}

impl Reply {
    fn json(status: u16, body: serde_json::Value) -> Self {
        Self {
            status,
            headers: vec![("content-type", "application/json".into())],
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }

    fn empty(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: String::new(),
            delay: Duration::ZERO,
        }
    }

    fn too_many(retry_after: Option<&str>) -> Self {
        let mut reply = Self::json(429, json!({"errorMessages": ["Rate limit exceeded."]}));
        if let Some(seconds) = retry_after {
            reply.headers.push(("retry-after", seconds.into()));
        }
        reply
            .headers
            .push(("ratelimit-reason", "jira-burst-based".into()));
        reply
    }

    fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

/// What the stub received.
#[derive(Debug, Clone)]
struct Received {
    method: Method,
    path: String,
    query: Option<String>,
    authorization: Option<String>,
    content_type: Option<String>,
    body: Bytes,
    at: Instant,
}

impl Received {
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }
}

#[derive(Default)]
struct StubState {
    script: Mutex<VecDeque<Reply>>,
    last: Mutex<Option<Reply>>,
    received: Mutex<Vec<Received>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

/// A Jira stand-in answering from a script; the last reply repeats once the script runs out.
struct Stub {
    base: Url,
    state: Arc<StubState>,
}

impl Stub {
    async fn start(script: Vec<Reply>) -> Self {
        let state = Arc::new(StubState {
            script: Mutex::new(script.into()),
            ..StubState::default()
        });
        let app = Router::new()
            .fallback(answer)
            .with_state(Arc::clone(&state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind stub");
        let addr = listener.local_addr().expect("stub address");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            base: Url::parse(&format!("http://{addr}")).expect("stub url"),
            state,
        }
    }

    fn count(&self) -> usize {
        self.state.received.lock().len()
    }

    fn received(&self) -> Vec<Received> {
        self.state.received.lock().clone()
    }

    fn max_in_flight(&self) -> usize {
        self.state.max_in_flight.load(Ordering::SeqCst)
    }
}

async fn answer(
    State(state): State<Arc<StubState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    state.received.lock().push(Received {
        method,
        path: uri.path().to_owned(),
        query: uri.query().map(str::to_owned),
        authorization: header("authorization"),
        content_type: header("content-type"),
        body,
        at: Instant::now(),
    });
    let now = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    state.max_in_flight.fetch_max(now, Ordering::SeqCst);

    let next = state.script.lock().pop_front();
    let reply = match next {
        Some(reply) => {
            *state.last.lock() = Some(reply.clone());
            reply
        }
        None => state
            .last
            .lock()
            .clone()
            .unwrap_or_else(|| Reply::empty(500)),
    };
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    state.in_flight.fetch_sub(1, Ordering::SeqCst);

    let mut response_headers = HeaderMap::new();
    for (name, value) in &reply.headers {
        response_headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_str(value).expect("header value"),
        );
    }
    let status = StatusCode::from_u16(reply.status).expect("status");
    (status, response_headers, reply.body).into_response()
}

fn fast_config() -> ClientConfig {
    ClientConfig {
        timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(1),
        max_retries: 4,
        retry_base_delay: Duration::from_millis(10),
        max_retry_delay: Duration::from_millis(40),
        max_concurrency: 8,
        requests_per_second: 1000,
        burst: 1000,
        max_wait: Duration::from_secs(5),
    }
}

fn client_with(base: &Url, auth: JiraAuth, config: ClientConfig) -> JiraClient {
    let budget = Arc::new(SiteBudget::new(config.budget_limits()));
    let http = config.http_client().expect("http client");
    JiraClient::new(http, base.clone(), auth, config, budget)
}

fn client(stub: &Stub, config: ClientConfig) -> JiraClient {
    client_with(
        &stub.base,
        JiraAuth::basic("ana@example.com", "api-token-123"),
        config,
    )
}

fn issue_json(key: &str) -> serde_json::Value {
    json!({"id": "10001", "key": key, "fields": {"summary": "Hello", "status": {"id": "1", "name": "Open"}}})
}

#[tokio::test]
async fn get_issue_sends_auth_fields_and_expand_and_decodes_the_issue() {
    let stub = Stub::start(vec![Reply::json(200, issue_json("ABC-1"))]).await;
    let jira = client(&stub, fast_config());

    let issue = jira
        .get_issue("ABC-1", &["summary", "status"], &["names"])
        .await
        .expect("issue");

    assert_eq!(issue.key, "ABC-1");
    assert_eq!(issue.fields.summary.as_deref(), Some("Hello"));
    let sent = &stub.received()[0];
    assert_eq!(sent.method, Method::GET);
    assert_eq!(sent.path, "/rest/api/3/issue/ABC-1");
    assert_eq!(
        sent.query.as_deref(),
        Some("fields=summary%2Cstatus&expand=names")
    );
    // base64("ana@example.com:api-token-123")
    assert_eq!(
        sent.authorization.as_deref(),
        Some("Basic YW5hQGV4YW1wbGUuY29tOmFwaS10b2tlbi0xMjM=")
    );
}

#[tokio::test]
async fn get_issue_without_fields_leaves_the_query_empty() {
    let stub = Stub::start(vec![Reply::json(200, issue_json("ABC-1"))]).await;
    client(&stub, fast_config())
        .get_issue("ABC-1", &[], &[])
        .await
        .expect("issue");
    assert_eq!(stub.received()[0].query, None);
}

#[tokio::test]
async fn bearer_client_calls_the_oauth_base_path() {
    let stub = Stub::start(vec![Reply::json(200, json!({"accountId": "acc-1"}))]).await;
    let base = oauth_base(&stub.base, "cloud-123").expect("oauth base");
    let jira = client_with(&base, JiraAuth::bearer("access-xyz"), fast_config());

    let me = jira.myself().await.expect("myself");

    assert_eq!(me.account_id, "acc-1");
    let sent = &stub.received()[0];
    assert_eq!(sent.path, "/ex/jira/cloud-123/rest/api/3/myself");
    assert_eq!(sent.authorization.as_deref(), Some("Bearer access-xyz"));
}

#[tokio::test]
async fn read_is_retried_after_429_with_retry_after_zero_twice_then_succeeds() {
    let stub = Stub::start(vec![
        Reply::too_many(Some("0")),
        Reply::too_many(Some("0")),
        Reply::json(200, issue_json("ABC-1")),
    ])
    .await;

    let issue = client(&stub, fast_config())
        .get_issue("ABC-1", &[], &[])
        .await
        .expect("succeeds on the third attempt");

    assert_eq!(issue.key, "ABC-1");
    assert_eq!(stub.count(), 3);
}

#[tokio::test]
async fn persistent_429_gives_rate_limited_with_reason_after_max_retries() {
    let stub = Stub::start(vec![Reply::too_many(Some("0"))]).await;
    let config = ClientConfig {
        max_retries: 2,
        ..fast_config()
    };

    let err = client(&stub, config)
        .myself()
        .await
        .expect_err("keeps failing");

    assert_eq!(stub.count(), 3, "one attempt plus two retries");
    let JiraError::RateLimited {
        retry_after,
        reason,
    } = err
    else {
        panic!("expected RateLimited, got {err:?}");
    };
    assert_eq!(retry_after, Some(Duration::ZERO));
    assert_eq!(reason.as_deref(), Some("jira-burst-based"));
}

#[tokio::test]
async fn retry_after_longer_than_max_wait_fails_fast_and_pauses_the_site() {
    let stub = Stub::start(vec![Reply::too_many(Some("30"))]).await;
    let config = ClientConfig {
        max_wait: Duration::from_millis(500),
        ..fast_config()
    };
    let jira = client(&stub, config);

    let started = Instant::now();
    let err = jira.myself().await.expect_err("would have to wait 30 s");

    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(stub.count(), 1);
    assert!(
        matches!(err, JiraError::RateLimited { retry_after: Some(d), .. } if d >= Duration::from_secs(30)),
        "{err:?}"
    );
    // Another caller on the same site does not even reach Jira.
    let second = jira
        .get_issue("ABC-1", &[], &[])
        .await
        .expect_err("site is paused");
    assert!(
        matches!(second, JiraError::RateLimited { retry_after: Some(d), .. } if d > Duration::from_secs(25))
    );
    assert_eq!(stub.count(), 1);
    assert!(jira.budget().paused_for().is_some());
}

#[tokio::test]
async fn concurrent_requests_wait_out_a_429_pause_instead_of_all_hitting_jira() {
    let stub = Stub::start(vec![
        Reply::too_many(Some("0.4")),
        Reply::json(200, issue_json("ABC-1")),
    ])
    .await;
    let jira = client(&stub, fast_config());

    // Arrange: the first call meets the 429 and pauses the site.
    let first = tokio::spawn({
        let jira = jira.clone();
        async move { jira.get_issue("ABC-1", &[], &[]).await }
    });
    while stub.count() == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(30)).await;
    let paused_at = Instant::now();

    // Act: five more callers arrive during the pause.
    let others: Vec<_> = (0..5)
        .map(|_| {
            let jira = jira.clone();
            tokio::spawn(async move { jira.get_issue("ABC-1", &[], &[]).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(stub.count(), 1, "nobody may call Jira during the pause");

    // Assert: all succeed after the pause, with one retry for the first.
    first.await.expect("join").expect("first succeeds");
    for other in others {
        other.await.expect("join").expect("succeeds");
    }
    assert_eq!(stub.count(), 7);
    let received = stub.received();
    for later in &received[1..] {
        assert!(
            later.at.duration_since(paused_at) >= Duration::from_millis(300),
            "a request went out during the pause"
        );
    }
}

#[tokio::test]
async fn concurrency_limit_caps_requests_in_flight() {
    let stub = Stub::start(vec![
        Reply::json(200, issue_json("ABC-1")).delayed(Duration::from_millis(60)),
    ])
    .await;
    let config = ClientConfig {
        max_concurrency: 2,
        ..fast_config()
    };
    let jira = client(&stub, config);

    let calls: Vec<_> = (0..6)
        .map(|_| {
            let jira = jira.clone();
            tokio::spawn(async move { jira.get_issue("ABC-1", &[], &[]).await })
        })
        .collect();
    for call in calls {
        call.await.expect("join").expect("ok");
    }

    assert_eq!(stub.count(), 6);
    assert_eq!(stub.max_in_flight(), 2);
}

#[tokio::test]
async fn read_is_retried_on_502_and_503_then_succeeds() {
    let stub = Stub::start(vec![
        Reply::empty(502),
        Reply::empty(503).header("retry-after", "0"),
        Reply::json(200, json!({"accountId": "acc-1"})),
    ])
    .await;

    client(&stub, fast_config()).myself().await.expect("ok");

    assert_eq!(stub.count(), 3);
}

#[tokio::test]
async fn read_only_search_post_is_retried_on_500_and_sends_a_clean_body() {
    let stub = Stub::start(vec![
        Reply::empty(500),
        Reply::json(
            200,
            json!({"issues": [issue_json("ABC-1")], "isLast": true}),
        ),
    ])
    .await;
    let request = SearchRequest::new("project = ABC", &["summary"]);

    let page = client(&stub, fast_config())
        .search_jql(&request)
        .await
        .expect("page");

    assert_eq!(page.issues.len(), 1);
    assert!(page.is_last_page());
    assert_eq!(stub.count(), 2);
    let sent = &stub.received()[1];
    assert_eq!(sent.method, Method::POST);
    assert_eq!(sent.path, "/rest/api/3/search/jql");
    assert_eq!(sent.content_type.as_deref(), Some("application/json"));
    assert_eq!(
        sent.json(),
        json!({"jql": "project = ABC", "fields": ["summary"]})
    );
}

#[tokio::test]
async fn write_is_not_retried_on_500() {
    let stub = Stub::start(vec![
        Reply::empty(500),
        Reply::json(201, json!({"id": "1"})),
    ])
    .await;
    let body = json!({"type": "doc", "version": 1, "content": []});

    let err = client(&stub, fast_config())
        .add_comment("ABC-1", &body)
        .await
        .expect_err("500 on a write is final");

    assert!(
        matches!(err, JiraError::Upstream { status: 500 }),
        "{err:?}"
    );
    assert_eq!(stub.count(), 1);
}

#[tokio::test]
async fn write_is_retried_on_429_because_jira_did_not_process_it() {
    let stub = Stub::start(vec![
        Reply::too_many(Some("0")),
        Reply::json(201, json!({"id": "10050", "body": {"type": "doc"}})),
    ])
    .await;
    let body = json!({"type": "doc", "version": 1, "content": []});

    let comment = client(&stub, fast_config())
        .add_comment("ABC-1", &body)
        .await
        .expect("created on the retry");

    assert_eq!(comment.id, "10050");
    assert_eq!(stub.count(), 2);
    let sent = &stub.received()[1];
    assert_eq!(sent.path, "/rest/api/3/issue/ABC-1/comment");
    assert_eq!(sent.json(), json!({"body": body}));
}

#[tokio::test]
async fn write_is_not_retried_after_a_timeout() {
    let stub = Stub::start(vec![
        Reply::empty(204).delayed(Duration::from_millis(400)),
        Reply::empty(204),
    ])
    .await;
    let config = ClientConfig {
        timeout: Duration::from_millis(100),
        ..fast_config()
    };

    let err = client(&stub, config)
        .do_transition("ABC-1", &IssueUpdate::transition("31"))
        .await
        .expect_err("times out");

    assert!(matches!(err, JiraError::Timeout), "{err:?}");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        stub.count(),
        1,
        "the transition may have happened; never repeat it"
    );
}

#[tokio::test]
async fn read_is_retried_after_a_timeout() {
    let stub = Stub::start(vec![
        Reply::json(200, issue_json("ABC-1")).delayed(Duration::from_millis(400)),
        Reply::json(200, issue_json("ABC-1")),
    ])
    .await;
    let config = ClientConfig {
        timeout: Duration::from_millis(100),
        ..fast_config()
    };

    client(&stub, config)
        .get_issue("ABC-1", &[], &[])
        .await
        .expect("second attempt succeeds");

    assert_eq!(stub.count(), 2);
}

#[tokio::test]
async fn rate_limit_without_retry_after_backs_off_exponentially() {
    let stub = Stub::start(vec![
        Reply::too_many(None),
        Reply::too_many(None),
        Reply::json(200, json!({"accountId": "acc-1"})),
    ])
    .await;
    let config = ClientConfig {
        retry_base_delay: Duration::from_millis(40),
        max_retry_delay: Duration::from_millis(200),
        ..fast_config()
    };

    client(&stub, config).myself().await.expect("ok");

    let received = stub.received();
    let first_gap = received[1].at.duration_since(received[0].at);
    let second_gap = received[2].at.duration_since(received[1].at);
    // 40 ms then 80 ms, each jittered ×[0.7, 1.3].
    assert!(first_gap >= Duration::from_millis(28), "{first_gap:?}");
    assert!(second_gap >= Duration::from_millis(56), "{second_gap:?}");
}

#[tokio::test]
async fn statuses_map_to_jira_errors_with_jiras_messages() {
    let stub = Stub::start(vec![
        Reply::json(
            400,
            json!({"errorMessages": ["Error in the JQL Query"], "errors": {"jql": "bad"}}),
        ),
        Reply::empty(401),
        Reply::json(403, json!({"errorMessages": ["No permission"]})),
        Reply::json(
            404,
            json!({"errorMessages": ["Issue does not exist"], "errors": {}}),
        ),
        Reply::json(
            410,
            json!({"errorMessages": ["The requested API has been removed."], "errors": {}}),
        ),
        Reply::empty(409),
        Reply::empty(413),
    ])
    .await;
    let jira = client(&stub, fast_config());

    let mut errors = Vec::new();
    for _ in 0..7 {
        errors.push(jira.myself().await.expect_err("error status"));
    }

    assert!(
        matches!(&errors[0], JiraError::BadRequest { messages, errors } if messages[0] == "Error in the JQL Query" && errors["jql"] == "bad")
    );
    assert!(matches!(errors[1], JiraError::Unauthorized));
    assert!(
        matches!(&errors[2], JiraError::Forbidden { messages } if messages == &["No permission"])
    );
    assert!(
        matches!(&errors[3], JiraError::NotFound { messages } if messages == &["Issue does not exist"])
    );
    assert!(matches!(&errors[4], JiraError::Gone { message } if message.contains("removed")));
    assert!(matches!(errors[5], JiraError::Conflict));
    assert!(matches!(errors[6], JiraError::PayloadTooLarge));
    assert_eq!(stub.count(), 7, "client errors are never retried");
}

#[tokio::test]
async fn undecodable_success_body_is_a_decode_error() {
    let stub = Stub::start(vec![Reply::json(200, json!("not an issue"))]).await;

    let err = client(&stub, fast_config())
        .get_issue("ABC-1", &[], &[])
        .await
        .expect_err("wrong shape");

    assert!(
        matches!(&err, JiraError::Decode(text) if text.contains("IssueBean")),
        "{err:?}"
    );
}

#[tokio::test]
async fn connection_refused_is_a_transport_error_without_the_url() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let base = Url::parse(&format!("http://{addr}")).expect("url");
    let config = ClientConfig {
        max_retries: 1,
        ..fast_config()
    };
    let jira = client_with(&base, JiraAuth::basic("ana@example.com", "tok"), config);

    let err = jira
        .get_issue("SECRET-1", &["summary"], &[])
        .await
        .expect_err("nothing listens");

    assert!(matches!(err, JiraError::Transport(_)), "{err:?}");
    let text = err.to_string();
    assert!(!text.contains("SECRET-1"), "{text}");
    assert!(!text.contains("rest/api"), "{text}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn edit_issue_returns_none_on_204_and_the_issue_when_asked() {
    let stub = Stub::start(vec![
        Reply::empty(204),
        Reply::json(200, issue_json("ABC-1")),
    ])
    .await;
    let jira = client(&stub, fast_config());
    let update = IssueUpdate::default().with_field("summary", json!("New"));

    assert_eq!(
        jira.edit_issue("ABC-1", &update, false).await.expect("204"),
        None
    );
    let issue = jira.edit_issue("ABC-1", &update, true).await.expect("200");

    assert_eq!(issue.map(|i| i.key), Some("ABC-1".to_owned()));
    let received = stub.received();
    assert_eq!(received[0].method, Method::PUT);
    assert_eq!(received[0].query, None);
    assert_eq!(received[1].query.as_deref(), Some("returnIssue=true"));
    assert_eq!(received[1].json(), json!({"fields": {"summary": "New"}}));
}

#[tokio::test]
async fn attachment_content_asks_for_no_redirect_and_returns_the_bytes() {
    let stub = Stub::start(vec![Reply {
        status: 200,
        headers: vec![("content-type", "application/octet-stream".into())],
        body: "PNG…bytes".into(),
        delay: Duration::ZERO,
    }])
    .await;

    let bytes = client(&stub, fast_config())
        .attachment_content("10000")
        .await
        .expect("bytes");

    assert_eq!(&bytes[..], "PNG…bytes".as_bytes());
    let sent = &stub.received()[0];
    assert_eq!(sent.path, "/rest/api/3/attachment/content/10000");
    assert_eq!(sent.query.as_deref(), Some("redirect=false"));
}

#[tokio::test]
async fn path_segments_are_encoded_and_dot_segments_never_sent() {
    let stub = Stub::start(vec![Reply::json(200, issue_json("x"))]).await;
    let jira = client(&stub, fast_config());

    jira.get_issue("A/B?x=1#f", &[], &[])
        .await
        .expect("sent encoded");
    let err = jira.get_issue("..", &[], &[]).await.expect_err("refused");

    assert_eq!(stub.received()[0].path, "/rest/api/3/issue/A%2FB%3Fx=1%23f");
    assert!(matches!(err, JiraError::BadRequest { .. }));
    assert_eq!(stub.count(), 1);
}

#[tokio::test]
async fn bulk_fetch_checks_its_size_before_calling_jira() {
    let stub = Stub::start(vec![Reply::json(
        200,
        json!({"issues": [], "issueErrors": []}),
    )])
    .await;
    let jira = client(&stub, fast_config());

    let empty = jira
        .bulk_fetch(&BulkFetchRequest::default())
        .await
        .expect("empty");
    let too_many = BulkFetchRequest {
        issue_ids_or_keys: (0..101).map(|i| format!("A-{i}")).collect(),
        ..BulkFetchRequest::default()
    };
    let err = jira.bulk_fetch(&too_many).await.expect_err("over 100");

    assert!(empty.issues.is_empty());
    assert!(matches!(err, JiraError::BadRequest { .. }));
    assert_eq!(stub.count(), 0);
}

#[tokio::test]
async fn users_bulk_repeats_the_account_id_parameter() {
    let stub = Stub::start(vec![Reply::json(
        200,
        json!({"isLast": true, "values": [{"accountId": "a"}, {"accountId": "b"}]}),
    )])
    .await;

    let page = client(&stub, fast_config())
        .users_bulk(&["a".to_owned(), "b".to_owned()])
        .await
        .expect("users");

    assert_eq!(page.values.len(), 2);
    assert_eq!(
        stub.received()[0].query.as_deref(),
        Some("maxResults=2&accountId=a&accountId=b")
    );
}

#[tokio::test]
async fn jql_parse_posts_queries_with_strict_validation() {
    let stub = Stub::start(vec![Reply::json(
        200,
        json!({"queries": [{"query": "x", "errors": ["bad"]}]}),
    )])
    .await;

    let parsed = client(&stub, fast_config())
        .jql_parse(&["x".to_owned()])
        .await
        .expect("parsed");

    assert!(!parsed.queries[0].is_valid());
    let sent = &stub.received()[0];
    assert_eq!(sent.path, "/rest/api/3/jql/parse");
    assert_eq!(sent.query.as_deref(), Some("validation=strict"));
    assert_eq!(sent.json(), json!({"queries": ["x"]}));
}

#[tokio::test]
async fn client_works_through_the_object_safe_trait() {
    let stub = Stub::start(vec![Reply::json(200, json!({"count": 153}))]).await;
    let api: Arc<dyn JiraApi> = Arc::new(client(&stub, fast_config()));

    let count = api.approximate_count("project = ABC").await.expect("count");

    assert_eq!(count, 153);
    assert!(api.identity().starts_with("basic:"));
    assert_eq!(stub.received()[0].json(), json!({"jql": "project = ABC"}));
}

#[tokio::test]
async fn debug_output_of_a_client_shows_no_credentials() {
    let base = Url::parse("https://acme.atlassian.net").expect("url");
    let jira = client_with(
        &base,
        JiraAuth::basic("ana@example.com", "api-token-123"),
        fast_config(),
    );
    let text = format!("{jira:?}");
    assert!(!text.contains("api-token-123"), "{text}");
    assert!(!text.contains("ana@example.com"), "{text}");
    assert!(text.contains("acme.atlassian.net"));
}

#[test]
fn site_base_keeps_only_the_origin() {
    let cases = [
        ("acme.atlassian.net", "https://acme.atlassian.net/"),
        ("https://acme.atlassian.net/", "https://acme.atlassian.net/"),
        (
            "https://acme.atlassian.net/jira/software?x=1#y",
            "https://acme.atlassian.net/",
        ),
        (
            "https://u:p@acme.atlassian.net",
            "https://acme.atlassian.net/",
        ),
        ("http://127.0.0.1:9000", "http://127.0.0.1:9000/"),
    ];
    for (input, expected) in cases {
        assert_eq!(site_base(input).expect(input).as_str(), expected, "{input}");
    }
    assert!(site_base("").is_err());
    assert!(site_base("mailto:someone@example.com").is_err());
}

#[test]
fn oauth_base_appends_ex_jira_and_the_cloud_id() {
    let api = Url::parse(ATLASSIAN_API_BASE).expect("url");
    assert_eq!(
        oauth_base(&api, "11223344-a1b2").expect("ok").as_str(),
        "https://api.atlassian.com/ex/jira/11223344-a1b2"
    );
    let sim = Url::parse("http://127.0.0.1:9000/atlassian/").expect("url");
    assert_eq!(
        oauth_base(&sim, "c/1").expect("ok").as_str(),
        "http://127.0.0.1:9000/atlassian/ex/jira/c%2F1"
    );
    assert!(oauth_base(&api, "..").is_err());
}
