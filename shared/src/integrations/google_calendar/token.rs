//! Access tokens: a JWT assertion signed with the service account's key (one per subject)
//! or the refresh-token grant, cached until shortly before Google says they expire.

use std::time::{Duration, Instant};

use chrono::Utc;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::{GoogleCalendarClient, SERVICE, parse};
use crate::config::GoogleAuth;
use crate::integrations::IntegrationError;

const SCOPE: &str = "https://www.googleapis.com/auth/calendar";
/// Google accepts assertions valid for at most an hour.
const ASSERTION_LIFETIME_SECS: i64 = 3600;
/// A token is renewed this long before Google says it expires, so none lapses in flight.
const EXPIRY_MARGIN: Duration = Duration::from_mins(1);

#[derive(Clone)]
pub(super) struct Token {
    pub(super) access_token: SecretString,
    renew_at: Instant,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    expires_in: u64,
}

#[derive(Serialize)]
struct JwtClaims<'a> {
    iss: &'a str,
    scope: &'a str,
    aud: &'a str,
    sub: &'a str,
    iat: i64,
    exp: i64,
}

impl GoogleCalendarClient {
    pub(super) async fn token(&self, subject: &str, renew: bool) -> Result<Token, IntegrationError> {
        // Held while fetching, so concurrent calls wait for one token instead of each asking.
        let mut tokens = self.tokens.lock().await;
        if let Some(t) = tokens.get(subject).filter(|t| !renew && Instant::now() < t.renew_at) {
            return Ok(t.clone());
        }
        tokens.remove(subject);
        let fresh = self.fetch_token(subject).await?;
        tokens.insert(subject.to_owned(), fresh.clone());
        Ok(fresh)
    }

    async fn fetch_token(&self, subject: &str) -> Result<Token, IntegrationError> {
        let form: Vec<(&str, String)> = match &self.settings.auth {
            GoogleAuth::ServiceAccount { client_email, private_key } => vec![
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer".into()),
                ("assertion", self.assertion(client_email, private_key, subject)?),
            ],
            GoogleAuth::RefreshToken { client_id, client_secret, refresh_token } => vec![
                ("grant_type", "refresh_token".into()),
                ("client_id", client_id.clone()),
                ("client_secret", client_secret.expose_secret().to_owned()),
                ("refresh_token", refresh_token.expose_secret().to_owned()),
            ],
        };
        let resp = self
            .http
            .post(&self.settings.token_url)
            .form(&form)
            .send()
            .await
            .map_err(|e| IntegrationError::network(SERVICE, e))?;
        let status = resp.status();
        let body = resp.text().await.map_err(|e| IntegrationError::network(SERVICE, e))?;
        if !status.is_success() {
            return Err(IntegrationError::from_status(SERVICE, status, &body));
        }
        let t: TokenResponse = parse(&body, "token")?;
        let lifetime = Duration::from_secs(t.expires_in).saturating_sub(EXPIRY_MARGIN);
        Ok(Token { access_token: SecretString::from(t.access_token), renew_at: Instant::now() + lifetime })
    }

    fn assertion(&self, client_email: &str, key: &SecretString, subject: &str) -> Result<String, IntegrationError> {
        let refused = |message: String| IntegrationError::Refused { service: SERVICE, status: 0, message };
        let key = jsonwebtoken::EncodingKey::from_rsa_pem(key.expose_secret().as_bytes())
            .map_err(|e| refused(format!("the service account's private_key is not an RSA PEM key: {e}")))?;
        let iat = Utc::now().timestamp();
        let claims = JwtClaims {
            iss: client_email,
            scope: SCOPE,
            aud: &self.settings.token_url,
            sub: subject,
            iat,
            exp: iat + ASSERTION_LIFETIME_SECS,
        };
        jsonwebtoken::encode(&jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256), &claims, &key)
            .map_err(|e| refused(format!("cannot sign the JWT assertion: {e}")))
    }
}
