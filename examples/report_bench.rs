//! Large-report render benchmark, in-process: the report of `--jql` (default: the first 1,000
//! issues of a `--sim-issues 1500` simulated site, as in BENCHMARKS.md "PDF export") rendered
//! with `render_pdf`, timed, with the process's peak RSS.
//!
//! The fetch runs once against an in-process simulated site (seed 42) without the client's
//! rate limit, and the fetched `ReportInput` is cached as JSON (`--cache`), so later runs
//! measure the render alone. The peak RSS (`VmHWM`) is reset just before the render
//! (`/proc/self/clear_refs`), so it is the render's peak including the loaded input.
//!
//! ```sh
//! cargo build --release --example report_bench
//! target/release/examples/report_bench --out /tmp/report-1000.pdf
//! target/release/examples/report_bench --chunk 50   # body parts of 50 issues
//! target/release/examples/report_bench --chunk 0    # one typst compile, as before chunking
//! ```

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Parser;
use jira_gateway::export::{ExportQuery, RenderOptions, ReportInput, fetch_report};
use jira_gateway::jira::{ClientConfig, JiraAuth, JiraClient, SiteBudget, site_base};
use jira_gateway::sim::{self, SimConfig};

#[derive(Debug, Parser)]
#[command(about = "Times one large report render (fetched once from an in-process sim)")]
struct Args {
    /// Issues the simulated site generates.
    #[arg(long, default_value_t = 1500)]
    sim_issues: usize,
    /// The report's query.
    #[arg(
        long,
        default_value = "project = DEMO AND key <= DEMO-1000 ORDER BY key ASC"
    )]
    jql: String,
    /// Where the fetched input is cached (fetched when missing).
    #[arg(long, default_value = "/tmp/jira-gateway-report-bench.json")]
    cache: PathBuf,
    /// Issues per body part; 0 renders in one typst compile. Default: the built-in size.
    #[arg(long)]
    chunk: Option<usize>,
    /// Write the PDF here.
    #[arg(long)]
    out: Option<PathBuf>,
}

fn vm_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.trim_start_matches(field)
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

async fn fetch(args: &Args) -> Result<ReportInput> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let site = sim::spawn(
        SimConfig {
            issues: args.sim_issues,
            ..SimConfig::default()
        },
        listener,
    )
    .await?;
    // The politeness limit (20 requests/s) is the export command's, not what is measured here.
    let config = ClientConfig {
        requests_per_second: 10_000,
        burst: 10_000,
        ..ClientConfig::default()
    };
    let budget = Arc::new(SiteBudget::new(config.budget_limits()));
    let client = JiraClient::new(
        config.http_client()?,
        site_base(site.base_url())?,
        JiraAuth::basic("admin@demo.test".to_owned(), "admin-token".to_owned()),
        config,
        budget,
    );
    let query = ExportQuery {
        jql: Some(args.jql.clone()),
        ..ExportQuery::default()
    };
    Ok(fetch_report(&client, &query, |_, _| {}).await?)
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let input: ReportInput = match std::fs::read(&args.cache) {
        Ok(bytes) => serde_json::from_slice(&bytes).context("reading the cached input")?,
        Err(_) => {
            let started = Instant::now();
            let input = fetch(&args).await?;
            std::fs::write(&args.cache, serde_json::to_vec(&input)?)?;
            eprintln!(
                "fetched {} issues in {:.1} s, cached in {}",
                input.issues.len(),
                started.elapsed().as_secs_f64(),
                args.cache.display()
            );
            input
        }
    };
    jira_gateway::export::init_fonts(&Default::default())?;
    let options = RenderOptions::default();
    let before = vm_kib("VmRSS:").unwrap_or(0);
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let started = Instant::now();
    let cpu_before = cpu_time();
    let pdf = match args.chunk {
        None => jira_gateway::export::render_pdf(&input, &options)?,
        Some(chunk) => jira_gateway::export::render_pdf_chunked(&input, &options, chunk)?,
    };
    let wall = started.elapsed();
    let cpu = cpu_time().saturating_sub(cpu_before);
    let peak = vm_kib("VmHWM:").unwrap_or(0);
    println!(
        "{} issues, chunk {}: {} pages, {} bytes in {:.2} s wall, {:.2} s CPU; RSS before {} MiB, peak {} MiB{}",
        input.issues.len(),
        args.chunk
            .map_or_else(|| "default".to_owned(), |c| c.to_string()),
        pdf.pages,
        pdf.bytes.len(),
        wall.as_secs_f64(),
        cpu.as_secs_f64(),
        before / 1024,
        peak / 1024,
        if reset {
            ""
        } else {
            " (lifetime peak: clear_refs refused)"
        }
    );
    if let Some(out) = &args.out {
        std::fs::write(out, &pdf.bytes)?;
    }
    Ok(())
}

/// User + system CPU time of the process so far.
fn cpu_time() -> Duration {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return Duration::ZERO;
    };
    // Fields after the command name (which is in parentheses): utime is the 14th field.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // `after` starts at field 3 (state), so utime (14) is index 11 and stime (15) index 12.
    let total = ticks(11) + ticks(12);
    Duration::from_millis(total * 10)
}
