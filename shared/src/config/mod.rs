//! Configuration from environment variables, read once at start. Secrets are wrapped so
//! they never reach a log line; a missing or malformed value stops start-up with one line.

use std::path::PathBuf;
use std::str::FromStr;

use secrecy::SecretString;

use crate::domain::Country;

mod access;
mod providers;
mod secret;
mod stripe;

pub use access::{AccessSettings, ExternalIdp};
pub use providers::{
    GoogleAuth, GoogleSettings, Providers, SalesforceAuth, SalesforceSettings, SendGridSettings, TwilioSettings,
    openai_from_env,
};
pub use secret::{SECRET_ARN_VAR, SecretValues};
pub use stripe::StripeSettings;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("missing required configuration {name}: {what}")]
    Missing { name: &'static str, what: &'static str },
    #[error("invalid configuration {name}: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// AWS adapters. Each unset name means the in-process adapter is used instead.
#[derive(Debug, Clone, Default)]
pub struct AwsSettings {
    /// Overrides every AWS endpoint (moto, LocalStack).
    pub endpoint_url: Option<String>,
    pub region: Option<String>,
    /// SQS queue for message processing jobs.
    pub jobs_queue_url: Option<String>,
    /// SQS queue for task routing and integration jobs (Slack, Salesforce, event retries).
    pub tasks_queue_url: Option<String>,
    /// EventBridge bus for domain events.
    pub event_bus_name: Option<String>,
    /// DynamoDB table for idempotency records, rate limits and locks.
    pub state_table: Option<String>,
}

impl AwsSettings {
    pub fn any(&self) -> bool {
        self.jobs_queue_url.is_some()
            || self.tasks_queue_url.is_some()
            || self.event_bus_name.is_some()
            || self.state_table.is_some()
    }
}

/// Tunable behaviour of the message pipeline.
#[derive(Debug, Clone)]
pub struct MessagingSettings {
    /// How long an agent's manual message pauses AI replies to that customer.
    pub ai_pause: chrono::Duration,
    /// Unprocessed inbound messages older than this are queued again by the sweep.
    pub sweep_after: chrono::Duration,
    /// The jobs queue's visibility timeout: the sweep queues a message again only when its
    /// job was last queued longer ago (0 in-process, where a job is never invisible).
    pub jobs_visibility: chrono::Duration,
    /// Accepted `/api/messages/receive` calls per client address per minute.
    pub receive_per_minute: u32,
    /// `/api/messages/receive` calls per chat session per minute.
    pub chat_session_per_minute: u32,
    /// Key for chat tokens (the widget's read access to its conversation).
    pub chat_secret: Option<SecretString>,
    /// Follow-ups sent per minute per provider channel: a backlog drains at this rate
    /// instead of tripping carrier limits.
    pub follow_up_max_per_minute: u32,
    /// How often `leadflow serve` runs the schedule (EventBridge runs it every minute).
    pub schedule_interval: std::time::Duration,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: SecretString,
    pub database_pool_size: usize,
    pub database_ca_file: Option<PathBuf>,
    pub mongodb_uri: SecretString,
    pub mongodb_database: String,
    pub default_country: Country,
    /// Keys accepted on staff routes (`Authorization: Bearer <key>`).
    pub api_keys: Vec<SecretString>,
    /// Lets staff routes through without a key. Only `leadflow serve` on loopback sets it.
    pub auth_disabled: bool,
    /// The URL the outside world reaches this deployment at (signature checks, links).
    pub public_base_url: Option<String>,
    /// Where staff open a lead (Slack links); `{id}` is replaced by the lead id.
    pub lead_link_template: Option<String>,
    pub max_body_bytes: usize,
    /// Lets webhook endpoints point at loopback over plain http (local use only); every
    /// other non-public address stays refused.
    pub allow_private_webhook_targets: bool,
    pub aws: AwsSettings,
    pub providers: Providers,
    pub messaging: MessagingSettings,
    pub access: AccessSettings,
}

/// Reads variables through `get` (the process environment, or a map in tests).
struct Vars<F: Fn(&str) -> Option<String>>(F);

impl<F: Fn(&str) -> Option<String>> Vars<F> {
    fn optional(&self, name: &str) -> Option<String> {
        (self.0)(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
    }

    fn required(&self, name: &'static str, what: &'static str) -> Result<String, ConfigError> {
        self.optional(name).ok_or(ConfigError::Missing { name, what })
    }

    fn secret(&self, name: &str) -> Option<SecretString> {
        self.optional(name).map(SecretString::from)
    }

    /// All of a provider's variables, or none of them.
    fn all_or_none<const N: usize>(&self, names: [&'static str; N]) -> Result<Option<[String; N]>, ConfigError> {
        let values = names.map(|n| self.optional(n));
        let set = values.iter().filter(|v| v.is_some()).count();
        if set == 0 {
            return Ok(None);
        }
        if set < N {
            let missing = names.iter().zip(&values).find(|(_, v)| v.is_none()).map_or(names[0], |(n, _)| *n);
            return Err(ConfigError::Invalid {
                name: missing,
                reason: format!("set all of {} or none of them", names.join(", ")),
            });
        }
        Ok(Some(values.map(Option::unwrap_or_default)))
    }

    /// An integer setting within `range`.
    fn bounded(
        &self,
        name: &'static str,
        default: i64,
        range: std::ops::RangeInclusive<i64>,
    ) -> Result<i64, ConfigError> {
        let value: i64 = self.parsed(name, default)?;
        if range.contains(&value) {
            Ok(value)
        } else {
            Err(ConfigError::Invalid { name, reason: format!("must be from {} to {}", range.start(), range.end()) })
        }
    }

    fn parsed<T: FromStr>(&self, name: &'static str, default: T) -> Result<T, ConfigError>
    where
        T::Err: std::fmt::Display,
    {
        match self.optional(name) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|e: T::Err| ConfigError::Invalid { name, reason: e.to_string() }),
        }
    }
}

/// The AWS SDK configuration: region and credentials from the environment as usual,
/// `endpoint` (moto, LocalStack) honoured.
pub async fn sdk_config(endpoint: Option<&str>, region: Option<&str>) -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(region) = region {
        loader = loader.region(aws_config::Region::new(region.to_owned()));
    }
    if let Some(endpoint) = endpoint {
        loader = loader.endpoint_url(endpoint);
    }
    loader.load().await
}

pub fn in_lambda() -> bool {
    std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some()
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// The configuration in AWS: the JSON secret named by `LEADFLOW_SECRET_ARN` (when
    /// set) first, then the environment. Read once, before anything else starts.
    pub async fn from_env_and_secret() -> Result<Self, ConfigError> {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let Some(arn) = env(SECRET_ARN_VAR) else { return Self::from_env() };
        let region = env("AWS_REGION").or_else(|| env("AWS_DEFAULT_REGION"));
        let sdk = sdk_config(env("AWS_ENDPOINT_URL").as_deref(), region.as_deref()).await;
        let values = SecretValues::fetch(&aws_sdk_secretsmanager::Client::new(&sdk), arn.trim()).await?;
        Self::from_lookup(values.over(env))
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let v = Vars(get);
        let database_url =
            v.required("DATABASE_URL", "the Postgres URL, e.g. postgres://leadflow@127.0.0.1:5432/leadflow")?;
        if !(database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
            return Err(ConfigError::Invalid { name: "DATABASE_URL", reason: "must start with postgres://".into() });
        }
        let mongodb_uri = v.required("MONGODB_URI", "the MongoDB URI, e.g. mongodb://127.0.0.1:27017")?;
        if !(mongodb_uri.starts_with("mongodb://") || mongodb_uri.starts_with("mongodb+srv://")) {
            return Err(ConfigError::Invalid {
                name: "MONGODB_URI",
                reason: "must start with mongodb:// or mongodb+srv://".into(),
            });
        }
        let default_pool = if in_lambda() { 2 } else { 10 };
        let database_pool_size: usize = v.parsed("DATABASE_POOL_SIZE", default_pool)?;
        if !(1..=100).contains(&database_pool_size) {
            return Err(ConfigError::Invalid { name: "DATABASE_POOL_SIZE", reason: "must be from 1 to 100".into() });
        }
        let public_base_url = v.optional("PUBLIC_BASE_URL").map(|u| u.trim_end_matches('/').to_owned());
        if let Some(u) = &public_base_url
            && !(u.starts_with("https://") || u.starts_with("http://"))
        {
            return Err(ConfigError::Invalid { name: "PUBLIC_BASE_URL", reason: "must be an http(s) URL".into() });
        }
        let keys: Vec<String> = v
            .optional("LEADFLOW_API_KEYS")
            .map(|keys| keys.split(',').map(str::trim).filter(|k| !k.is_empty()).map(String::from).collect())
            .unwrap_or_default();
        if let Some(short) = keys.iter().find(|k| k.len() < 16) {
            return Err(ConfigError::Invalid {
                name: "LEADFLOW_API_KEYS",
                reason: format!("every key needs at least 16 characters (one has {})", short.len()),
            });
        }
        let api_keys = keys.into_iter().map(SecretString::from).collect();
        Ok(Self {
            database_url: SecretString::from(database_url),
            database_pool_size,
            database_ca_file: v.optional("DATABASE_CA_FILE").map(PathBuf::from),
            mongodb_uri: SecretString::from(mongodb_uri),
            mongodb_database: v.optional("MONGODB_DATABASE").unwrap_or_else(|| "leadflow".into()),
            default_country: v.parsed("DEFAULT_COUNTRY", Country::US)?,
            api_keys,
            auth_disabled: false,
            lead_link_template: v.optional("LEAD_LINK_TEMPLATE"),
            public_base_url,
            max_body_bytes: v.parsed("MAX_BODY_BYTES", 256 * 1024)?,
            allow_private_webhook_targets: v.parsed("ALLOW_PRIVATE_WEBHOOK_TARGETS", false)?,
            providers: providers::from_vars(&v)?,
            messaging: MessagingSettings {
                ai_pause: chrono::Duration::minutes(v.bounded("AI_PAUSE_MINUTES", 60, 0..=10_080)?),
                sweep_after: chrono::Duration::minutes(v.bounded("SWEEP_AFTER_MINUTES", 2, 1..=1_440)?),
                jobs_visibility: chrono::Duration::seconds(v.bounded("JOBS_VISIBILITY_TIMEOUT_SECS", 0, 0..=43_200)?),
                receive_per_minute: v.parsed("RECEIVE_RATE_LIMIT", 20)?,
                chat_session_per_minute: v.parsed("CHAT_SESSION_RATE_LIMIT", 20)?,
                chat_secret: v.secret("CHAT_SECRET"),
                follow_up_max_per_minute: u32::try_from(v.bounded("FOLLOW_UP_MAX_PER_MINUTE", 60, 1..=1_000_000)?)
                    .unwrap_or(60),
                schedule_interval: std::time::Duration::from_secs(
                    u64::try_from(v.bounded("SCHEDULE_INTERVAL_SECS", 60, 1..=3_600)?).unwrap_or(60),
                ),
            },
            access: access::from_vars(&v)?,
            aws: AwsSettings {
                endpoint_url: v.optional("AWS_ENDPOINT_URL"),
                region: v.optional("AWS_REGION").or_else(|| v.optional("AWS_DEFAULT_REGION")),
                jobs_queue_url: v.optional("JOBS_QUEUE_URL"),
                tasks_queue_url: v.optional("TASKS_QUEUE_URL"),
                event_bus_name: v.optional("EVENT_BUS_NAME"),
                state_table: v.optional("STATE_TABLE"),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use secrecy::ExposeSecret;

    use super::*;

    fn load(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    const BASE: [(&str, &str); 2] =
        [("DATABASE_URL", "postgres://u@127.0.0.1/db"), ("MONGODB_URI", "mongodb://127.0.0.1:1")];

    #[test]
    fn missing_database_url_names_it() {
        let err = load(&[("MONGODB_URI", "mongodb://x")]).unwrap_err();
        assert!(matches!(err, ConfigError::Missing { name: "DATABASE_URL", .. }));
        assert!(err.to_string().starts_with("missing required configuration DATABASE_URL"));
        let blank = load(&[("DATABASE_URL", "  "), ("MONGODB_URI", "mongodb://x")]).unwrap_err();
        assert!(matches!(blank, ConfigError::Missing { name: "DATABASE_URL", .. }));
    }

    #[test]
    fn defaults_apply() {
        let c = load(&BASE).unwrap();
        assert_eq!(c.mongodb_database, "leadflow");
        assert_eq!(c.default_country, Country::US);
        assert!(c.api_keys.is_empty() && !c.auth_disabled);
        assert!(c.aws.jobs_queue_url.is_none() && !c.aws.any());
    }

    #[test]
    fn invalid_values_are_named() {
        let mut pairs = BASE.to_vec();
        pairs.push(("DEFAULT_COUNTRY", "Narnia"));
        assert!(matches!(load(&pairs).unwrap_err(), ConfigError::Invalid { name: "DEFAULT_COUNTRY", .. }));
        let mut pairs = BASE.to_vec();
        pairs.push(("AI_PAUSE_MINUTES", "99999999999999"));
        assert!(matches!(load(&pairs).unwrap_err(), ConfigError::Invalid { name: "AI_PAUSE_MINUTES", .. }));
        let mut pairs = BASE.to_vec();
        pairs.push(("SWEEP_AFTER_MINUTES", "-3"));
        assert!(matches!(load(&pairs).unwrap_err(), ConfigError::Invalid { name: "SWEEP_AFTER_MINUTES", .. }));
        let mut pairs = BASE.to_vec();
        pairs.push(("DATABASE_POOL_SIZE", "0"));
        assert!(matches!(load(&pairs).unwrap_err(), ConfigError::Invalid { name: "DATABASE_POOL_SIZE", .. }));
        let err = load(&[("DATABASE_URL", "mysql://x"), ("MONGODB_URI", "mongodb://x")]).unwrap_err();
        assert!(matches!(err, ConfigError::Invalid { name: "DATABASE_URL", .. }));
    }

    #[test]
    fn providers_are_all_or_nothing() {
        let c = load(&BASE).unwrap();
        assert!(c.providers.twilio.is_none() && c.providers.openai.is_none());
        let mut pairs = BASE.to_vec();
        pairs.extend([("TWILIO_ACCOUNT_SID", "AC1"), ("TWILIO_AUTH_TOKEN", "tok")]);
        let err = load(&pairs).unwrap_err();
        assert!(matches!(err, ConfigError::Invalid { name: "TWILIO_FROM_NUMBER", .. }), "{err}");
        pairs.push(("TWILIO_FROM_NUMBER", "+15005550006"));
        let c = load(&pairs).unwrap();
        assert_eq!(c.providers.twilio.unwrap().api_base, "https://api.twilio.com");
        let mut pairs = BASE.to_vec();
        pairs.extend([("OPENAI_API_KEY", "sk-test"), ("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")]);
        let ai = load(&pairs).unwrap().providers.openai.unwrap();
        assert_eq!((ai.model.as_str(), ai.base_url.as_str()), ("gpt-4o-mini", "http://127.0.0.1:9/v1"));
    }

    #[test]
    fn api_keys_are_split_checked_and_hidden() {
        let mut pairs = BASE.to_vec();
        pairs.push(("LEADFLOW_API_KEYS", "key-one-0123456789, key-two-0123456789"));
        let c = load(&pairs).unwrap();
        assert_eq!(c.api_keys.len(), 2);
        assert_eq!(c.api_keys[1].expose_secret(), "key-two-0123456789");
        let printed = format!("{c:?}");
        assert!(!printed.contains("key-one") && !printed.contains("postgres://u@"), "{printed}");
        let mut pairs = BASE.to_vec();
        pairs.push(("LEADFLOW_API_KEYS", "short"));
        assert!(matches!(load(&pairs).unwrap_err(), ConfigError::Invalid { name: "LEADFLOW_API_KEYS", .. }));
    }
}
