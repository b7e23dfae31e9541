//! Salesforce: leads upserted by an External ID field holding Leadflow's lead id (so a
//! repeated sync updates the same record), over the REST API with an OAuth 2.0 token
//! from the client-credentials or the JWT bearer flow, cached and renewed on 401.

use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::Mutex;

use super::IntegrationError;
use crate::config::{SalesforceAuth, SalesforceSettings};
use crate::domain::provider::Provider;
use crate::domain::{Customer, Lead, LeadStatus, Priority};
use crate::provider_log::Watch;

const SERVICE: &str = "salesforce";
/// Salesforce tokens carry no expiry; renew well within the usual two-hour session.
const TOKEN_TTL: Duration = Duration::from_mins(30);

#[derive(Clone)]
struct Token {
    access_token: SecretString,
    instance_url: String,
    fetched: Instant,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    instance_url: String,
}

#[derive(Serialize)]
struct JwtClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    exp: i64,
}

pub struct SalesforceClient {
    http: reqwest::Client,
    settings: SalesforceSettings,
    token: Mutex<Option<Token>>,
    watch: Watch,
}

/// The Lead record's fields. `LastName` and `Company` are required by Salesforce.
pub fn lead_fields(lead: &Lead, customer: &Customer) -> Value {
    let full = customer.name.as_ref().map(|n| n.as_str().trim().to_owned()).unwrap_or_default();
    let (first, last) = match full.rsplit_once(' ') {
        Some((first, last)) => (Some(first.trim().to_owned()), last.to_owned()),
        None if !full.is_empty() => (None, full),
        None => (
            None,
            customer
                .email
                .as_ref()
                .map(|e| e.as_str().split('@').next().unwrap_or_default().to_owned())
                .or_else(|| customer.phone.as_ref().map(std::string::ToString::to_string))
                .unwrap_or_else(|| "Unknown".into()),
        ),
    };
    let status = match lead.status {
        LeadStatus::New => "Open - Not Contacted",
        LeadStatus::Contacted | LeadStatus::Qualified => "Working - Contacted",
        LeadStatus::Won => "Closed - Converted",
        LeadStatus::Lost => "Closed - Not Converted",
    };
    let rating = match lead.priority {
        Priority::High => "Hot",
        Priority::Medium => "Warm",
        Priority::Low => "Cold",
    };
    json!({
        "FirstName": first,
        "LastName": last,
        "Company": customer.company.as_ref().map_or("[not provided]", |c| c.as_str()),
        "Email": customer.email.as_ref().map(super::super::domain::contact::Email::as_str),
        "Phone": customer.phone.as_ref().map(super::super::domain::contact::Phone::as_str),
        "Status": status,
        "Rating": rating,
        "LeadSource": "Leadflow",
        "Description": lead.requirements.as_ref().map(super::super::domain::text::Text::as_str),
    })
}

impl SalesforceClient {
    pub fn new(http: reqwest::Client, settings: SalesforceSettings) -> Self {
        Self { http, settings, token: Mutex::new(None), watch: Watch::new(Provider::Salesforce) }
    }

    /// Reports each call's result to `log` (the Settings page's integration status).
    #[must_use]
    pub fn with_log(mut self, log: std::sync::Arc<dyn crate::provider_log::ProviderLog>) -> Self {
        self.watch = self.watch.with_log(log);
        self
    }

    fn assertion(&self, username: &str, key: &SecretString) -> Result<String, IntegrationError> {
        let refused = |message: String| IntegrationError::Refused { service: SERVICE, status: 0, message };
        let key = jsonwebtoken::EncodingKey::from_rsa_pem(key.expose_secret().as_bytes())
            .map_err(|e| refused(format!("SALESFORCE_PRIVATE_KEY is not an RSA PEM key: {e}")))?;
        let claims = JwtClaims {
            iss: &self.settings.client_id,
            sub: username,
            aud: &self.settings.login_url,
            exp: chrono::Utc::now().timestamp() + 180,
        };
        jsonwebtoken::encode(&jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256), &claims, &key)
            .map_err(|e| refused(format!("cannot sign the JWT assertion: {e}")))
    }

    async fn fetch_token(&self) -> Result<Token, IntegrationError> {
        let url = format!("{}/services/oauth2/token", self.settings.login_url.trim_end_matches('/'));
        let form: Vec<(&str, String)> = match &self.settings.auth {
            SalesforceAuth::ClientCredentials { client_secret } => vec![
                ("grant_type", "client_credentials".into()),
                ("client_id", self.settings.client_id.clone()),
                ("client_secret", client_secret.expose_secret().to_owned()),
            ],
            SalesforceAuth::JwtBearer { username, private_key } => vec![
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer".into()),
                ("assertion", self.assertion(username, private_key)?),
            ],
        };
        let resp = self.http.post(url).form(&form).send().await.map_err(|e| IntegrationError::network(SERVICE, e))?;
        let status = resp.status();
        let body = resp.text().await.map_err(|e| IntegrationError::network(SERVICE, e))?;
        if !status.is_success() {
            return Err(IntegrationError::from_status(SERVICE, status, &body));
        }
        let t: TokenResponse = serde_json::from_str(&body).map_err(|e| IntegrationError::Unavailable {
            service: SERVICE,
            message: format!("unreadable token response: {e}"),
        })?;
        Ok(Token {
            access_token: SecretString::from(t.access_token),
            instance_url: t.instance_url,
            fetched: Instant::now(),
        })
    }

    async fn token(&self, renew: bool) -> Result<Token, IntegrationError> {
        let mut cached = self.token.lock().await;
        if let Some(t) = cached.as_ref().filter(|t| !renew && t.fetched.elapsed() < TOKEN_TTL) {
            return Ok(t.clone());
        }
        let fresh = self.fetch_token().await?;
        *cached = Some(fresh.clone());
        Ok(fresh)
    }

    fn record_url(&self, token: &Token, lead: &Lead) -> String {
        format!(
            "{}/services/data/{}/sobjects/Lead/{}/{}",
            token.instance_url.trim_end_matches('/'),
            self.settings.api_version,
            self.settings.external_id_field,
            lead.id
        )
    }

    /// Creates or updates the lead's Salesforce record; returns its Salesforce id.
    pub async fn upsert_lead(&self, lead: &Lead, customer: &Customer) -> Result<String, IntegrationError> {
        let upserted = self.upsert_once(lead, customer).await;
        self.watch.note(&upserted).await;
        upserted
    }

    async fn upsert_once(&self, lead: &Lead, customer: &Customer) -> Result<String, IntegrationError> {
        let fields = lead_fields(lead, customer);
        let mut token = self.token(false).await?;
        for attempt in 0..2 {
            let resp = self
                .http
                .patch(self.record_url(&token, lead))
                .bearer_auth(token.access_token.expose_secret())
                .json(&fields)
                .send()
                .await
                .map_err(|e| IntegrationError::network(SERVICE, e))?;
            let status = resp.status();
            if status.as_u16() == 401 && attempt == 0 {
                token = self.token(true).await?;
                continue;
            }
            let body = resp.text().await.map_err(|e| IntegrationError::network(SERVICE, e))?;
            if status.as_u16() == 204 {
                return self.read_id(&token, lead).await;
            }
            if !status.is_success() {
                return Err(IntegrationError::from_status(SERVICE, status, &body));
            }
            return serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_owned))
                .ok_or_else(|| IntegrationError::Unavailable {
                    service: SERVICE,
                    message: "upsert answered without an id".into(),
                });
        }
        Err(IntegrationError::Unavailable { service: SERVICE, message: "token refused twice".into() })
    }

    /// Reads the record's id (older API versions answer an update with 204 and no body).
    async fn read_id(&self, token: &Token, lead: &Lead) -> Result<String, IntegrationError> {
        let resp = self
            .http
            .get(format!("{}?fields=Id", self.record_url(token, lead)))
            .bearer_auth(token.access_token.expose_secret())
            .send()
            .await
            .map_err(|e| IntegrationError::network(SERVICE, e))?;
        let status = resp.status();
        let body = resp.text().await.map_err(|e| IntegrationError::network(SERVICE, e))?;
        if !status.is_success() {
            return Err(IntegrationError::from_status(SERVICE, status, &body));
        }
        serde_json::from_str::<Value>(&body)
            .ok()
            .and_then(|v| v.get("Id").and_then(Value::as_str).map(str::to_owned))
            .ok_or_else(|| IntegrationError::Unavailable {
                service: SERVICE,
                message: "record answered without an Id".into(),
            })
    }
}
