//! GraphiQL in a real browser: Debian's headless Chromium, driven over the DevTools protocol,
//! loads `GET /graphql` from the gateway, which serves GraphiQL's files itself (no CDN), runs
//! the default query and shows the issues of the simulated site.
//!
//! Without `/usr/bin/chromium` the browser test says SKIPPED and passes; `.ci/run` installs it.
//! Set `GRAPHIQL_SCREENSHOT=/path/to/file.png` to keep a screenshot of the page after the query.

use std::io::Write;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::helpers::spawn_app;

const CHROMIUM: &str = "/usr/bin/chromium";
const PATIENCE: Duration = Duration::from_secs(60);

#[tokio::test]
async fn graphiql_runs_a_query_in_headless_chromium_without_a_cdn() {
    if !Path::new(CHROMIUM).exists() {
        // Straight to stderr: the test harness would swallow `eprintln!` from a passing test.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: chromium not installed ({CHROMIUM}); .ci/run installs it"
        );
        return;
    }
    let app = spawn_app().await;
    let profile = tempfile::tempdir().expect("profile dir");
    let mut browser = Browser::launch(profile.path()).await;
    browser.open_page().await;

    // Record any CSP violation from the first byte of the page on.
    browser.call(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": "window.__csp = []; document.addEventListener('securitypolicyviolation', \
            e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));" }),
    )
    .await;
    let url = format!("{}/graphql", app.gateway);
    let navigation = browser.call("Page.navigate", json!({ "url": url })).await;
    assert!(navigation["errorText"].is_null(), "{navigation}");

    // GraphiQL rendered: its query editor holds the default board query, and the headers
    // editor is there for an Authorization header.
    let query_editor = "document.querySelector('.graphiql-query-editor .CodeMirror')";
    browser
        .wait_for("GraphiQL's query editor", &format!("!!{query_editor}"))
        .await;
    let query = browser
        .eval(&format!("{query_editor}.CodeMirror.getValue()"))
        .await;
    assert!(
        query.as_str().is_some_and(|q| q.contains("project = DEMO")),
        "{query}"
    );
    let headers_editor = "!!document.querySelector('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror')";
    browser
        .wait_for("the headers editor, open", headers_editor)
        .await;
    let tabs = browser.eval("[...document.querySelectorAll('.graphiql-editor-tools button')].map(b => b.textContent)").await;
    assert!(
        tabs.as_array()
            .is_some_and(|t| t.iter().any(|t| t == "Headers")),
        "{tabs}"
    );

    // Run the query as a person would: the run button.
    app.reset_log();
    browser
        .eval("document.querySelector('.graphiql-execute-button').click()")
        .await;
    let response = browser
        .wait_for(
            "the query's result",
            "(() => { const cm = document.querySelector('.graphiql-response .CodeMirror'); \
              const text = cm && cm.CodeMirror.getValue(); return text && text.includes('\"issues\"') ? text : null; })()",
        )
        .await;
    let result: Value = serde_json::from_str(response.as_str().unwrap_or_default())
        .expect("the result pane shows JSON");
    assert!(result["errors"].is_null(), "{result}");
    let keys: Vec<&str> = result["data"]["issues"]["edges"]
        .as_array()
        .map(|edges| {
            edges
                .iter()
                .filter_map(|e| e["node"]["key"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(keys.len(), 20, "{result}");
    assert!(keys.contains(&"DEMO-1"), "{keys:?}");
    let calls = app.jira_calls();
    assert!(
        calls.iter().any(|c| c.contains("/search")),
        "the query reached the simulated Jira: {calls:?}"
    );

    // Everything came from the gateway, and the strict CSP blocked nothing.
    let resources = browser
        .eval("performance.getEntriesByType('resource').map(e => e.name)")
        .await;
    let resources: Vec<&str> = resources
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert!(
        resources
            .iter()
            .any(|r| r.contains("/graphiql/") && r.ends_with("/graphiql.min.js")),
        "{resources:?}"
    );
    assert!(
        resources.iter().all(|r| r.starts_with(&app.gateway)),
        "{resources:?}"
    );
    let violations = browser.eval("window.__csp").await;
    assert_eq!(violations, json!([]), "CSP violations");
    assert!(
        browser.exceptions.is_empty(),
        "uncaught exceptions: {:?}",
        browser.exceptions
    );

    #[expect(
        clippy::disallowed_methods,
        reason = "a test's own option, not gateway configuration"
    )]
    let screenshot = std::env::var("GRAPHIQL_SCREENSHOT");
    if let Ok(path) = screenshot {
        let shot = browser
            .call("Page.captureScreenshot", json!({ "format": "png" }))
            .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap_or_default())
            .expect("base64 PNG");
        std::fs::write(&path, png).expect("write screenshot");
    }
    browser.close().await;
}

#[tokio::test]
async fn graphiql_page_and_files_come_from_the_gateway_with_csp_and_cache_headers() {
    let app = spawn_app().await;
    let response = app
        .http
        .get(format!("{}/graphql", app.gateway))
        .header("accept", "text/html")
        .send()
        .await
        .expect("page");
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert_eq!(headers["cache-control"], "no-cache");
    let csp = headers["content-security-policy"].to_str().expect("CSP");
    for directive in [
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self' ws: wss:",
    ] {
        assert!(csp.contains(&format!("{directive};")), "{csp}");
    }
    let html = response.text().await.expect("html");
    assert!(
        !html.contains("http://") && !html.contains("https://") && !html.contains("<script>"),
        "{html}"
    );

    let sources: Vec<&str> = html
        .split(['"'])
        .filter(|s| s.starts_with("/graphiql/"))
        .collect();
    assert_eq!(sources.len(), 6, "{html}");
    for src in sources {
        let response = app
            .http
            .get(format!("{}{src}", app.gateway))
            .send()
            .await
            .expect("file");
        assert_eq!(response.status(), 200, "{src}");
        let expected = if src.ends_with(".css") {
            "text/css; charset=utf-8"
        } else {
            "text/javascript; charset=utf-8"
        };
        assert_eq!(response.headers()["content-type"], expected, "{src}");
        assert_eq!(
            response.headers()["cache-control"],
            "public, max-age=31536000, immutable",
            "{src}"
        );
        let etag = response.headers()["etag"].clone();
        assert!(!response.bytes().await.expect("body").is_empty(), "{src}");
        let again = app
            .http
            .get(format!("{}{src}", app.gateway))
            .header("if-none-match", etag)
            .send()
            .await
            .expect("revalidate");
        assert_eq!(again.status(), 304, "{src}");
    }
    let missing = app
        .http
        .get(format!("{}/graphiql/3.9.0/nope.js", app.gateway))
        .send()
        .await
        .expect("missing");
    assert_eq!(missing.status(), 404);
}

/// Headless Chromium with a fresh profile, driven over the DevTools protocol: a minimal client,
/// one command at a time, noting uncaught exceptions from the events it reads meanwhile.
struct Browser {
    child: Child,
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    /// The attached page's session (flat mode); `None` talks to the browser itself.
    session: Option<String>,
    /// Uncaught exceptions in the page (`Runtime.exceptionThrown`).
    exceptions: Vec<String>,
    stderr: Arc<Mutex<Vec<String>>>,
}

impl Browser {
    async fn launch(profile: &Path) -> Browser {
        let mut child = Command::new(CHROMIUM)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1280,800",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start chromium");
        let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let endpoint = tokio::time::timeout(PATIENCE, async {
            while let Some(line) = lines.next_line().await.expect("chromium's stderr") {
                if let Some(url) = line.strip_prefix("DevTools listening on ") {
                    return url.trim().to_string();
                }
                stderr.lock().expect("stderr lines").push(line);
            }
            panic!(
                "chromium exited before DevTools listened: {:?}",
                stderr.lock().expect("stderr lines")
            );
        })
        .await
        .unwrap_or_else(|_| {
            panic!(
                "chromium did not start DevTools in {PATIENCE:?}: {:?}",
                stderr.lock().expect("stderr lines")
            )
        });
        // Keep draining stderr so Chromium never blocks on a full pipe; keep it for failures.
        let sink = stderr.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                sink.lock().expect("stderr lines").push(line);
            }
        });
        let (ws, _) = tokio_tungstenite::connect_async(endpoint.as_str())
            .await
            .expect("DevTools websocket");
        Browser {
            child,
            ws,
            next_id: 0,
            session: None,
            exceptions: Vec::new(),
            stderr,
        }
    }

    /// Opens a tab and attaches to it: later commands go to that browser.
    async fn open_page(&mut self) {
        let target = self
            .call("Target.createTarget", json!({ "url": "about:blank" }))
            .await;
        let attached = self
            .call(
                "Target.attachToTarget",
                json!({ "targetId": target["targetId"], "flatten": true }),
            )
            .await;
        self.session = Some(
            attached["sessionId"]
                .as_str()
                .expect("session id")
                .to_string(),
        );
        self.call("Runtime.enable", json!({})).await;
        self.call("Page.enable", json!({})).await;
    }

    /// Sends a command and returns its result.
    async fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut command = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = &self.session {
            command["sessionId"] = json!(session);
        }
        self.ws
            .send(Message::Text(command.to_string().into()))
            .await
            .expect("send to DevTools");
        loop {
            let frame = tokio::time::timeout(PATIENCE, self.ws.next())
                .await
                .unwrap_or_else(|_| panic!("DevTools did not answer {method} in {PATIENCE:?}"))
                .expect("DevTools websocket open")
                .expect("DevTools frame");
            let Message::Text(text) = frame else { continue };
            let message: Value = serde_json::from_str(&text).expect("DevTools JSON");
            if message["method"] == "Runtime.exceptionThrown" {
                self.exceptions
                    .push(message["params"]["exceptionDetails"].to_string());
            }
            if message["id"] == id {
                assert!(message["error"].is_null(), "{method}: {message}");
                return message["result"].clone();
            }
        }
    }

    /// The value of a JavaScript expression in the browser.
    async fn eval(&mut self, expression: &str) -> Value {
        let answer = self
            .call(
                "Runtime.evaluate",
                json!({ "expression": expression, "returnByValue": true }),
            )
            .await;
        assert!(
            answer["exceptionDetails"].is_null(),
            "{expression}: {answer}"
        );
        answer["result"]["value"].clone()
    }

    /// Polls `expression` until it is truthy, and returns its value.
    async fn wait_for(&mut self, what: &str, expression: &str) -> Value {
        let start = Instant::now();
        loop {
            let value = self.eval(expression).await;
            if !(value.is_null() || value == false || value == "") {
                return value;
            }
            if start.elapsed() > PATIENCE {
                let text = self
                    .eval("document.body ? document.body.innerText.slice(0, 2000) : ''")
                    .await;
                let stderr = self
                    .stderr
                    .lock()
                    .map(|lines| lines.join("\n"))
                    .unwrap_or_default();
                panic!(
                    "no {what} after {PATIENCE:?}\npage text: {text}\nexceptions: {:?}\nchromium stderr:\n{stderr}",
                    self.exceptions
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Asks Chromium to quit, and kills it if it lingers.
    async fn close(mut self) {
        let command = json!({ "id": self.next_id + 1, "method": "Browser.close", "params": {} });
        let _ = self
            .ws
            .send(Message::Text(command.to_string().into()))
            .await;
        if tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
    }
}
