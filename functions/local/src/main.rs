//! `leadflow`: the whole product on one machine (`serve`), and its maintenance commands.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // Boxed: the command's future holds every subcommand's state.
    Box::pin(leadflow::cli::main()).await
}
