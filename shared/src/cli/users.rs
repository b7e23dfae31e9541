//! `leadflow users create`: the first admin of a deployment (after that, admins manage
//! users over `/api/users`). The password comes from stdin or `LEADFLOW_PASSWORD`,
//! never from an argument, which `ps` and shell history would show.

use std::io::BufRead;

use crate::auth::password::Password;
use crate::config::Config;
use crate::domain::Email;
use crate::domain::access::Role;
use crate::domain::text::ShortText;
use crate::domain::user::NewUser;

#[derive(clap::Subcommand)]
pub(crate) enum UsersCommand {
    /// Create a staff user (reads the password from stdin, or LEADFLOW_PASSWORD).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, default_value = "admin")]
        role: String,
        /// Link the user to this agent record (tasks assigned to them).
        #[arg(long)]
        agent_id: Option<uuid::Uuid>,
    },
}

pub(crate) async fn run(command: UsersCommand) -> Result<(), String> {
    match command {
        UsersCommand::Create { email, name, role, agent_id } => create(&email, name, &role, agent_id).await,
    }
}

async fn create(email: &str, name: Option<String>, role: &str, agent_id: Option<uuid::Uuid>) -> Result<(), String> {
    let email = Email::parse(email).map_err(|e| format!("--email {e}"))?;
    let role: Role = role.parse().map_err(|e| format!("--role {e}"))?;
    let name = name.unwrap_or_else(|| email.as_str().split('@').next().unwrap_or("admin").to_owned());
    let name = ShortText::parse(&name).map_err(|e| format!("--name {e}"))?;
    let raw = match std::env::var("LEADFLOW_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            eprintln!("password (12 to 128 characters), then Enter:");
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line).map_err(|e| format!("cannot read the password: {e}"))?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    let password = Password::parse(&raw).map_err(|e| format!("the password {e}"))?;
    let config = Config::from_env().map_err(|e| e.to_string())?;
    let (state, _) = super::prepare(config).await?;
    let user = state
        .users()
        .create(&NewUser { email, name, role, agent_id }, &password)
        .await
        .map_err(|e| format!("cannot create the user: {e}"))?;
    println!("{}", serde_json::to_string(&user).map_err(|e| e.to_string())?);
    Ok(())
}
