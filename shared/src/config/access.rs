//! Sign-in, tokens, CORS and per-caller rate limits.
//!
//! - `AUTH_JWT_SECRET` (at least 32 bytes) signs Leadflow's own access tokens (HS256).
//!   Unset, it is derived from the first `LEADFLOW_API_KEYS` entry, so every Lambda of a
//!   deployment agrees; a local server with neither uses a per-process key.
//! - `AUTH_JWT_ISSUER` / `AUTH_JWT_AUDIENCE` (default `leadflow` / `leadflow-api`).
//! - `AUTH_JWKS_URL`, `AUTH_JWKS_ISSUER`, `AUTH_JWKS_AUDIENCE` (all or none) accept tokens
//!   from the business's identity provider (Cognito, Auth0, Okta); `AUTH_JWKS_ROLE_CLAIM`
//!   (default `role`) names the claim holding `admin`, `agent` or `viewer` (a string or a
//!   list such as `cognito:groups`).
//! - `CORS_ALLOWED_ORIGINS`: comma-separated origins (`https://app.example.com`) whose
//!   pages may call the API from a browser. Empty: none.
//! - `RATE_LIMIT_PER_MINUTE` (default 600): requests per minute per key or user.

use secrecy::{ExposeSecret, SecretString};

use super::{ConfigError, Vars};

#[derive(Debug, Clone)]
pub struct ExternalIdp {
    pub jwks_url: String,
    pub issuer: String,
    pub audience: String,
    pub role_claim: String,
}

#[derive(Debug, Clone)]
pub struct AccessSettings {
    /// `None`: derive one (see the module docs).
    pub jwt_secret: Option<SecretString>,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub access_ttl: chrono::Duration,
    pub refresh_ttl: chrono::Duration,
    pub external: Option<ExternalIdp>,
    pub cors_origins: Vec<String>,
    pub per_caller_per_minute: u32,
}

impl Default for AccessSettings {
    fn default() -> Self {
        Self {
            jwt_secret: None,
            jwt_issuer: "leadflow".into(),
            jwt_audience: "leadflow-api".into(),
            access_ttl: chrono::Duration::minutes(15),
            refresh_ttl: chrono::Duration::days(30),
            external: None,
            cors_origins: Vec::new(),
            per_caller_per_minute: 600,
        }
    }
}

pub(super) fn from_vars<F: Fn(&str) -> Option<String>>(v: &Vars<F>) -> Result<AccessSettings, ConfigError> {
    let defaults = AccessSettings::default();
    let jwt_secret = v.secret("AUTH_JWT_SECRET");
    if let Some(s) = &jwt_secret
        && s.expose_secret().len() < 32
    {
        return Err(ConfigError::Invalid { name: "AUTH_JWT_SECRET", reason: "needs at least 32 characters".into() });
    }
    let external = v
        .all_or_none(["AUTH_JWKS_URL", "AUTH_JWKS_ISSUER", "AUTH_JWKS_AUDIENCE"])?
        .map(|[jwks_url, issuer, audience]| -> Result<ExternalIdp, ConfigError> {
            // Whoever can change the keys in transit can sign any token: TLS, except to
            // this machine (a local fake in tests and development).
            let loopback =
                ["http://127.0.0.1", "http://localhost", "http://[::1]"].iter().any(|p| jwks_url.starts_with(p));
            if !jwks_url.starts_with("https://") && !loopback {
                return Err(ConfigError::Invalid {
                    name: "AUTH_JWKS_URL",
                    reason: "must be an https URL (http only to 127.0.0.1 or localhost)".into(),
                });
            }
            let role_claim = v.optional("AUTH_JWKS_ROLE_CLAIM").unwrap_or_else(|| "role".into());
            Ok(ExternalIdp { jwks_url, issuer, audience, role_claim })
        })
        .transpose()?;
    let cors_origins: Vec<String> = v
        .optional("CORS_ALLOWED_ORIGINS")
        .map(|list| {
            list.split(',').map(|o| o.trim().trim_end_matches('/').to_owned()).filter(|o| !o.is_empty()).collect()
        })
        .unwrap_or_default();
    if let Some(bad) =
        cors_origins.iter().find(|o| *o == "*" || !(o.starts_with("https://") || o.starts_with("http://")))
    {
        return Err(ConfigError::Invalid {
            name: "CORS_ALLOWED_ORIGINS",
            reason: format!("list origins such as https://app.example.com, never a wildcard (got {bad})"),
        });
    }
    Ok(AccessSettings {
        jwt_secret,
        jwt_issuer: v.optional("AUTH_JWT_ISSUER").unwrap_or(defaults.jwt_issuer),
        jwt_audience: v.optional("AUTH_JWT_AUDIENCE").unwrap_or(defaults.jwt_audience),
        external,
        cors_origins,
        per_caller_per_minute: u32::try_from(v.bounded("RATE_LIMIT_PER_MINUTE", 600, 1..=1_000_000)?).unwrap_or(600),
        ..defaults
    })
}
