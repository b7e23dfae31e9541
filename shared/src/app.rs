//! `AppState`: every client and pool, built once per execution environment (before the
//! Lambda runtime loop starts, or once for `leadflow serve`) and shared by handlers.

use std::sync::Arc;

use secrecy::ExposeSecret;

use crate::config::{Config, ConfigError, in_lambda};
use crate::store::mongo::Mongo;
use crate::store::{Db, DbOptions, StoreError};

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub mongo: Mongo,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Migrate(#[from] crate::store::migrate::MigrateError),
}

impl AppState {
    /// Builds pools and clients. Nothing connects yet: the first request does, so a cold
    /// start does not wait on the databases.
    pub async fn build(config: Config) -> Result<Self, StartError> {
        let db = Db::connect(
            config.database_url.expose_secret(),
            &DbOptions {
                pool_size: config.database_pool_size,
                ca_file: config.database_ca_file.clone(),
                ..DbOptions::default()
            },
        )?;
        let mongo_pool = if in_lambda() { 2 } else { 10 };
        let mongo = Mongo::connect(
            config.mongodb_uri.expose_secret(),
            &config.mongodb_database,
            mongo_pool,
        )
        .await?;
        Ok(Self::from_parts(config, db, mongo))
    }

    pub fn from_parts(config: Config, db: Db, mongo: Mongo) -> Self {
        Self {
            config: Arc::new(config),
            db,
            mongo,
        }
    }
}

/// Start-up for a Lambda function: logging, configuration, state. A failure prints one
/// line and exits, which Lambda reports as an init error.
pub async fn init_lambda() -> AppState {
    crate::telemetry::init();
    let built = match Config::from_env() {
        Ok(config) => AppState::build(config).await,
        Err(e) => Err(e.into()),
    };
    built.unwrap_or_else(|e| {
        eprintln!("leadflow: {e}");
        std::process::exit(2)
    })
}
