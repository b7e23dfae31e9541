//! Third-party providers (Twilio, SendGrid, OpenAI, Slack, Salesforce): each is `None`
//! until its variables are set, and a half-configured one is refused at start.

use secrecy::SecretString;

use super::{ConfigError, Vars};
use crate::ai::openai::OpenAiSettings;

#[derive(Debug, Clone)]
pub struct TwilioSettings {
    pub account_sid: String,
    pub auth_token: SecretString,
    /// A phone number in E.164, or a Messaging Service SID (MG...).
    pub from: String,
    pub api_base: String,
}

#[derive(Debug, Clone)]
pub struct SendGridSettings {
    pub api_key: SecretString,
    pub from_email: String,
    pub from_name: Option<String>,
    pub api_base: String,
}

#[derive(Debug, Clone)]
pub enum SalesforceAuth {
    /// OAuth 2.0 client-credentials flow (a connected app with a run-as user).
    ClientCredentials { client_secret: SecretString },
    /// OAuth 2.0 JWT bearer flow: an assertion signed with the app's private key (PEM).
    JwtBearer { username: String, private_key: SecretString },
}

#[derive(Debug, Clone)]
pub struct SalesforceSettings {
    /// `https://login.salesforce.com`, `https://test.salesforce.com`, or a My Domain URL.
    pub login_url: String,
    pub client_id: String,
    pub auth: SalesforceAuth,
    /// The Lead field holding Leadflow's lead id (an External ID field).
    pub external_id_field: String,
    pub api_version: String,
}

/// Third-party providers; each is `None` until its variables are set.
#[derive(Debug, Clone, Default)]
pub struct Providers {
    /// Slack incoming webhook for high-priority leads and tasks.
    pub slack_webhook_url: Option<SecretString>,
    pub salesforce: Option<SalesforceSettings>,
    pub twilio: Option<TwilioSettings>,
    pub sendgrid: Option<SendGridSettings>,
    /// The secret SendGrid Inbound Parse presents (see `channels::sendgrid`).
    pub sendgrid_inbound_secret: Option<SecretString>,
    /// The signing key of the Calendly webhook subscription (`CALENDLY_WEBHOOK_SIGNING_KEY`).
    pub calendly_signing_key: Option<SecretString>,
    pub openai: Option<OpenAiSettings>,
}

/// The OpenAI settings alone (for tools that need no database), from the environment.
pub fn openai_from_env() -> Result<Option<OpenAiSettings>, ConfigError> {
    openai(&Vars(|k: &str| std::env::var(k).ok()))
}

fn openai<F: Fn(&str) -> Option<String>>(v: &Vars<F>) -> Result<Option<OpenAiSettings>, ConfigError> {
    let Some(api_key) = v.secret("OPENAI_API_KEY") else { return Ok(None) };
    Ok(Some(OpenAiSettings {
        api_key,
        model: v.optional("OPENAI_MODEL").unwrap_or_else(|| "gpt-4o-mini".into()),
        base_url: v.optional("OPENAI_BASE_URL").unwrap_or_else(|| "https://api.openai.com/v1".into()),
        timeout: std::time::Duration::from_secs(v.bounded("OPENAI_TIMEOUT_SECS", 15, 1..=60)?.unsigned_abs()),
    }))
}

pub(super) fn from_vars<F: Fn(&str) -> Option<String>>(v: &Vars<F>) -> Result<Providers, ConfigError> {
    let twilio = v.all_or_none(["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER"])?.map(
        |[account_sid, token, from]| TwilioSettings {
            account_sid,
            auth_token: SecretString::from(token),
            from,
            api_base: v.optional("TWILIO_API_BASE").unwrap_or_else(|| "https://api.twilio.com".into()),
        },
    );
    let sendgrid =
        v.all_or_none(["SENDGRID_API_KEY", "SENDGRID_FROM_EMAIL"])?.map(|[key, from_email]| SendGridSettings {
            api_key: SecretString::from(key),
            from_email,
            from_name: v.optional("SENDGRID_FROM_NAME"),
            api_base: v.optional("SENDGRID_API_BASE").unwrap_or_else(|| "https://api.sendgrid.com".into()),
        });
    let openai = openai(v)?;
    Ok(Providers {
        twilio,
        sendgrid,
        sendgrid_inbound_secret: v.secret("SENDGRID_INBOUND_SECRET"),
        calendly_signing_key: v.secret("CALENDLY_WEBHOOK_SIGNING_KEY"),
        openai,
        slack_webhook_url: v.secret("SLACK_WEBHOOK_URL"),
        salesforce: salesforce(v)?,
    })
}

fn salesforce<F: Fn(&str) -> Option<String>>(v: &Vars<F>) -> Result<Option<SalesforceSettings>, ConfigError> {
    let Some(client_id) = v.optional("SALESFORCE_CLIENT_ID") else { return Ok(None) };
    let auth = match v.optional("SALESFORCE_AUTH").as_deref().unwrap_or("client_credentials") {
        "client_credentials" => SalesforceAuth::ClientCredentials {
            client_secret: v.secret("SALESFORCE_CLIENT_SECRET").ok_or(ConfigError::Missing {
                name: "SALESFORCE_CLIENT_SECRET",
                what: "the connected app's secret (SALESFORCE_AUTH=client_credentials)",
            })?,
        },
        "jwt" => SalesforceAuth::JwtBearer {
            username: v.required("SALESFORCE_USERNAME", "the user the JWT bearer flow runs as")?,
            private_key: v.secret("SALESFORCE_PRIVATE_KEY").ok_or(ConfigError::Missing {
                name: "SALESFORCE_PRIVATE_KEY",
                what: "the connected app's RSA private key, PEM (SALESFORCE_AUTH=jwt)",
            })?,
        },
        other => {
            return Err(ConfigError::Invalid {
                name: "SALESFORCE_AUTH",
                reason: format!("{other:?} is not client_credentials or jwt"),
            });
        }
    };
    Ok(Some(SalesforceSettings {
        login_url: v.optional("SALESFORCE_LOGIN_URL").unwrap_or_else(|| "https://login.salesforce.com".into()),
        client_id,
        auth,
        external_id_field: v.optional("SALESFORCE_EXTERNAL_ID_FIELD").unwrap_or_else(|| "Leadflow_Id__c".into()),
        api_version: v.optional("SALESFORCE_API_VERSION").unwrap_or_else(|| "v61.0".into()),
    }))
}
