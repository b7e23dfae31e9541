//! `leadflow`: the whole product on one machine (`serve`), and its maintenance commands.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    leadflow::cli::main().await
}
