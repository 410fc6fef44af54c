//! The command line: `serve`, `demo`, `sim`, `schema`, `export`.
//!
//! `export` lives in `cli/export.rs`.

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::app::App;
use crate::config::{Config, JiraClientArgs};
use crate::sim::{self, SimConfig};

mod export;

pub use export::{ExportArgs, JiraAccountArgs};

#[derive(Debug, Parser)]
#[command(
    name = "jira-gateway",
    version,
    about = "A GraphQL gateway over Jira Cloud, with a simulated Jira site"
)]
pub struct Cli {
    /// Log as JSON lines instead of human-readable text.
    #[arg(long, env = "LOG_FORMAT_JSON", global = true)]
    pub log_json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the gateway.
    Serve(Box<Config>),
    /// Run the gateway and a simulated Jira site with seeded data in one process.
    Demo(DemoArgs),
    /// Run the simulated Jira Cloud site alone (tests, benchmarks, frontend work).
    Sim(SimArgs),
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Render issues to a PDF report (a JQL query and/or issue keys).
    Export(Box<ExportArgs>),
}

#[derive(Debug, Args)]
pub struct SimArgs {
    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "SIM_PORT", default_value_t = 9000)]
    pub port: u16,
    /// Address to bind.
    #[arg(long, env = "SIM_BIND", default_value = "127.0.0.1")]
    pub bind: IpAddr,
    #[command(flatten)]
    pub site: SimConfig,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Port of the gateway (0 picks a free one).
    #[arg(long, env = "PORT", default_value_t = 8080)]
    pub port: u16,
    /// Port of the simulated Jira site (0 picks a free one).
    #[arg(long, env = "SIM_PORT", default_value_t = 0)]
    pub sim_port: u16,
    /// The simulated user the gateway's service account acts as.
    #[arg(long = "as", default_value = "admin@demo.test")]
    pub act_as: String,
    #[command(flatten)]
    pub site: SimConfig,
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    crate::telemetry::init(cli.log_json);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(cli.command));
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Sim(args) => run_sim(args).await,
        Command::Serve(config) => run_serve(*config).await,
        Command::Demo(args) => run_demo(args).await,
        Command::Schema => {
            print!("{}", crate::graphql::sdl());
            Ok(ExitCode::SUCCESS)
        }
        Command::Export(args) => Ok(export::run(*args).await),
    }
}

async fn shutdown_signal() {
    let _ = tokio::signal::ctrl_c().await;
    tracing::info!("shutting down");
}

async fn run_serve(config: Config) -> anyhow::Result<ExitCode> {
    let app = App::build(config).await?;
    let addr = app.local_addr()?;
    tracing::info!(%addr, "gateway listening");
    if app.state().service_account.is_none() {
        tracing::warn!(
            "no Jira credentials configured: set JIRA_BASE_URL, JIRA_EMAIL and JIRA_API_TOKEN"
        );
    }
    app.run_until(shutdown_signal()).await?;
    Ok(ExitCode::SUCCESS)
}

async fn run_demo(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let sim_listener =
        tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], args.sim_port))).await?;
    let site = sim::spawn(args.site, sim_listener).await?;
    let (email, token) = {
        let data = site.state.data.read();
        let user = data.user_by_email(&args.act_as).ok_or_else(|| {
            anyhow::anyhow!(
                "no simulated user {}; see the list printed by `jira-gateway sim`",
                args.act_as
            )
        })?;
        (user.email.clone(), user.api_token.clone())
    };
    // The OAuth callback URL must be known before binding: settle the port first.
    let port = match args.port {
        0 => std::net::TcpListener::bind(("127.0.0.1", 0))?
            .local_addr()?
            .port(),
        port => port,
    };
    let gateway = format!("http://127.0.0.1:{port}");
    let base = site.base_url().to_string();
    // Logins use a fresh SQLite file and throw-away keys: demo sessions end with the process.
    let database =
        std::env::temp_dir().join(format!("jira-gateway-demo-{}.db", std::process::id()));
    let random_key = crate::store::crypto::random_key;
    let config = Config {
        port,
        jira_base_url: Some(base.clone()),
        jira_email: Some(email.clone()),
        jira_api_token: Some(secrecy::SecretString::from(token)),
        // The simulated site answers in microseconds: retry fast.
        jira_client: JiraClientArgs {
            jira_retry_base_ms: 200,
            ..JiraClientArgs::default()
        },
        database_url: format!("sqlite://{}", database.display()),
        jwt_secret: Some(secrecy::SecretString::from(random_key())),
        encryption_key: Some(secrecy::SecretString::from(random_key())),
        allowed_sites: vec!["127.0.0.1".into()],
        oauth_client_id: Some(site.state.config.oauth_client_id.clone()),
        oauth_client_secret: Some(secrecy::SecretString::from(
            site.state.config.oauth_client_secret.clone(),
        )),
        oauth_redirect_url: Some(format!("{gateway}/auth/callback")),
        frontend_url: format!("{gateway}/graphql"),
        oauth_authorize_url: format!("{base}/authorize"),
        oauth_token_url: format!("{base}/oauth/token"),
        oauth_resources_url: format!("{base}/oauth/token/accessible-resources"),
        atlassian_api_base: base.clone(),
        ..Config::default()
    };
    let app = App::build(config).await?;
    let url = format!("{gateway}/graphql");
    println!("Simulated Jira site: {base}");
    print_users(&site);
    println!();
    println!("GraphiQL: {url}   (without a login the gateway acts as {email})");
    println!("A first query to paste:");
    println!(
        "  {{ viewer {{ displayName }} issues(jql: \"project = DEMO ORDER BY updated DESC\", first: 5) {{ totalCount edges {{ node {{ key summary status {{ name }} assignee {{ displayName }} comments(first: 2) {{ edges {{ node {{ author {{ displayName }} body {{ text }} }} }} }} }} }} }} }}"
    );
    println!("Or from a shell:");
    println!(
        "  curl -s {url} -H 'content-type: application/json' -d '{{\"query\":\"{{ issues(jql: \\\"project = DEMO\\\", first: 3) {{ edges {{ node {{ key summary }} }} }} }}\"}}'"
    );
    println!();
    println!(
        "Log in as another user (an API-token login; then send Authorization: Bearer <accessToken>):"
    );
    println!(
        "  curl -s {gateway}/auth/login -H 'content-type: application/json' -d '{{\"siteUrl\":\"{base}\",\"email\":\"viewer@demo.test\",\"apiToken\":\"viewer-token\"}}'"
    );
    println!("Or the OAuth 2.0 login in a browser: {gateway}/auth/login?provider=atlassian");
    app.run_until(shutdown_signal()).await?;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", database.display()));
    }
    Ok(ExitCode::SUCCESS)
}

async fn run_sim(args: SimArgs) -> anyhow::Result<ExitCode> {
    let listener = tokio::net::TcpListener::bind(SocketAddr::new(args.bind, args.port)).await?;
    let issues = args.site.issues;
    let handle = sim::spawn(args.site, listener).await?;
    println!(
        "Simulated Jira Cloud site at {} ({issues} issues, cloud id {})",
        handle.base_url(),
        handle.cloud_id()
    );
    print_users(&handle);
    println!(
        "Try: curl -u admin@demo.test:admin-token '{}/rest/api/3/search/jql?jql=project%3DDEMO&fields=summary,status&maxResults=5'",
        handle.base_url()
    );
    println!(
        "Request log: {0}/_sim/requests   Faults: {0}/_sim/faults",
        handle.base_url()
    );
    tokio::signal::ctrl_c().await?;
    Ok(ExitCode::SUCCESS)
}

/// Prints the site's users and API tokens (all of them are demo credentials).
pub fn print_users(handle: &sim::SimHandle) {
    let data = handle.state.data.read();
    println!("{:<22} {:<16} {:<8} name", "email", "API token", "sees SEC");
    for user in &data.users {
        println!(
            "{:<22} {:<16} {:<8} {}",
            user.email,
            user.api_token,
            if user.admin { "yes" } else { "no" },
            user.display_name
        );
    }
}
