//! The `leadflow` command (`functions/local`): run the whole product on one machine, or
//! run its maintenance commands.

mod bench;
mod bench_analytics;
mod bench_auth;
mod bench_follow_ups;
mod bench_webhooks;
mod eval;
mod users;

use std::net::SocketAddr;
use std::process::ExitCode;

use crate::app::AppState;
use crate::config::Config;
use crate::queue::LocalJobs;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "leadflow", version, about = "Leadflow: an AI front desk for inbound leads")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve every route family on one address, with migrations applied first.
    Serve {
        #[arg(long, env = "LEADFLOW_ADDR", default_value = "127.0.0.1:3000")]
        addr: SocketAddr,
        /// The built dashboard and widget to serve at `/` and `/widget.js` (default:
        /// `web/dist` when it holds a build).
        #[arg(long, env = "WEB_DIST_DIR")]
        web_dir: Option<std::path::PathBuf>,
    },
    /// Apply pending Postgres migrations and create MongoDB indexes.
    Migrate,
    /// Manage staff users (the first admin; afterwards use /api/users).
    Users {
        #[command(subcommand)]
        command: users::UsersCommand,
    },
    /// Print the OpenAPI document served at /api/openapi.json (the dashboard's typed
    /// client is generated from it at build time, without a running server).
    Openapi,
    /// Score message analysis on a labelled JSONL file (see ../shared/eval/README.md).
    Eval {
        file: std::path::PathBuf,
        #[arg(long, value_enum, default_value_t = Engine::Rules)]
        engine: Engine,
        /// Also print every line the engine got wrong, and how.
        #[arg(long)]
        misses: bool,
    },
    /// Time the open-slot computation in process: prints p50 and p99 in microseconds and
    /// the number of open slots (for scripts/bench.sh).
    #[command(hide = true)]
    BenchAvailability {
        #[arg(long, default_value_t = 500)]
        bookings: usize,
        #[arg(long, default_value_t = 14)]
        days: i64,
        #[arg(long, default_value_t = 2000)]
        runs: usize,
    },
    /// Time what the caller check adds to a request, in process (for scripts/bench.sh;
    /// uses the configured databases for one API key).
    #[command(hide = true)]
    BenchAuth {
        #[arg(long, default_value_t = 20_000)]
        runs: usize,
    },
    /// Time one dispatch of `due` due follow-ups and `sends` of them through the send job
    /// against a loopback fake provider (for scripts/bench.sh; uses the configured
    /// databases, which it fills).
    #[command(hide = true)]
    BenchFollowUps {
        #[arg(long, default_value_t = 100_000)]
        due: usize,
        #[arg(long, default_value_t = 5000)]
        sends: usize,
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
    },
    /// Time the analytics rollups' full and incremental refresh and the summary over
    /// `messages` messages of `leads` leads (for scripts/bench.sh; uses the configured
    /// databases, which it fills).
    #[command(hide = true)]
    BenchAnalytics {
        #[arg(long, default_value_t = 100_000)]
        messages: usize,
        #[arg(long, default_value_t = 10_000)]
        leads: usize,
        #[arg(long, default_value_t = 200)]
        runs: usize,
    },
    /// Time outbound webhook fan-out: `events` events to `endpoints` loopback endpoints
    /// (for scripts/bench.sh; uses the configured databases, which it fills).
    #[command(hide = true)]
    BenchWebhooks {
        #[arg(long, default_value_t = 10_000)]
        events: usize,
        #[arg(long, default_value_t = 3)]
        endpoints: usize,
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum Engine {
    /// The offline rules engine.
    Rules,
    /// The OpenAI engine (OPENAI_API_KEY, OPENAI_MODEL, OPENAI_BASE_URL), rules as fallback.
    Openai,
}

/// Parses the command line and runs the command.
pub async fn main() -> ExitCode {
    crate::telemetry::init();
    let cli = Cli::parse();
    // The long-running commands hold the whole configuration in their futures; boxed, they
    // keep this one small (clippy's large_futures).
    let result = match cli.command {
        Command::Serve { addr, web_dir } => Box::pin(serve(addr, web_dir)).await,
        Command::Migrate => migrate().await,
        Command::Openapi => print_openapi(),
        Command::Users { command } => users::run(command).await,
        Command::Eval { file, engine, misses } => eval::eval(&file, engine, misses).await,
        Command::BenchAvailability { bookings, days, runs } => bench::availability(bookings, days, runs),
        Command::BenchAuth { runs } => bench_auth::auth(runs).await,
        Command::BenchFollowUps { due, sends, concurrency } => {
            Box::pin(bench_follow_ups::follow_ups(due, sends, concurrency)).await
        }
        Command::BenchAnalytics { messages, leads, runs } => {
            Box::pin(bench_analytics::analytics(messages, leads, runs)).await
        }
        Command::BenchWebhooks { events, endpoints, concurrency } => {
            Box::pin(bench_webhooks::webhooks(events, endpoints, concurrency)).await
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("leadflow: {e}");
            ExitCode::FAILURE
        }
    }
}

/// A reader that stops early (`| head`) ends the command quietly, as other CLIs do.
fn print_openapi() -> Result<(), String> {
    use std::io::Write;
    match writeln!(std::io::stdout().lock(), "{:#}", crate::api::openapi::json()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(format!("cannot write the document: {e}")),
        Ok(()) | Err(_) => Ok(()),
    }
}

async fn migrate() -> Result<(), String> {
    let config = Config::from_env().map_err(|e| e.to_string())?;
    prepare(config).await.map(|_| ())
}

/// Builds the state, applies migrations and creates indexes.
async fn prepare(config: Config) -> Result<(AppState, Option<LocalJobs>), String> {
    // Boxed: building every client makes a large future, which each command would carry.
    let (state, jobs) = Box::pin(AppState::build(config)).await.map_err(|e| e.to_string())?;
    let applied = crate::store::migrate::run(&state.db).await.map_err(|e| format!("cannot migrate Postgres: {e}"))?;
    if applied.is_empty() {
        tracing::info!("postgres schema is up to date");
    } else {
        tracing::info!(?applied, "applied migrations");
    }
    state.mongo.ensure_indexes().await.map_err(|e| format!("cannot create MongoDB indexes: {e}"))?;
    Ok((state, jobs))
}

async fn serve(addr: SocketAddr, web_dir: Option<std::path::PathBuf>) -> Result<(), String> {
    let mut config = Config::from_env().map_err(|e| e.to_string())?;
    if config.api_keys.is_empty() {
        if !addr.ip().is_loopback() {
            return Err(format!("refusing to serve on {addr} without LEADFLOW_API_KEYS; set keys or bind 127.0.0.1"));
        }
        tracing::warn!("LEADFLOW_API_KEYS is not set: staff routes are open on this loopback address");
        config.auth_disabled = true;
    }
    let (state, jobs) = prepare(config).await?;
    tracing::info!(engine = state.ai.engine, "message analysis engine");
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    tracing::info!("leadflow listening on http://{addr}");
    let web_dir = crate::api::web::dist_dir(web_dir);
    match &web_dir {
        Some(dir) if dir.join("index.html").is_file() => {
            tracing::info!(dir = %dir.display(), "serving the dashboard at /");
        }
        Some(dir) => {
            tracing::warn!(dir = %dir.display(), "no index.html here: build the dashboard (npm run build in web/)");
        }
        None => tracing::info!("no dashboard build (web/dist): serving the API only"),
    }
    crate::server::run(state, jobs, listener, web_dir, shutdown_signal()).await.map_err(|e| e.to_string())?;
    tracing::info!("leadflow stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
