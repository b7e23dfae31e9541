//! `AppState`: every client and pool, built once per execution environment (before the
//! Lambda runtime loop starts, or once for `leadflow serve`) and shared by handlers.
//! Each port gets its AWS adapter when its resource is configured, else the in-process one.

use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use crate::ai::Ai;
use crate::ai::openai::OpenAiEngine;
use crate::auth::Authenticator;
use crate::auth::jwks::JwksVerifier;
use crate::bus::{EventBridgeBus, EventBus, LocalBus};
use crate::channels::sendgrid::SendGridSender;
use crate::channels::twilio::TwilioSender;
use crate::channels::watched::Watched;
use crate::channels::{Sender, Senders};
use crate::config::{Config, ConfigError, in_lambda};
use crate::domain::provider::Provider;
use crate::idempotency::{DynamoIdempotency, IdempotencyStore, MemoryIdempotency};
use crate::integrations::Integrations;
use crate::integrations::google_calendar::GoogleCalendarClient;
use crate::integrations::salesforce::SalesforceClient;
use crate::integrations::slack::SlackNotifier;
use crate::integrations::stripe::StripeClient;
use crate::integrations::webhooks::{SystemLookup, WebhookSender};
use crate::provider_log::{PgProviderLog, ProviderLog, Watch};
use crate::queue::{JobQueue, LocalJobs, LocalQueue, SqsQueue};
use crate::ratelimit::{DynamoRateLimiter, MemoryRateLimiter, RateLimiter};
use crate::services::Relay;
use crate::store::mongo::Mongo;
use crate::store::{Db, DbOptions, StoreError};

mod services;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub mongo: Mongo,
    pub queue: Arc<dyn JobQueue>,
    pub idempotency: Arc<dyn IdempotencyStore>,
    pub rate_limiter: Arc<dyn RateLimiter>,
    pub bus: Arc<dyn EventBus>,
    /// Publishes what services wrote to the outbox.
    pub relay: Relay,
    pub ai: Ai,
    pub senders: Senders,
    pub integrations: Integrations,
    /// Key of the chat tokens handed to the website widget.
    pub chat_key: SecretString,
    /// Checks credentials: access tokens, API keys (cached), external tokens.
    pub auth: Arc<Authenticator>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Migrate(#[from] crate::store::migrate::MigrateError),
    #[error("{0}")]
    Ai(#[from] crate::ai::AiError),
}

/// Everything but the ports that have an AWS adapter.
struct Core {
    config: Arc<Config>,
    ai: Ai,
    senders: Senders,
    integrations: Integrations,
    chat_key: SecretString,
    external_idp: Option<JwksVerifier>,
}

/// The ports with an AWS adapter.
struct Ports {
    queue: Arc<dyn JobQueue>,
    idempotency: Arc<dyn IdempotencyStore>,
    rate_limiter: Arc<dyn RateLimiter>,
    bus: Arc<dyn EventBus>,
}

fn core(config: Config, db: &Db) -> Result<Core, StartError> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(5))
        .build()
        .map_err(|e| ConfigError::Invalid { name: "HTTP client", reason: e.to_string() })?;
    let p = &config.providers;
    let log: Arc<dyn ProviderLog> = Arc::new(PgProviderLog::new(db.clone()));
    let watch = |provider| Watch::new(provider).with_log(log.clone());
    let watched =
        |sender: Arc<dyn Sender>, provider| Arc::new(Watched::new(sender, watch(provider))) as Arc<dyn Sender>;
    let senders = Senders {
        sms: p.twilio.as_ref().map(|t| {
            // Twilio reports delivery only to a URL it can reach, so only with a public one.
            let status_callback = config
                .public_base_url
                .as_ref()
                .map(|base| format!("{base}{}", crate::api::webhooks::TWILIO_STATUS_PATH));
            let sender = TwilioSender::new(http.clone(), &t.api_base, &t.account_sid, t.auth_token.clone(), &t.from)
                .with_status_callback(status_callback);
            watched(Arc::new(sender), Provider::Twilio)
        }),
        email: p.sendgrid.as_ref().map(|s| {
            let from_name = s.from_name.clone().unwrap_or_else(|| "Leadflow".into());
            let sender = SendGridSender::new(http.clone(), &s.api_base, s.api_key.clone(), &s.from_email, &from_name);
            watched(Arc::new(sender), Provider::SendGrid)
        }),
    };
    let integrations = Integrations {
        slack: p
            .slack_webhook_url
            .as_ref()
            .map(|url| Arc::new(SlackNotifier::new(http.clone(), url.clone()).with_log(log.clone()))),
        salesforce: p
            .salesforce
            .as_ref()
            .map(|sf| Arc::new(SalesforceClient::new(http.clone(), sf.clone()).with_log(log.clone()))),
        google: p
            .google
            .as_ref()
            .map(|g| Arc::new(GoogleCalendarClient::new(http.clone(), g.clone()).with_log(log.clone()))),
        webhooks: WebhookSender::new(Arc::new(SystemLookup), config.allow_private_webhook_targets)
            .map_err(|e| ConfigError::Invalid { name: "webhook HTTP client", reason: e.to_string() })?,
        stripe: p.stripe.as_ref().map(|s| Arc::new(StripeClient::new(http.clone(), s).with_log(log.clone()))),
    };
    // The rules engine compiles its patterns on first use; do it now, not in a request.
    let _ = crate::ai::rules::analyze(&crate::domain::AnalysisInput {
        channel: crate::domain::Channel::Chat,
        subject: None,
        text: "warm-up".into(),
        fields: Default::default(),
    });
    let ai = match &p.openai {
        Some(settings) => Ai::openai_watched(OpenAiEngine::new(settings)?, watch(Provider::OpenAi)),
        None => Ai::rules(),
    };
    // Chat tokens must verify on every instance: a configured secret, else one derived
    // from the API keys; only a keyless local server uses a per-process random key.
    let chat_key = config
        .messaging
        .chat_secret
        .clone()
        .or_else(|| config.api_keys.first().map(|k| SecretString::from(format!("chat:{}", k.expose_secret()))))
        .unwrap_or_else(|| SecretString::from(uuid::Uuid::new_v4().to_string()));
    let external_idp = config.access.external.clone().map(|idp| JwksVerifier::new(http.clone(), idp));
    Ok(Core { config: Arc::new(config), ai, senders, integrations, chat_key, external_idp })
}

impl AppState {
    /// Builds pools, clients and adapters. Nothing connects yet: the first request does,
    /// so a cold start does not wait on the databases. Returns the in-process job
    /// receiver when jobs stay in this process (no `JOBS_QUEUE_URL`).
    pub async fn build(config: Config) -> Result<(Self, Option<LocalJobs>), StartError> {
        if in_lambda() {
            let aws = &config.aws;
            let required = [
                ("JOBS_QUEUE_URL", aws.jobs_queue_url.is_some()),
                ("TASKS_QUEUE_URL", aws.tasks_queue_url.is_some()),
                ("STATE_TABLE", aws.state_table.is_some()),
                ("EVENT_BUS_NAME", aws.event_bus_name.is_some()),
            ];
            if let Some((name, _)) = required.iter().find(|(_, set)| !set) {
                return Err(ConfigError::Missing { name, what: "required in AWS Lambda (set by template.yaml)" }.into());
            }
        }
        let db = Db::connect(
            config.database_url.expose_secret(),
            &DbOptions {
                pool_size: config.database_pool_size,
                ca_file: config.database_ca_file.clone(),
                ..DbOptions::default()
            },
        )?;
        let mongo_pool = if in_lambda() { 2 } else { 10 };
        let mongo = Mongo::connect(config.mongodb_uri.expose_secret(), &config.mongodb_database, mongo_pool).await?;
        let sdk = if config.aws.any() { Some(aws_config(&config).await) } else { None };
        let core = core(config, &db)?;
        let aws = &core.config.aws;
        let mut jobs = None;
        let queue: Arc<dyn JobQueue> = if let (Some(sdk), Some(url)) = (&sdk, &aws.jobs_queue_url) {
            let tasks = aws.tasks_queue_url.clone().unwrap_or_else(|| url.clone());
            Arc::new(SqsQueue::with_lanes(aws_sdk_sqs::Client::new(sdk), url, tasks))
        } else {
            let (q, local) = LocalQueue::new();
            jobs = Some(local);
            Arc::new(q)
        };
        let (idempotency, rate_limiter): (Arc<dyn IdempotencyStore>, Arc<dyn RateLimiter>) =
            match (&sdk, &aws.state_table) {
                (Some(sdk), Some(table)) => {
                    let client = aws_sdk_dynamodb::Client::new(sdk);
                    (
                        Arc::new(DynamoIdempotency::new(client.clone(), table)),
                        Arc::new(DynamoRateLimiter::new(client, table)),
                    )
                }
                _ => (Arc::new(MemoryIdempotency::default()), Arc::new(MemoryRateLimiter::default())),
            };
        let bus: Arc<dyn EventBus> = match (&sdk, &aws.event_bus_name) {
            (Some(sdk), Some(name)) => Arc::new(EventBridgeBus::new(aws_sdk_eventbridge::Client::new(sdk), name)),
            _ => Arc::new(LocalBus::default()),
        };
        let state = Self::assemble(core, db, mongo, Ports { queue, idempotency, rate_limiter, bus });
        Ok((state, jobs))
    }

    /// Every port in-process (tests and tools): returns the state and its job receiver.
    pub fn local(config: Config, db: Db, mongo: Mongo) -> Result<(Self, LocalJobs), StartError> {
        let (queue, jobs) = LocalQueue::new();
        let ports = Ports {
            queue: Arc::new(queue),
            idempotency: Arc::new(MemoryIdempotency::default()),
            rate_limiter: Arc::new(MemoryRateLimiter::default()),
            bus: Arc::new(LocalBus::default()),
        };
        Ok((Self::assemble(core(config, &db)?, db, mongo, ports), jobs))
    }

    fn assemble(core: Core, db: Db, mongo: Mongo, ports: Ports) -> Self {
        let relay = Relay::new(db.clone(), &mongo, ports.bus.clone(), ports.queue.clone());
        let auth = Arc::new(Authenticator::new(&core.config, db.clone(), core.external_idp));
        Self {
            auth,
            relay,
            config: core.config,
            db,
            mongo,
            queue: ports.queue,
            idempotency: ports.idempotency,
            rate_limiter: ports.rate_limiter,
            bus: ports.bus,
            ai: core.ai,
            senders: core.senders,
            integrations: core.integrations,
            chat_key: core.chat_key,
        }
    }
}

/// The AWS SDK configuration of `config` (its region and endpoint).
pub async fn aws_config(config: &Config) -> aws_config::SdkConfig {
    crate::config::sdk_config(config.aws.endpoint_url.as_deref(), config.aws.region.as_deref()).await
}

/// Start-up for a Lambda function: logging, configuration, state. A failure prints one
/// line and exits, which Lambda reports as an init error.
pub async fn init_lambda() -> AppState {
    crate::telemetry::init();
    let built = match Config::from_env_and_secret().await {
        Ok(config) => AppState::build(config).await,
        Err(e) => Err(e.into()),
    };
    match built {
        Ok((state, _)) => state,
        Err(e) => {
            eprintln!("leadflow: {e}");
            std::process::exit(2)
        }
    }
}
