//! `leadflow`: run the whole product on one machine, or run its maintenance commands.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use leadflow::app::AppState;
use leadflow::config::Config;
use leadflow::queue::LocalJobs;

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
    },
    /// Apply pending Postgres migrations and create MongoDB indexes.
    Migrate,
    /// Score message analysis on a labelled JSONL file (see ../shared/eval/README.md).
    Eval {
        file: std::path::PathBuf,
        #[arg(long, value_enum, default_value_t = Engine::Rules)]
        engine: Engine,
        /// Also print every line the engine got wrong, and how.
        #[arg(long)]
        misses: bool,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Engine {
    /// The offline rules engine.
    Rules,
    /// The OpenAI engine (OPENAI_API_KEY, OPENAI_MODEL, OPENAI_BASE_URL), rules as fallback.
    Openai,
}

#[tokio::main]
async fn main() -> ExitCode {
    leadflow::telemetry::init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve { addr } => serve(addr).await,
        Command::Migrate => migrate().await,
        Command::Eval { file, engine, misses } => eval(&file, engine, misses).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("leadflow: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn eval(file: &std::path::Path, engine: Engine, misses: bool) -> Result<(), String> {
    use leadflow::ai::eval::{parse_jsonl, score};
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let examples = parse_jsonl(&text).map_err(|e| format!("{}: {e}", file.display()))?;
    let ai = match engine {
        Engine::Rules => leadflow::ai::Ai::rules(),
        Engine::Openai => {
            let settings = leadflow::config::openai_from_env()
                .map_err(|e| e.to_string())?
                .ok_or("--engine openai needs OPENAI_API_KEY")?;
            leadflow::ai::Ai::openai(leadflow::ai::openai::OpenAiEngine::new(&settings).map_err(|e| e.to_string())?)
        }
    };
    let mut pairs = Vec::with_capacity(examples.len());
    for example in &examples {
        let analysis = ai.analyzer.analyze(&example.input()).await.map_err(|e| format!("{}: {e}", example.id))?;
        pairs.push((example, analysis));
    }
    // Written in one go, ignoring a closed pipe (`leadflow eval ... | head`).
    let mut out = String::new();
    if misses {
        for (e, a) in &pairs {
            let mut wrong = Vec::new();
            if a.intent != e.intent {
                wrong.push(format!("intent {} (want {}, confidence {:.2})", a.intent, e.intent, a.confidence));
            }
            if a.team != e.team {
                wrong.push(format!("team {} (want {})", a.team, e.team));
            }
            if a.urgency != e.urgency {
                wrong.push(format!("urgency {} (want {})", a.urgency, e.urgency));
            }
            if a.entities != e.entities {
                wrong.push(format!("entities {:?} (want {:?})", a.entities, e.entities));
            }
            if !wrong.is_empty() {
                out.push_str(&format!("{}: {}\n    {}\n", e.id, wrong.join("; "), e.message.text.replace('\n', " ")));
            }
        }
    }
    let scores = score(&pairs);
    out.push_str(&format!("{} ({} engine)\n{scores}\n", file.display(), ai.engine));
    out.push_str(&format!(
        "intent={:.2} team={:.2} urgency={:.2} entity_f1={:.2}\n",
        scores.intent, scores.team, scores.urgency, scores.entity_f1
    ));
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    Ok(())
}

async fn migrate() -> Result<(), String> {
    let config = Config::from_env().map_err(|e| e.to_string())?;
    prepare(config).await.map(|_| ())
}

/// Builds the state, applies migrations and creates indexes.
async fn prepare(config: Config) -> Result<(AppState, Option<LocalJobs>), String> {
    let (state, jobs) = AppState::build(config).await.map_err(|e| e.to_string())?;
    let applied =
        leadflow::store::migrate::run(&state.db).await.map_err(|e| format!("cannot migrate Postgres: {e}"))?;
    if applied.is_empty() {
        tracing::info!("postgres schema is up to date");
    } else {
        tracing::info!(?applied, "applied migrations");
    }
    state.mongo.ensure_indexes().await.map_err(|e| format!("cannot create MongoDB indexes: {e}"))?;
    Ok((state, jobs))
}

async fn serve(addr: SocketAddr) -> Result<(), String> {
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
    leadflow::server::run(state, jobs, listener, shutdown_signal()).await.map_err(|e| e.to_string())?;
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
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
