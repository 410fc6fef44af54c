//! Board-query benchmark: the 50-card board through the gateway, the same Jira call made
//! directly, and the same board fetched the naive way (one call per issue), against the
//! simulated Jira site. See `BENCHMARKS.md` for the commands and the latest results.
//!
//! By default the example starts `jira-gateway sim` and `jira-gateway serve` as two separate
//! processes (the `jira-gateway` binary next to this example's own build profile, or `--bin`),
//! so the gateway's CPU time (`/proc/<pid>/stat`) and peak RSS (`/proc/<pid>/status` VmHWM,
//! reset before every run through `/proc/<pid>/clear_refs`) are its own. `--sim-url` and
//! `--gateway-url` (with `--sim-pid`/`--gateway-pid` for the process figures) use processes
//! that are already running instead.
//!
//! Ways of fetching a board (`--modes`):
//! - `gateway`: the board GraphQL query (`BOARD` in `tests/api/gateway/queries.rs`) against
//!   the gateway, which answers it with one `POST /rest/api/3/search/jql`.
//! - `direct`: that same `POST /rest/api/3/search/jql` (same body) straight to the sim, as the
//!   floor the gateway's added latency is measured against.
//! - `naive`: one search for the cards (no comments, no transitions), then for each of the 50
//!   issues `GET issue/{key}/transitions` and `GET issue/{key}/comment?maxResults=3`, one
//!   after the other (101 calls per board); boards run concurrently.
//!
//! Every loop is bounded in count and in time, and all traffic goes to 127.0.0.1.
//!
//! ```sh
//! cargo build --release --bin jira-gateway --examples
//! target/release/examples/board_bench --latency-ms 0,50 --runs 3
//! ```

use std::fmt::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Parser, ValueEnum};
use serde_json::{Value, json};
use tokio::process::{Child, Command};

/// The board query of `tests/api/gateway/queries.rs` (`BOARD`).
const BOARD: &str = r#"
query Board($jql: String!) {
  issues(jql: $jql, first: 50) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      key summary
      status { name category { key } }
      assignee { accountId displayName avatarUrl }
      priority { name }
      labels
      transitions { id name to { name } }
      comments(first: 3) { totalCount edges { node { author { displayName } body { text } } } }
    } }
  }
}"#;

/// The fields the gateway's plan asks for on `BOARD` (`src/graphql/plan.rs`: sorted, with
/// `comment` because `comments(first: 3)` fits in the 20 comments Jira embeds) and its expand.
const BOARD_FIELDS: [&str; 6] = [
    "assignee", "comment", "labels", "priority", "status", "summary",
];
const BOARD_EXPAND: &str = "transitions";
/// The card fields the naive client asks its search for (everything but comments/transitions).
const NAIVE_FIELDS: [&str; 5] = ["assignee", "labels", "priority", "status", "summary"];
const CARDS: usize = 50;

const EMAIL: &str = "admin@demo.test";
const TOKEN: &str = "admin-token";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Mode {
    /// The board GraphQL query through the gateway.
    Gateway,
    /// The gateway's one Jira call, sent straight to the sim.
    Direct,
    /// 1 search + 50 × (transitions + comments), straight to the sim.
    Naive,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Gateway => "gateway",
            Mode::Direct => "direct",
            Mode::Naive => "naive",
        }
    }
}

#[derive(Debug, Parser)]
#[command(about = "Board-query benchmark of jira-gateway against its simulated Jira site")]
struct Args {
    /// Boards per measured run, for the gateway and direct ways.
    #[arg(long, default_value_t = 2000)]
    requests: usize,
    /// Boards per measured run for the naive way (101 calls each, sequential within a board).
    #[arg(long, default_value_t = 160)]
    naive_requests: usize,
    /// Boards in flight at once.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Upstream latency(ies) of the sim, in milliseconds, comma-separated (`0,50`).
    #[arg(long, value_delimiter = ',', default_value = "0")]
    latency_ms: Vec<u64>,
    /// Unmeasured boards before each gateway/direct run (naive: one board per worker).
    #[arg(long, default_value_t = 200)]
    warmup: usize,
    /// Measured runs of each configuration, in rounds (each round runs every latency and way
    /// once); the summary gives the median of each figure.
    #[arg(long, default_value_t = 1)]
    runs: usize,
    /// Ways to fetch the board, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "gateway,direct,naive")]
    modes: Vec<Mode>,
    /// JQL of the board.
    #[arg(long, default_value = "project = DEMO ORDER BY key ASC")]
    jql: String,
    /// Issues the started sim generates.
    #[arg(long, default_value_t = 500)]
    issues: usize,
    /// The `jira-gateway` binary (default: the one next to this example's build profile).
    #[arg(long)]
    bin: Option<PathBuf>,
    /// Use an already-running sim instead of starting one.
    #[arg(long, requires = "gateway_url")]
    sim_url: Option<String>,
    /// Use an already-running gateway (pointed at `--sim-url`, acting as admin@demo.test).
    #[arg(long, requires = "sim_url")]
    gateway_url: Option<String>,
    /// Pid of the running gateway, for its CPU and memory figures.
    #[arg(long)]
    gateway_pid: Option<u32>,
    /// Pid of the running sim, for its CPU figure.
    #[arg(long)]
    sim_pid: Option<u32>,
    /// Start the gateway with its shipped Jira budget (8 in flight, 20 req/s, burst 40) instead
    /// of a budget too large to matter; measures the budget rather than the gateway.
    #[arg(long)]
    shipped_budget: bool,
    /// Longest one measured or warm-up run may take, in seconds; workers stop taking boards then.
    #[arg(long, default_value_t = 300)]
    max_run_secs: u64,
}

/// Clock ticks per second of `/proc/<pid>/stat` (USER_HZ, 100 on Linux).
const USER_HZ: f64 = 100.0;

fn cpu_seconds(pid: u32) -> Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .with_context(|| format!("reading /proc/{pid}/stat"))?;
    // Fields after the `(comm)`: state is field 3, utime field 14, stime field 15.
    let rest = stat
        .rsplit_once(')')
        .context("malformed /proc/<pid>/stat")?
        .1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11).context("no utime")?.parse()?;
    let stime: u64 = fields.get(12).context("no stime")?.parse()?;
    Ok((utime + stime) as f64 / USER_HZ)
}

fn peak_rss_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading /proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .context("no VmHWM")?;
    let kib = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim();
    Ok(kib.parse()?)
}

/// Resets the peak RSS (VmHWM) of `pid` to its current RSS; false when not allowed.
fn reset_peak_rss(pid: u32) -> bool {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok()
}

fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("binding a free port")?;
    Ok(listener.local_addr()?.port())
}

/// A child process killed when the benchmark ends, however it ends.
struct Proc {
    name: &'static str,
    child: Child,
    log: PathBuf,
}

impl Proc {
    fn spawn(name: &'static str, bin: &Path, args: &[String]) -> Result<Proc> {
        let log =
            std::env::temp_dir().join(format!("board_bench-{}-{name}.log", std::process::id()));
        let file =
            std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
        let mut command = Command::new(bin);
        command
            .args(args)
            .stdin(Stdio::null())
            .stdout(file.try_clone()?)
            .stderr(file)
            // Only the flags configure it: no JIRA_*, JWT_SECRET, proxy or RUST_LOG from the shell,
            // the shipped log level, and any file it writes lands in the temporary directory.
            .env_clear()
            .env("RUST_LOG", "info")
            .current_dir(std::env::temp_dir())
            .kill_on_drop(true);
        let child = command
            .spawn()
            .with_context(|| format!("starting {} {}", bin.display(), args.join(" ")))?;
        Ok(Proc { name, child, log })
    }

    fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    fn check_alive(&mut self) -> Result<()> {
        if let Some(status) = self.child.try_wait()? {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            bail!("{} exited early ({status}); its output:\n{log}", self.name);
        }
        Ok(())
    }

    async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await;
        let _ = std::fs::remove_file(&self.log);
    }
}

/// Polls `url` until it answers 200, for at most `limit`.
async fn wait_ready(
    client: &reqwest::Client,
    url: &str,
    mut process: Option<&mut Proc>,
    limit: Duration,
) -> Result<()> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(p) = process.as_deref_mut() {
            p.check_alive()?;
        }
        if let Ok(response) = client.get(url).timeout(Duration::from_secs(2)).send().await
            && response.status().is_success()
        {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("{url} not ready after {limit:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What one worker needs to fetch one board.
struct Target {
    client: reqwest::Client,
    sim: String,
    gateway: String,
    graphql_body: bytes::Bytes,
    search_body: bytes::Bytes,
    naive_search_body: bytes::Bytes,
}

impl Target {
    fn sim_post(&self, path: &str, body: &bytes::Bytes) -> reqwest::RequestBuilder {
        self.client
            .post(format!("{}/rest/api/3/{path}", self.sim))
            .basic_auth(EMAIL, Some(TOKEN))
            .header("content-type", "application/json")
            .body(body.clone())
    }

    fn sim_get(&self, path: &str) -> reqwest::RequestBuilder {
        self.client
            .get(format!("{}/rest/api/3/{path}", self.sim))
            .basic_auth(EMAIL, Some(TOKEN))
    }

    /// Fetches one board the given way; the body is read to the end.
    async fn board(&self, mode: Mode) -> Result<()> {
        match mode {
            Mode::Gateway => {
                let response = self
                    .client
                    .post(format!("{}/graphql", self.gateway))
                    .header("content-type", "application/json")
                    .body(self.graphql_body.clone())
                    .send()
                    .await?;
                let status = response.status();
                let body = response.bytes().await?;
                if !status.is_success() || contains(&body, b"\"errors\":") {
                    bail!(
                        "gateway answered {status}: {}",
                        String::from_utf8_lossy(&body[..body.len().min(500)])
                    );
                }
            }
            Mode::Direct => {
                let response = self
                    .sim_post("search/jql", &self.search_body)
                    .send()
                    .await?;
                let status = response.status();
                let body = response.bytes().await?;
                if !status.is_success() {
                    bail!(
                        "search answered {status}: {}",
                        String::from_utf8_lossy(&body[..body.len().min(500)])
                    );
                }
            }
            Mode::Naive => {
                let keys = self.naive_keys().await?;
                for key in keys {
                    for path in [
                        format!("issue/{key}/transitions"),
                        format!("issue/{key}/comment?maxResults=3"),
                    ] {
                        let response = self.sim_get(&path).send().await?;
                        let status = response.status();
                        let _ = response.bytes().await?;
                        if !status.is_success() {
                            bail!("{path} answered {status}");
                        }
                    }
                }
            }
        }
        Ok(())
    }

    async fn naive_keys(&self) -> Result<Vec<String>> {
        let response = self
            .sim_post("search/jql", &self.naive_search_body)
            .send()
            .await?;
        let status = response.status();
        let body: Value = response.json().await?;
        if !status.is_success() {
            bail!("search answered {status}: {body}");
        }
        let issues = body["issues"]
            .as_array()
            .context("search answer without issues")?;
        Ok(issues
            .iter()
            .filter_map(|i| i["key"].as_str().map(str::to_owned))
            .collect())
    }

    /// One board each way, checked in full, before anything is measured.
    async fn validate(&self, mode: Mode) -> Result<()> {
        match mode {
            Mode::Gateway => {
                let answer: Value = self
                    .client
                    .post(format!("{}/graphql", self.gateway))
                    .header("content-type", "application/json")
                    .body(self.graphql_body.clone())
                    .send()
                    .await?
                    .json()
                    .await?;
                if !answer["errors"].is_null() {
                    bail!("the board query failed: {answer}");
                }
                let edges = answer["data"]["issues"]["edges"]
                    .as_array()
                    .context("no edges")?;
                let with_transitions = edges
                    .iter()
                    .filter(|e| {
                        e["node"]["transitions"]
                            .as_array()
                            .is_some_and(|t| !t.is_empty())
                    })
                    .count();
                if edges.len() != CARDS || with_transitions != CARDS {
                    bail!(
                        "the board has {} cards, {with_transitions} with transitions; expected {CARDS}",
                        edges.len()
                    );
                }
            }
            Mode::Direct => {
                let answer: Value = self
                    .sim_post("search/jql", &self.search_body)
                    .send()
                    .await?
                    .error_for_status()?
                    .json()
                    .await?;
                let issues = answer["issues"].as_array().context("no issues")?;
                let complete = issues
                    .iter()
                    .filter(|i| {
                        i["transitions"].as_array().is_some_and(|t| !t.is_empty())
                            && i["fields"]["comment"].is_object()
                    })
                    .count();
                if issues.len() != CARDS || complete != CARDS {
                    bail!(
                        "the search has {} issues, {complete} with transitions and comments; expected {CARDS}",
                        issues.len()
                    );
                }
            }
            Mode::Naive => {
                let keys = self.naive_keys().await?;
                if keys.len() != CARDS {
                    bail!(
                        "the naive search found {} issues; expected {CARDS}",
                        keys.len()
                    );
                }
            }
        }
        Ok(())
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Latencies and failures of one bounded run.
struct Samples {
    latencies: Vec<Duration>,
    failures: usize,
    first_failure: Option<String>,
    elapsed: Duration,
    timed_out: bool,
}

/// Fetches `count` boards with `concurrency` workers; stops taking boards at `limit`.
async fn drive(
    target: &Arc<Target>,
    mode: Mode,
    count: usize,
    concurrency: usize,
    limit: Duration,
) -> Samples {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + limit;
    let mut workers = Vec::new();
    for _ in 0..concurrency.max(1) {
        let target = Arc::clone(target);
        let next = Arc::clone(&next);
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(count / concurrency.max(1) + 1);
            let mut failures = 0;
            let mut first_failure = None;
            while next.fetch_add(1, Ordering::Relaxed) < count && Instant::now() < deadline {
                let sent = Instant::now();
                match target.board(mode).await {
                    Ok(()) => latencies.push(sent.elapsed()),
                    Err(error) => {
                        failures += 1;
                        first_failure.get_or_insert_with(|| format!("{error:#}"));
                    }
                }
            }
            (latencies, failures, first_failure)
        }));
    }
    let mut samples = Samples {
        latencies: Vec::with_capacity(count),
        failures: 0,
        first_failure: None,
        elapsed: Duration::ZERO,
        timed_out: false,
    };
    for worker in workers {
        match worker.await {
            Ok((latencies, failures, first_failure)) => {
                samples.latencies.extend(latencies);
                samples.failures += failures;
                if samples.first_failure.is_none() {
                    samples.first_failure = first_failure;
                }
            }
            Err(error) => {
                samples.failures += 1;
                samples
                    .first_failure
                    .get_or_insert_with(|| format!("worker panicked: {error}"));
            }
        }
    }
    samples.elapsed = started.elapsed();
    samples.timed_out = samples.latencies.len() + samples.failures < count;
    samples.latencies.sort_unstable();
    samples
}

/// Nearest-rank percentile of sorted latencies, in milliseconds.
fn percentile_ms(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1].as_secs_f64() * 1000.0
}

/// The figures of one measured run.
#[derive(Debug, Clone)]
struct Run {
    latency_ms: u64,
    mode: Mode,
    boards: usize,
    failures: usize,
    timed_out: bool,
    throughput: f64,
    p50: f64,
    p90: f64,
    p99: f64,
    max: f64,
    calls_per_board: f64,
    gateway_cpu_per_1000: Option<f64>,
    gateway_peak_rss_mib: Option<f64>,
    sim_cpu_per_1000: Option<f64>,
    bench_cpu_per_1000: Option<f64>,
}

fn fmt_opt(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(|| "–".to_string(), |v| format!("{v:.decimals$}"))
}

impl Run {
    fn line(&self) -> String {
        format!(
            "{:>4} ms {:<8} boards {:>5} fail {:>3}{} | {:>8.1} boards/s | p50 {:>8.2} p90 {:>8.2} p99 {:>8.2} max {:>8.2} ms | calls/board {:>6.2} | gw CPU {:>6} s/1000 | gw peak RSS {:>6} MiB | sim CPU {:>6} s/1000 | bench CPU {:>6} s/1000",
            self.latency_ms,
            self.mode.name(),
            self.boards,
            self.failures,
            if self.timed_out { " (time limit)" } else { "" },
            self.throughput,
            self.p50,
            self.p90,
            self.p99,
            self.max,
            self.calls_per_board,
            fmt_opt(self.gateway_cpu_per_1000, 3),
            fmt_opt(self.gateway_peak_rss_mib, 1),
            fmt_opt(self.sim_cpu_per_1000, 3),
            fmt_opt(self.bench_cpu_per_1000, 3),
        )
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.retain(|v| !v.is_nan());
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

fn median_opt(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let values: Vec<f64> = values.flatten().collect();
    (!values.is_empty()).then(|| median(values))
}

/// Counts the REST calls in the sim's request log and the ones that did not succeed.
async fn jira_calls(client: &reqwest::Client, sim: &str) -> Result<(usize, usize)> {
    let log: Vec<Value> = client
        .get(format!("{sim}/_sim/requests"))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let api: Vec<&Value> = log
        .iter()
        .filter(|e| e["path"].as_str().is_some_and(|p| p.contains("/rest/api/")))
        .collect();
    let failed = api
        .iter()
        .filter(|e| !(200..300).contains(&e["status"].as_u64().unwrap_or(0)))
        .count();
    Ok((api.len(), failed))
}

async fn clear_log(client: &reqwest::Client, sim: &str) -> Result<()> {
    client
        .delete(format!("{sim}/_sim/requests"))
        .send()
        .await?
        .error_for_status()?;
    Ok(())
}

async fn set_latency(client: &reqwest::Client, sim: &str, latency_ms: u64) -> Result<()> {
    client
        .put(format!("{sim}/_sim/faults"))
        .json(&json!({ "latencyMs": latency_ms }))
        .send()
        .await?
        .error_for_status()
        .context("PUT /_sim/faults")?;
    let faults: Value = client
        .get(format!("{sim}/_sim/faults"))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    if faults["latencyMs"].as_u64() != Some(latency_ms) {
        bail!("the sim did not take the latency: {faults}");
    }
    Ok(())
}

struct Pids {
    gateway: Option<u32>,
    sim: Option<u32>,
}

async fn measure(
    args: &Args,
    target: &Arc<Target>,
    pids: &Pids,
    latency_ms: u64,
    mode: Mode,
) -> Result<Run> {
    let count = if mode == Mode::Naive {
        args.naive_requests
    } else {
        args.requests
    };
    let warmup = if mode == Mode::Naive {
        args.concurrency.min(count)
    } else {
        args.warmup
    };
    let limit = Duration::from_secs(args.max_run_secs);
    if warmup > 0 {
        let warm = drive(target, mode, warmup, args.concurrency, limit).await;
        if warm.failures > 0 {
            bail!(
                "{} warm-up: {} failures, first: {}",
                mode.name(),
                warm.failures,
                warm.first_failure.unwrap_or_default()
            );
        }
    }
    clear_log(&target.client, &target.sim).await?;
    if let Some(pid) = pids.gateway
        && !reset_peak_rss(pid)
    {
        eprintln!("note: cannot reset the gateway's peak RSS; VmHWM is its lifetime peak");
    }
    let gateway_cpu_before = pids.gateway.map(cpu_seconds).transpose()?;
    let sim_cpu_before = pids.sim.map(cpu_seconds).transpose()?;
    let bench_cpu_before = cpu_seconds(std::process::id()).ok();

    let samples = drive(target, mode, count, args.concurrency, limit).await;

    let gateway_cpu = pids.gateway.map(cpu_seconds).transpose()?;
    let sim_cpu = pids.sim.map(cpu_seconds).transpose()?;
    let bench_cpu = cpu_seconds(std::process::id()).ok();
    let gateway_peak_rss_mib = pids
        .gateway
        .map(peak_rss_kib)
        .transpose()?
        .map(|kib| kib as f64 / 1024.0);
    let (calls, failed_calls) = jira_calls(&target.client, &target.sim).await?;
    if let Some(failure) = &samples.first_failure {
        eprintln!(
            "warning: {} of {} boards failed; first: {failure}",
            samples.failures,
            mode.name()
        );
    }
    if failed_calls > 0 {
        eprintln!(
            "warning: {failed_calls} Jira calls did not succeed during the {} run",
            mode.name()
        );
    }
    let boards = samples.latencies.len();
    let attempted = (boards + samples.failures).max(1) as f64;
    let per_1000 = |before: Option<f64>, after: Option<f64>| match (before, after) {
        (Some(b), Some(a)) => Some((a - b) / attempted * 1000.0),
        _ => None,
    };
    let sorted = &samples.latencies;
    Ok(Run {
        latency_ms,
        mode,
        boards,
        failures: samples.failures,
        timed_out: samples.timed_out,
        throughput: boards as f64 / samples.elapsed.as_secs_f64(),
        p50: percentile_ms(sorted, 50.0),
        p90: percentile_ms(sorted, 90.0),
        p99: percentile_ms(sorted, 99.0),
        max: sorted.last().map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0),
        calls_per_board: calls as f64 / attempted,
        gateway_cpu_per_1000: if mode == Mode::Gateway {
            per_1000(gateway_cpu_before, gateway_cpu)
        } else {
            None
        },
        gateway_peak_rss_mib: if mode == Mode::Gateway {
            gateway_peak_rss_mib
        } else {
            None
        },
        sim_cpu_per_1000: per_1000(sim_cpu_before, sim_cpu),
        bench_cpu_per_1000: per_1000(bench_cpu_before, bench_cpu),
    })
}

fn summary(args: &Args, runs: &[Run]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nMedians of {} run(s) per row (each figure's own median):\n",
        args.runs
    );
    let _ = writeln!(
        out,
        "| upstream latency | way | boards/run | throughput (boards/s) | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | Jira calls / board | gateway CPU (s / 1000 boards) | gateway peak RSS (MiB) | sim CPU (s / 1000 boards) |"
    );
    let _ = writeln!(
        out,
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    for &latency in &args.latency_ms {
        for &mode in &args.modes {
            let rows: Vec<&Run> = runs
                .iter()
                .filter(|r| r.latency_ms == latency && r.mode == mode)
                .collect();
            if rows.is_empty() {
                continue;
            }
            let m = |f: fn(&Run) -> f64| median(rows.iter().map(|r| f(r)).collect());
            let _ = writeln!(
                out,
                "| {latency} ms | {} | {:.0} | {:.1} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {} | {} | {} |",
                mode.name(),
                m(|r| r.boards as f64),
                m(|r| r.throughput),
                m(|r| r.p50),
                m(|r| r.p90),
                m(|r| r.p99),
                m(|r| r.max),
                m(|r| r.calls_per_board),
                fmt_opt(median_opt(rows.iter().map(|r| r.gateway_cpu_per_1000)), 3),
                fmt_opt(median_opt(rows.iter().map(|r| r.gateway_peak_rss_mib)), 1),
                fmt_opt(median_opt(rows.iter().map(|r| r.sim_cpu_per_1000)), 3),
            );
        }
    }
    let _ = writeln!(
        out,
        "\nGateway added latency at p50 (gateway p50 − direct p50 of the same round; median over rounds):\n"
    );
    for &latency in &args.latency_ms {
        let pick = |mode: Mode| {
            runs.iter()
                .filter(move |r| r.latency_ms == latency && r.mode == mode)
        };
        let pairs: Vec<(f64, f64)> = pick(Mode::Gateway)
            .zip(pick(Mode::Direct))
            .map(|(g, d)| (g.p50, d.p50))
            .collect();
        if pairs.is_empty() {
            continue;
        }
        let added = median(pairs.iter().map(|(g, d)| g - d).collect());
        let ratio = median(pairs.iter().map(|(g, d)| g / d).collect());
        let per_round: Vec<String> = pairs.iter().map(|(g, d)| format!("{:.2}", g - d)).collect();
        let _ = writeln!(
            out,
            "- {latency} ms upstream: +{added:.2} ms (gateway/direct p50 ratio {ratio:.2}; rounds: {} ms){}",
            per_round.join(", "),
            if added < 2.0 {
                ""
            } else {
                "  <-- over the 2 ms target"
            }
        );
    }
    let pick = |latency: u64, mode: Mode| {
        median(
            runs.iter()
                .filter(|r| r.latency_ms == latency && r.mode == mode)
                .map(|r| r.p50)
                .collect(),
        )
    };
    let mut saving = String::new();
    for &latency in &args.latency_ms {
        let (g, n) = (pick(latency, Mode::Gateway), pick(latency, Mode::Naive));
        if g.is_finite() && n.is_finite() {
            let _ = writeln!(
                saving,
                "- {latency} ms upstream: naive p50 {n:.1} ms vs gateway p50 {g:.2} ms (naive/gateway = {:.1}×)",
                n / g
            );
        }
    }
    if !saving.is_empty() {
        let _ = writeln!(out, "\nSaving against the naive way:\n\n{saving}");
    }
    out
}

fn default_bin() -> Result<PathBuf> {
    // target/<profile>/examples/board_bench -> target/<profile>/jira-gateway
    let exe = std::env::current_exe()?;
    let profile_dir = exe
        .parent()
        .and_then(|p| p.parent())
        .context("cannot locate the build profile directory")?;
    let bin = profile_dir.join(format!("jira-gateway{}", std::env::consts::EXE_SUFFIX));
    if !bin.exists() {
        bail!(
            "{} does not exist: build it with the same profile (`cargo build --release --bin jira-gateway`) or pass --bin",
            bin.display()
        );
    }
    Ok(bin)
}

/// The machine's 1-minute load average, to tell a noisy run from a quiet one.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

fn machine() -> String {
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cores} cores, {model}")
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    if args.requests == 0 || args.concurrency == 0 || args.runs == 0 {
        bail!("--requests, --concurrency and --runs must be at least 1");
    }
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(60))
        .pool_max_idle_per_host(usize::MAX)
        .build()?;

    let mut processes = Vec::new();
    let (sim, gateway, pids) = match (&args.sim_url, &args.gateway_url) {
        (Some(sim), Some(gateway)) => (
            sim.trim_end_matches('/').to_string(),
            gateway.trim_end_matches('/').to_string(),
            Pids {
                gateway: args.gateway_pid,
                sim: args.sim_pid,
            },
        ),
        _ => {
            let bin = match &args.bin {
                Some(bin) => bin.clone(),
                None => default_bin()?,
            };
            eprintln!("binary: {}", bin.display());
            let sim_port = free_port()?;
            let sim = format!("http://127.0.0.1:{sim_port}");
            let sim_args: Vec<String> = [
                "sim",
                "--bind",
                "127.0.0.1",
                "--port",
                &sim_port.to_string(),
                "--issues",
                &args.issues.to_string(),
                "--seed",
                "42",
            ]
            .map(String::from)
            .to_vec();
            let mut sim_proc = Proc::spawn("sim", &bin, &sim_args)?;
            wait_ready(
                &client,
                &format!("{sim}/_sim/faults"),
                Some(&mut sim_proc),
                Duration::from_secs(300),
            )
            .await?;

            let gateway_port = free_port()?;
            let gateway = format!("http://127.0.0.1:{gateway_port}");
            let mut gateway_args: Vec<String> = [
                "serve",
                "--bind",
                "127.0.0.1",
                "--port",
                &gateway_port.to_string(),
                "--jira-base-url",
                &sim,
                "--jira-email",
                EMAIL,
                "--jira-api-token",
                TOKEN,
                "--jira-retry-base-ms",
                "200",
            ]
            .map(String::from)
            .to_vec();
            if !args.shipped_budget {
                let budget = [
                    "--jira-max-concurrency",
                    "1024",
                    "--jira-requests-per-second",
                    "1000000",
                    "--jira-burst",
                    "1000000",
                ];
                gateway_args.extend(budget.map(String::from));
            }
            let mut gateway_proc = Proc::spawn("gateway", &bin, &gateway_args)?;
            wait_ready(
                &client,
                &format!("{gateway}/ready"),
                Some(&mut gateway_proc),
                Duration::from_secs(60),
            )
            .await?;
            let pids = Pids {
                gateway: gateway_proc.pid(),
                sim: sim_proc.pid(),
            };
            processes.push(gateway_proc);
            processes.push(sim_proc);
            (sim, gateway, pids)
        }
    };

    let result = run_all(&args, client, sim, gateway, &pids).await;
    for process in processes {
        process.stop().await;
    }
    let out = result?;
    println!("{out}");
    Ok(())
}

async fn run_all(
    args: &Args,
    client: reqwest::Client,
    sim: String,
    gateway: String,
    pids: &Pids,
) -> Result<String> {
    let search = |fields: &[&str], expand: &str| -> Result<bytes::Bytes> {
        let mut body = json!({ "jql": args.jql, "maxResults": CARDS, "fields": fields });
        if !expand.is_empty() {
            body["expand"] = json!(expand);
        }
        Ok(serde_json::to_vec(&body)?.into())
    };
    let target = Arc::new(Target {
        client: client.clone(),
        graphql_body: serde_json::to_vec(
            &json!({ "query": BOARD, "variables": { "jql": args.jql } }),
        )?
        .into(),
        search_body: search(&BOARD_FIELDS, BOARD_EXPAND)?,
        naive_search_body: search(&NAIVE_FIELDS, "")?,
        sim,
        gateway,
    });
    eprintln!(
        "sim {} (pid {:?}), gateway {} (pid {:?})",
        target.sim, pids.sim, target.gateway, pids.gateway
    );
    eprintln!(
        "direct search body: {}",
        String::from_utf8_lossy(&target.search_body)
    );

    let mut header = String::new();
    let _ = writeln!(header, "machine: {}", machine());
    let _ = writeln!(
        header,
        "requests {} (naive {}), concurrency {}, warm-up {}, runs {}, jql {:?}, gateway budget: {}",
        args.requests,
        args.naive_requests,
        args.concurrency,
        args.warmup,
        args.runs,
        args.jql,
        if args.shipped_budget {
            "shipped defaults"
        } else {
            "unbounded (1024 in flight, 1,000,000 req/s)"
        }
    );
    eprint!("{header}");

    for &latency in &args.latency_ms {
        set_latency(&client, &target.sim, latency).await?;
        for &mode in &args.modes {
            target
                .validate(mode)
                .await
                .with_context(|| format!("checking the {} way", mode.name()))?;
        }
        // The sim's log also shows what the gateway sent for one board.
        clear_log(&client, &target.sim).await?;
        target.validate(Mode::Gateway).await?;
        let (calls, _) = jira_calls(&client, &target.sim).await?;
        eprintln!("{latency} ms: one gateway board = {calls} Jira call(s)");
    }
    // Rounds outermost, so a burst of load from elsewhere on the machine hits every
    // configuration alike rather than all runs of one.
    let mut runs = Vec::new();
    for round in 1..=args.runs {
        for &latency in &args.latency_ms {
            set_latency(&client, &target.sim, latency).await?;
            for &mode in &args.modes {
                let run = measure(args, &target, pids, latency, mode).await?;
                eprintln!("round {round}: {} | load {}", run.line(), load_average());
                runs.push(run);
            }
        }
    }
    set_latency(&client, &target.sim, 0).await?;
    Ok(format!("{header}{}", summary(args, &runs)))
}
