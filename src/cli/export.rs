//! `jira-gateway export`: issues to a PDF report from the command line, with the service
//! account's Jira settings. Fetching is [`crate::export::fetch`]; rendering runs on the
//! blocking pool ([`crate::export::render_pdf_blocking`]).
//!
//! Exit codes: 0 written; 1 Jira or rendering failed (Jira's own message is printed); 2 bad
//! input (arguments, missing credentials, unreadable files, template errors with
//! `file:line:column`).

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::{ArgGroup, Args, ValueEnum};
use secrecy::{ExposeSecret as _, SecretString};

use crate::config::JiraClientArgs;
use crate::export::fetch::{DEFAULT_MAX_ISSUES, FetchError, fetch_report_detailed};
use crate::export::{
    ExportError, ExportQuery, FontOptions, Paper, RenderOptions, Sections, Template, init_fonts,
    render_pdf_blocking, validate_options,
};
use crate::jira::{ClientConfig, JiraAuth, JiraClient, SiteBudget, site_base};

fn secret(value: &str) -> Result<SecretString, String> {
    Ok(SecretString::from(value.to_owned()))
}

/// The Jira account an offline command acts as: the same variables as the service account
/// of `serve`.
#[derive(Debug, Clone, Args)]
pub struct JiraAccountArgs {
    /// Jira site URL (e.g. https://acme.atlassian.net).
    #[arg(long, env = "JIRA_BASE_URL")]
    pub jira_base_url: Option<String>,
    /// E-mail of the Jira account.
    #[arg(long, env = "JIRA_EMAIL")]
    pub jira_email: Option<String>,
    /// API token of the Jira account.
    #[arg(long, env = "JIRA_API_TOKEN", hide_env_values = true, value_parser = secret)]
    pub jira_api_token: Option<SecretString>,
}

/// Settings of `jira-gateway export`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("source").required(true).multiple(true).args(["jql", "keys"])))]
pub struct ExportArgs {
    /// JQL query of the issues to export, in its order (e.g. "project = DEMO ORDER BY key").
    #[arg(long)]
    pub jql: Option<String>,
    /// Issue keys, comma-separated; exported first, in this order.
    #[arg(long, value_delimiter = ',', value_name = "KEYS")]
    pub keys: Vec<String>,
    /// Built-in template: one issue after the other, or a report with cover, charts and
    /// contents.
    #[arg(long, value_enum, default_value_t = TemplateArg::Report)]
    pub template: TemplateArg,
    /// A typst template of your own, replacing the built-in one. It reads
    /// `json("/data.json")` and may `#import "/lib.typ": *`.
    #[arg(long, value_name = "FILE")]
    pub template_file: Option<PathBuf>,
    /// Where to write the PDF.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub out: PathBuf,
    /// Document title (cover and PDF metadata).
    #[arg(long)]
    pub title: Option<String>,
    /// Paper size.
    #[arg(long, value_enum, default_value_t = PaperArg::A4)]
    pub paper: PaperArg,
    /// Landscape pages.
    #[arg(long)]
    pub landscape: bool,
    /// Language of labels and dates (en, ru, th, de, ja, …).
    #[arg(long, default_value = "en")]
    pub locale: String,
    /// Accent colour, #rrggbb or #rgb.
    #[arg(long, default_value = "#0052cc")]
    pub accent: String,
    /// Logo for the cover and page header: PNG, JPEG, GIF, WebP or SVG.
    #[arg(long, value_name = "FILE")]
    pub logo: Option<PathBuf>,
    /// Extra fonts for scripts the embedded ones lack, e.g. /usr/share/fonts/opentype/noto
    /// for Japanese, Chinese and Korean.
    #[arg(long, value_name = "DIR")]
    pub font_dir: Option<PathBuf>,
    /// Refuse queries matching more issues than this.
    #[arg(long, default_value_t = DEFAULT_MAX_ISSUES)]
    pub max_issues: usize,
    #[command(flatten)]
    pub jira: JiraAccountArgs,
    // Timeouts, retries and the request budget, as for `serve`.
    #[command(flatten)]
    pub jira_client: JiraClientArgs,
}

/// `--template`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TemplateArg {
    Issue,
    Report,
}

/// `--paper`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PaperArg {
    A4,
    Letter,
}

/// Why the command failed, and its exit code.
enum Failure {
    /// Exit 2: the user can fix the arguments or files.
    Input(String),
    /// Exit 1: Jira, the network or rendering failed.
    Failed(String),
}

impl From<FetchError> for Failure {
    fn from(error: FetchError) -> Self {
        match error {
            FetchError::NoQuery | FetchError::TooMany { .. } => {
                Self::Input(format!("{error}; narrow the query or raise --max-issues"))
            }
            FetchError::Jira(_) | FetchError::NotFound(_) | FetchError::IssueErrors(_) => {
                Self::Failed(error.to_string())
            }
        }
    }
}

/// Runs the command and prints any error; returns the exit code.
pub async fn run(args: ExportArgs) -> ExitCode {
    match export(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Failed(message)) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn export(args: ExportArgs) -> Result<(), Failure> {
    let started = Instant::now();
    // Everything that can be checked locally is checked before the first Jira call.
    let client = jira_client(&args.jira, &args.jira_client)?;
    let (options, template_name) = render_options(&args)?;
    check_output(&args.out)?;
    if let Some(dir) = &args.font_dir
        && !dir.is_dir()
    {
        return Err(Failure::Input(format!(
            "--font-dir {} is not a directory",
            dir.display()
        )));
    }
    let query = ExportQuery {
        jql: args.jql.clone(),
        keys: args.keys.clone(),
        sections: Sections::default(),
        max_issues: args.max_issues,
    };

    let progress = Progress::new();
    let fetched = fetch_report_detailed(&client, &query, |done, total| {
        progress.update(done, total);
    })
    .await;
    progress.finish();
    let fetched = fetched?;
    let fetch_time = started.elapsed();
    if !fetched.missing_keys.is_empty() {
        eprintln!(
            "warning: not found or not visible, left out: {}",
            fetched.missing_keys.join(", ")
        );
    }
    let issues = fetched.report.issues.len();
    if issues == 0 {
        eprintln!("warning: the query matched no issues");
    }

    if let Some(dir) = args.font_dir.clone() {
        let loaded = tokio::task::spawn_blocking(move || {
            init_fonts(&FontOptions {
                extra_dir: Some(dir),
            })
        })
        .await
        .map_err(|e| Failure::Failed(format!("loading fonts failed: {e}")))?;
        loaded.map_err(|e| Failure::Input(e.to_string()))?;
    }
    let spinner = Progress::rendering(issues);
    let rendered = render_pdf_blocking(fetched.report, options).await;
    spinner.finish();
    let pdf = rendered.map_err(|error| match error {
        ExportError::Template {
            message,
            line,
            column,
        } => Failure::Input(format!("{template_name}:{line}:{column}: {message}")),
        ExportError::InvalidOption(message) => Failure::Input(message),
        ExportError::Compile(message) => Failure::Failed(message),
    })?;
    write_atomically(&args.out, &pdf.bytes).await?;

    let total = started.elapsed();
    println!(
        "wrote {}: {}, {} bytes ({}), {} in {:.1} s (Jira {:.1} s, {} calls; rendering {:.1} s)",
        args.out.display(),
        plural(pdf.pages, "page"),
        pdf.bytes.len(),
        human_size(pdf.bytes.len()),
        plural(issues, "issue"),
        total.as_secs_f64(),
        fetch_time.as_secs_f64(),
        fetched.calls.total(),
        total.saturating_sub(fetch_time).as_secs_f64(),
    );
    tracing::debug!(jira.calls = ?fetched.calls, "export calls");
    Ok(())
}

/// A client for the configured account, or a clear message naming what is missing.
fn jira_client(account: &JiraAccountArgs, limits: &JiraClientArgs) -> Result<JiraClient, Failure> {
    let missing: Vec<&str> = [
        ("JIRA_BASE_URL", account.jira_base_url.is_none()),
        ("JIRA_EMAIL", account.jira_email.is_none()),
        ("JIRA_API_TOKEN", account.jira_api_token.is_none()),
    ]
    .iter()
    .filter(|(_, absent)| *absent)
    .map(|(name, _)| *name)
    .collect();
    let (Some(url), Some(email), Some(token)) = (
        &account.jira_base_url,
        &account.jira_email,
        &account.jira_api_token,
    ) else {
        return Err(Failure::Input(format!(
            "missing Jira credentials: set {} (or --jira-base-url, --jira-email, --jira-api-token)",
            missing.join(", ")
        )));
    };
    // The URL is not echoed: it may carry user:password@.
    let base =
        site_base(url).map_err(|e| Failure::Input(format!("JIRA_BASE_URL is not a URL: {e}")))?;
    // The same budget settings as `serve` (JIRA_REQUESTS_PER_SECOND, …); an export may wait
    // out rate limits longer than an interactive query would.
    let configured = limits.client();
    let config = ClientConfig {
        max_wait: configured.max_wait.max(crate::export::EXPORT_MAX_WAIT),
        ..configured
    };
    let http = config
        .http_client()
        .map_err(|e| Failure::Failed(format!("cannot build the HTTP client: {e}")))?;
    let budget = Arc::new(SiteBudget::new(config.budget_limits()));
    let auth = JiraAuth::basic(email.clone(), token.expose_secret().to_owned());
    Ok(JiraClient::new(http, base, auth, config, budget))
}

/// The render options from the arguments, and the name template errors are reported under.
fn render_options(args: &ExportArgs) -> Result<(RenderOptions, String), Failure> {
    let custom_template = match &args.template_file {
        None => None,
        Some(path) => Some(std::fs::read_to_string(path).map_err(|e| {
            Failure::Input(format!("cannot read template file {}: {e}", path.display()))
        })?),
    };
    let logo = match &args.logo {
        None => None,
        Some(path) => Some(
            std::fs::read(path)
                .map_err(|e| Failure::Input(format!("cannot read logo {}: {e}", path.display())))?,
        ),
    };
    let options = RenderOptions {
        template: match args.template {
            TemplateArg::Issue => Template::Issue,
            TemplateArg::Report => Template::Report,
        },
        title: args.title.clone(),
        paper: match args.paper {
            PaperArg::A4 => Paper::A4,
            PaperArg::Letter => Paper::Letter,
        },
        landscape: args.landscape,
        locale: args.locale.clone(),
        accent_color: args.accent.clone(),
        logo,
        sections: Sections::default(),
        custom_template,
    };
    validate_options(&options).map_err(|e| Failure::Input(e.to_string()))?;
    let name = args
        .template_file
        .as_ref()
        .map_or_else(|| "template".to_owned(), |p| p.display().to_string());
    Ok((options, name))
}

/// Refuses an output path whose directory does not exist, before any work is done.
fn check_output(out: &Path) -> Result<(), Failure> {
    if out.is_dir() {
        return Err(Failure::Input(format!(
            "--out {} is a directory",
            out.display()
        )));
    }
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(parent) = parent
        && !parent.is_dir()
    {
        return Err(Failure::Input(format!(
            "--out: directory {} does not exist",
            parent.display()
        )));
    }
    Ok(())
}

/// Writes next to the target and renames, so a failed write never leaves half a PDF behind.
async fn write_atomically(out: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let mut partial = out.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let failed =
        |e: std::io::Error| Failure::Failed(format!("cannot write {}: {e}", out.display()));
    tokio::fs::write(&partial, bytes).await.map_err(failed)?;
    if let Err(e) = tokio::fs::rename(&partial, out).await {
        let _ = tokio::fs::remove_file(&partial).await;
        return Err(failed(e));
    }
    Ok(())
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn human_size(bytes: usize) -> String {
    let bytes = bytes as f64;
    if bytes >= 1024.0 * 1024.0 {
        format!("{:.1} MB", bytes / (1024.0 * 1024.0))
    } else {
        format!("{:.0} KB", (bytes / 1024.0).max(1.0))
    }
}

/// Progress on stderr: a bar on a terminal, otherwise one line per ~10 %.
enum Progress {
    Bar(indicatif::ProgressBar),
    Lines { last_decile: AtomicUsize },
}

impl Progress {
    fn new() -> Self {
        if !std::io::stderr().is_terminal() {
            return Self::Lines {
                last_decile: AtomicUsize::new(0),
            };
        }
        // A spinner until Jira says how many issues there are, then a bar.
        let bar = indicatif::ProgressBar::new_spinner().with_message("asking Jira");
        bar.enable_steady_tick(Duration::from_millis(120));
        Self::Bar(bar)
    }

    /// A spinner while typst renders (no progress to report from inside the compiler).
    fn rendering(issues: usize) -> Self {
        let message = format!("rendering {} to PDF", plural(issues, "issue"));
        if !std::io::stderr().is_terminal() {
            eprintln!("{message}…");
            return Self::Lines {
                last_decile: AtomicUsize::new(10),
            };
        }
        let bar = indicatif::ProgressBar::new_spinner().with_message(message);
        bar.enable_steady_tick(Duration::from_millis(120));
        Self::Bar(bar)
    }

    fn update(&self, done: usize, total: usize) {
        match self {
            Self::Bar(bar) => {
                if bar.length().is_none()
                    && let Ok(style) = indicatif::ProgressStyle::with_template(
                        "{spinner} fetching {bar:30} {pos}/{len} issues  {elapsed}",
                    )
                {
                    bar.set_style(style.progress_chars("=> "));
                }
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            }
            Self::Lines { last_decile } => {
                if total == 0 {
                    return;
                }
                let decile = (done * 10 / total).min(10);
                if decile > last_decile.fetch_max(decile, Ordering::Relaxed) {
                    eprintln!("exported {done}/{total} issues");
                }
            }
        }
    }

    fn finish(&self) {
        if let Self::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}
