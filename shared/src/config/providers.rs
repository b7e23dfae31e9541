//! Third-party providers (Twilio, SendGrid, OpenAI, Slack, Salesforce, Google Calendar):
//! each is `None` until its variables are set, and a half-configured one is refused at start.
//!
//! Google Calendar authenticates one of two ways, never both:
//! - `GOOGLE_SERVICE_ACCOUNT_JSON`: the content of a service account's JSON key file
//!   (`client_email`, `private_key`, and `token_uri` when present). The account needs
//!   domain-wide delegation, because it acts as each host (the host's calendar id).
//! - `GOOGLE_CLIENT_ID`, `GOOGLE_CLIENT_SECRET` and `GOOGLE_REFRESH_TOKEN`: one Google
//!   account's OAuth refresh token; the hosts' calendars must be shared with that account.
//!
//! `GOOGLE_API_BASE_URL` (default `https://www.googleapis.com/calendar/v3`) and
//! `GOOGLE_TOKEN_URL` (default the key file's `token_uri`, else
//! `https://oauth2.googleapis.com/token`) move the endpoints, e.g. to a local fake.

use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use super::stripe::{StripeSettings, stripe};
use super::{ConfigError, Vars};
use crate::ai::openai::OpenAiSettings;
use crate::channels::sendgrid_events::EventWebhookKey;
use crate::domain::provider::Provider;

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

#[derive(Debug, Clone)]
pub enum GoogleAuth {
    /// Domain-wide delegation: the JWT's `sub` is the calendar owner's address (the
    /// calendar id of a host), so one token per subject, cached.
    ServiceAccount { client_email: String, private_key: SecretString },
    /// One Google account's refresh token (calendars shared with it).
    RefreshToken { client_id: String, client_secret: SecretString, refresh_token: SecretString },
}

#[derive(Debug, Clone)]
pub struct GoogleSettings {
    pub auth: GoogleAuth,
    /// The Calendar API v3 root, without a trailing slash.
    pub api_base_url: String,
    /// Google's OAuth 2.0 token endpoint (also the service-account JWT's audience).
    pub token_url: String,
}

/// Third-party providers; each is `None` until its variables are set.
#[derive(Debug, Clone, Default)]
pub struct Providers {
    /// Slack incoming webhook for high-priority leads and tasks.
    pub slack_webhook_url: Option<SecretString>,
    pub salesforce: Option<SalesforceSettings>,
    /// Google Calendar: hosts' busy time and one event per booking.
    pub google: Option<GoogleSettings>,
    pub twilio: Option<TwilioSettings>,
    pub sendgrid: Option<SendGridSettings>,
    /// The secret SendGrid Inbound Parse presents (see `channels::sendgrid`).
    pub sendgrid_inbound_secret: Option<SecretString>,
    /// The verification key of SendGrid's signed Event Webhook (`SENDGRID_EVENT_PUBLIC_KEY`).
    pub sendgrid_event_key: Option<EventWebhookKey>,
    /// The signing key of the Calendly webhook subscription (`CALENDLY_WEBHOOK_SIGNING_KEY`).
    pub calendly_signing_key: Option<SecretString>,
    pub openai: Option<OpenAiSettings>,
    /// Deposits for bookings (Stripe Checkout).
    pub stripe: Option<StripeSettings>,
}

impl Providers {
    /// Whether calls to `provider` are configured here.
    pub fn configured(&self, provider: Provider) -> bool {
        match provider {
            Provider::Twilio => self.twilio.is_some(),
            Provider::SendGrid => self.sendgrid.is_some(),
            Provider::OpenAi => self.openai.is_some(),
            Provider::Slack => self.slack_webhook_url.is_some(),
            Provider::Salesforce => self.salesforce.is_some(),
            Provider::Google => self.google.is_some(),
            Provider::Stripe => self.stripe.is_some(),
        }
    }
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
        sendgrid_event_key: sendgrid_event_key(v)?,
        calendly_signing_key: v.secret("CALENDLY_WEBHOOK_SIGNING_KEY"),
        openai,
        slack_webhook_url: v.secret("SLACK_WEBHOOK_URL"),
        salesforce: salesforce(v)?,
        google: google(v)?,
        stripe: stripe(v)?,
    })
}

/// Checked now, so a wrong key stops start-up instead of refusing every event post.
fn sendgrid_event_key<F: Fn(&str) -> Option<String>>(v: &Vars<F>) -> Result<Option<EventWebhookKey>, ConfigError> {
    v.optional("SENDGRID_EVENT_PUBLIC_KEY")
        .map(|raw| EventWebhookKey::parse(&raw))
        .transpose()
        .map_err(|reason| ConfigError::Invalid { name: "SENDGRID_EVENT_PUBLIC_KEY", reason })
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

/// What Leadflow uses of a service account's JSON key file.
struct ServiceAccountKey {
    client_email: String,
    private_key: SecretString,
    token_uri: Option<String>,
}

const GOOGLE_OAUTH_VARS: [&str; 3] = ["GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET", "GOOGLE_REFRESH_TOKEN"];

fn google<F: Fn(&str) -> Option<String>>(v: &Vars<F>) -> Result<Option<GoogleSettings>, ConfigError> {
    let key_json = v.secret("GOOGLE_SERVICE_ACCOUNT_JSON");
    let oauth_set = GOOGLE_OAUTH_VARS.iter().any(|name| v.optional(name).is_some());
    let (auth, key_token_uri) = match key_json {
        Some(_) if oauth_set => {
            return Err(ConfigError::Invalid {
                name: "GOOGLE_SERVICE_ACCOUNT_JSON",
                reason: format!("set it or {}, not both", GOOGLE_OAUTH_VARS.join(", ")),
            });
        }
        Some(json) => {
            let key = service_account_key(&json)?;
            (GoogleAuth::ServiceAccount { client_email: key.client_email, private_key: key.private_key }, key.token_uri)
        }
        None if oauth_set => {
            let client_id = v.required("GOOGLE_CLIENT_ID", "the OAuth client id that issued GOOGLE_REFRESH_TOKEN")?;
            let client_secret = v.secret("GOOGLE_CLIENT_SECRET").ok_or(ConfigError::Missing {
                name: "GOOGLE_CLIENT_SECRET",
                what: "the OAuth client secret that goes with GOOGLE_CLIENT_ID",
            })?;
            let refresh_token = v.secret("GOOGLE_REFRESH_TOKEN").ok_or(ConfigError::Missing {
                name: "GOOGLE_REFRESH_TOKEN",
                what: "a refresh token with the https://www.googleapis.com/auth/calendar scope",
            })?;
            (GoogleAuth::RefreshToken { client_id, client_secret, refresh_token }, None)
        }
        None => return Ok(None),
    };
    Ok(Some(GoogleSettings {
        auth,
        api_base_url: v
            .optional("GOOGLE_API_BASE_URL")
            .unwrap_or_else(|| "https://www.googleapis.com/calendar/v3".into())
            .trim_end_matches('/')
            .to_owned(),
        token_url: v
            .optional("GOOGLE_TOKEN_URL")
            .or(key_token_uri)
            .unwrap_or_else(|| "https://oauth2.googleapis.com/token".into()),
    }))
}

/// Reads the key file's content. No message quotes it: the text holds the private key.
fn service_account_key(json: &SecretString) -> Result<ServiceAccountKey, ConfigError> {
    let invalid = |reason: String| ConfigError::Invalid { name: "GOOGLE_SERVICE_ACCOUNT_JSON", reason };
    let key: Value = serde_json::from_str(json.expose_secret())
        .map_err(|e| invalid(format!("not JSON (line {}, column {})", e.line(), e.column())))?;
    let field = |name: &str| key.get(name).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
    if let Some(kind) = field("type").filter(|k| *k != "service_account") {
        return Err(invalid(format!("the key file is of type {kind:?}, not service_account")));
    }
    let missing = |name: &str| invalid(format!("the key file has no {name}"));
    let private_key = field("private_key").ok_or_else(|| missing("private_key"))?;
    // Checked now so a bad key stops start-up instead of failing every calendar call.
    if jsonwebtoken::EncodingKey::from_rsa_pem(private_key.as_bytes()).is_err() {
        return Err(invalid("its private_key is not an RSA private key in PEM".into()));
    }
    Ok(ServiceAccountKey {
        client_email: field("client_email").ok_or_else(|| missing("client_email"))?.to_owned(),
        private_key: SecretString::from(private_key),
        token_uri: field("token_uri").map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use secrecy::ExposeSecret;
    use serde_json::json;

    use super::*;

    const TEST_KEY: &str = include_str!("../../tests/fixtures/salesforce-test-key.pem");

    fn google_from(pairs: &[(&str, &str)]) -> Result<Option<GoogleSettings>, ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        from_vars(&Vars(|k: &str| map.get(k).cloned())).map(|p| p.google)
    }

    /// A key file as the Google Cloud console downloads it.
    fn key_file(private_key: &str) -> Value {
        json!({
            "type": "service_account",
            "project_id": "leadflow-bookings",
            "private_key_id": "3c2b8f0d5e8a4f7b9c1d2e3f4a5b6c7d8e9f0a1b",
            "private_key": private_key,
            "client_email": "calendar-sync@leadflow-bookings.iam.gserviceaccount.com",
            "client_id": "104857392017465839201",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": "https://oauth2.googleapis.com/token",
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/calendar-sync%40leadflow-bookings.iam.gserviceaccount.com",
            "universe_domain": "googleapis.com"
        })
    }

    #[test]
    fn the_sendgrid_event_key_is_checked_at_start() {
        use aws_lc_rs::encoding::AsDer;
        use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
        let read = |value: &str| {
            let map = HashMap::from([("SENDGRID_EVENT_PUBLIC_KEY".to_owned(), value.to_owned())]);
            from_vars(&Vars(|k: &str| map.get(k).cloned())).map(|p| p.sendgrid_event_key)
        };
        let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_ASN1_SIGNING).unwrap();
        let shown = base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            pair.public_key().as_der().unwrap().as_ref(),
        );
        assert!(read(&shown).unwrap().is_some());
        assert!(read("  ").unwrap().is_none());
        let err = read("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE").unwrap_err();
        assert!(matches!(err, ConfigError::Invalid { name: "SENDGRID_EVENT_PUBLIC_KEY", .. }), "{err}");
    }

    #[test]
    fn google_is_off_until_configured() {
        assert!(google_from(&[]).unwrap().is_none());
    }

    #[test]
    fn a_service_account_key_file_is_read() {
        let file = key_file(TEST_KEY).to_string();
        let g = google_from(&[("GOOGLE_SERVICE_ACCOUNT_JSON", &file)]).unwrap().unwrap();
        let GoogleAuth::ServiceAccount { client_email, private_key } = &g.auth else { panic!("{:?}", g.auth) };
        assert_eq!(client_email, "calendar-sync@leadflow-bookings.iam.gserviceaccount.com");
        assert_eq!(private_key.expose_secret(), TEST_KEY.trim());
        assert_eq!(g.api_base_url, "https://www.googleapis.com/calendar/v3");
        assert_eq!(g.token_url, "https://oauth2.googleapis.com/token");
        let printed = format!("{g:?}");
        assert!(!printed.contains("BEGIN PRIVATE KEY"), "{printed}");

        let mut own_endpoint = key_file(TEST_KEY);
        own_endpoint["token_uri"] = json!("https://oauth2.example.test/token");
        let g = google_from(&[("GOOGLE_SERVICE_ACCOUNT_JSON", &own_endpoint.to_string())]).unwrap().unwrap();
        assert_eq!(g.token_url, "https://oauth2.example.test/token");
        let g = google_from(&[
            ("GOOGLE_SERVICE_ACCOUNT_JSON", &own_endpoint.to_string()),
            ("GOOGLE_TOKEN_URL", "http://127.0.0.1:9/token"),
            ("GOOGLE_API_BASE_URL", "http://127.0.0.1:9/calendar/v3/"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(
            (g.token_url.as_str(), g.api_base_url.as_str()),
            ("http://127.0.0.1:9/token", "http://127.0.0.1:9/calendar/v3")
        );
    }

    #[test]
    fn a_refresh_token_is_read() {
        let g = google_from(&[
            ("GOOGLE_CLIENT_ID", "1234567890-abc.apps.googleusercontent.com"),
            ("GOOGLE_CLIENT_SECRET", "GOCSPX-secret"),
            ("GOOGLE_REFRESH_TOKEN", "1//0gRefresh"),
        ])
        .unwrap()
        .unwrap();
        let GoogleAuth::RefreshToken { client_id, client_secret, refresh_token } = &g.auth else {
            panic!("{:?}", g.auth)
        };
        assert_eq!(client_id, "1234567890-abc.apps.googleusercontent.com");
        assert_eq!((client_secret.expose_secret(), refresh_token.expose_secret()), ("GOCSPX-secret", "1//0gRefresh"));
        assert_eq!(g.token_url, "https://oauth2.googleapis.com/token");
        let printed = format!("{g:?}");
        assert!(!printed.contains("GOCSPX-secret") && !printed.contains("1//0gRefresh"), "{printed}");
    }

    #[test]
    fn half_or_doubly_configured_google_is_refused() {
        let err = google_from(&[("GOOGLE_CLIENT_ID", "id"), ("GOOGLE_CLIENT_SECRET", "secret")]).unwrap_err();
        assert!(matches!(err, ConfigError::Missing { name: "GOOGLE_REFRESH_TOKEN", .. }), "{err}");
        let err = google_from(&[("GOOGLE_REFRESH_TOKEN", "1//0g")]).unwrap_err();
        assert!(matches!(err, ConfigError::Missing { name: "GOOGLE_CLIENT_ID", .. }), "{err}");
        let err = google_from(&[("GOOGLE_CLIENT_ID", "id"), ("GOOGLE_REFRESH_TOKEN", "1//0g")]).unwrap_err();
        assert!(matches!(err, ConfigError::Missing { name: "GOOGLE_CLIENT_SECRET", .. }), "{err}");

        let file = key_file(TEST_KEY).to_string();
        let err =
            google_from(&[("GOOGLE_SERVICE_ACCOUNT_JSON", &file), ("GOOGLE_REFRESH_TOKEN", "1//0g")]).unwrap_err();
        assert!(matches!(err, ConfigError::Invalid { name: "GOOGLE_SERVICE_ACCOUNT_JSON", .. }), "{err}");
        let message = err.to_string();
        assert!(GOOGLE_OAUTH_VARS.iter().all(|v| message.contains(v)), "{message}");
    }

    #[test]
    fn a_bad_key_file_is_named_without_quoting_it() {
        let mut user_file = key_file(TEST_KEY);
        user_file["type"] = json!("authorized_user");
        let mut no_email = key_file(TEST_KEY);
        no_email.as_object_mut().unwrap().remove("client_email");
        let cases = [
            ("{\"private_key\": \"-----BEGIN PRIVATE KEY-----\nMIIE", "not JSON"),
            (&*user_file.to_string(), "authorized_user"),
            (&*no_email.to_string(), "no client_email"),
            (&*key_file("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----").to_string(), "not an RSA"),
        ];
        for (raw, expected) in cases {
            let err = google_from(&[("GOOGLE_SERVICE_ACCOUNT_JSON", raw)]).unwrap_err();
            let message = err.to_string();
            assert!(matches!(err, ConfigError::Invalid { name: "GOOGLE_SERVICE_ACCOUNT_JSON", .. }), "{message}");
            assert!(message.contains(expected) && !message.contains("BEGIN PRIVATE KEY"), "{message}");
        }
    }
}
