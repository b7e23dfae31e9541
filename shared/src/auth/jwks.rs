//! Tokens from the business's own identity provider (Cognito, Auth0, Okta): checked
//! against the provider's published keys (its JWKS), which are fetched once, kept in
//! memory for as long as the provider's `Cache-Control` says (within bounds), and fetched
//! again when a token names a key not seen yet, as happens after the provider rotates.
//!
//! Built once per process and cloned into whatever needs it:
//! `JwksVerifier::new(http.clone(), idp.clone())`, then `.verify(token).await`.

mod cache;
mod claims;
mod keys;

use std::sync::Arc;
use std::time::Duration;

use crate::config::ExternalIdp;
use crate::domain::access::Role;

use cache::{KeyCache, Lookup};

/// Who an external token says its bearer is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalIdentity {
    /// The token's `sub`: stable at the provider, unlike the e-mail address.
    pub subject: String,
    pub role: Role,
    /// The `email` claim, unless the token says it is not verified.
    pub email: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExternalTokenError {
    /// The token is not acceptable (the API answers 401).
    #[error("external token rejected: {reason}")]
    Rejected { reason: Rejection },
    /// The provider's keys could not be fetched and none that fit are cached (503): the
    /// token may be good, it just cannot be checked now.
    #[error("the identity provider's keys cannot be fetched")]
    Unavailable {
        #[source]
        source: Arc<JwksFetchError>,
    },
}

/// Why a token was refused. Safe to show the caller: it names no key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("not a well-formed JWT")]
    Malformed,
    #[error("algorithm {alg} is not accepted (RS*, PS*, ES256, ES384 and EdDSA are)")]
    Algorithm { alg: String },
    #[error("the token's header names no key (kid)")]
    MissingKeyId,
    #[error("the token's header has critical extensions this server does not understand")]
    CriticalHeader,
    #[error("the identity provider publishes no key {kid}")]
    UnknownKey { kid: String },
    #[error("key {kid} is not for {alg} signatures")]
    KeyAlgorithm { kid: String, alg: String },
    #[error("key {kid} cannot be used")]
    UnusableKey { kid: String },
    #[error("the signature does not match")]
    Signature,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token is from another issuer")]
    Issuer,
    #[error("the token is for another audience")]
    Audience,
    #[error("the token has no {claim} claim")]
    MissingClaim { claim: String },
    #[error("the token's {claim} claim is malformed")]
    ClaimFormat { claim: String },
    #[error("the token's {claim} claim holds none of admin, agent, viewer")]
    NoRole { claim: String },
}

impl From<Rejection> for ExternalTokenError {
    fn from(reason: Rejection) -> Self {
        ExternalTokenError::Rejected { reason }
    }
}

/// Why the provider's key set could not be had.
#[derive(Debug, thiserror::Error)]
pub enum JwksFetchError {
    #[error("JWKS request failed")]
    Request(#[source] reqwest::Error),
    #[error("JWKS endpoint answered HTTP {0}")]
    Status(reqwest::StatusCode),
    #[error("JWKS endpoint did not return a JSON key set")]
    Body(#[source] serde_json::Error),
}

/// Timing of checks and fetches. The defaults suit production; tests shorten them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JwksPolicy {
    /// Clock skew tolerated on `exp` and `nbf`.
    pub leeway: Duration,
    /// Least time between two fetches, so tokens naming random keys cannot make this
    /// server hammer the provider.
    pub refetch_cooldown: Duration,
    /// How long a key set stays fresh when the provider sends no `max-age`.
    pub default_ttl: Duration,
    /// Bounds on the provider's `max-age`.
    pub min_ttl: Duration,
    pub max_ttl: Duration,
}

impl Default for JwksPolicy {
    fn default() -> Self {
        Self {
            leeway: Duration::from_secs(30),
            refetch_cooldown: Duration::from_secs(30),
            default_ttl: Duration::from_hours(1),
            min_ttl: Duration::from_mins(5),
            max_ttl: Duration::from_hours(24),
        }
    }
}

/// Verifies external tokens. Cheap to clone; clones share one key cache.
#[derive(Clone)]
pub struct JwksVerifier {
    inner: Arc<Inner>,
}

struct Inner {
    idp: ExternalIdp,
    policy: JwksPolicy,
    keys: KeyCache,
}

impl std::fmt::Debug for JwksVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwksVerifier").field("jwks_url", &self.inner.idp.jwks_url).finish_non_exhaustive()
    }
}

impl JwksVerifier {
    /// Nothing is fetched until the first token arrives. The fetch timeout is `http`'s.
    pub fn new(http: reqwest::Client, idp: ExternalIdp) -> Self {
        Self::with_policy(http, idp, JwksPolicy::default())
    }

    pub fn with_policy(http: reqwest::Client, idp: ExternalIdp, policy: JwksPolicy) -> Self {
        let keys = KeyCache::new(http, idp.jwks_url.clone(), policy);
        Self { inner: Arc::new(Inner { idp, policy, keys }) }
    }

    pub async fn verify(&self, token: &str) -> Result<ExternalIdentity, ExternalTokenError> {
        // The header is read before any fetch, so junk never reaches the provider.
        let header = claims::peek_header(token)?;
        let key = match self.inner.keys.key(&header.kid).await {
            Lookup::Found(key) => key,
            Lookup::Unknown => return Err(Rejection::UnknownKey { kid: header.kid }.into()),
            Lookup::Unavailable(source) => return Err(ExternalTokenError::Unavailable { source }),
        };
        if !key.algorithms.contains(&header.alg) {
            return Err(Rejection::KeyAlgorithm { kid: header.kid, alg: format!("{:?}", header.alg) }.into());
        }
        let validation = claims::validation(header.alg, &self.inner.idp, self.inner.policy.leeway);
        let data = jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(token, &key.key, &validation)
            .map_err(|e| claims::rejection(&e, &header.kid))?;
        claims::audience(&data.claims, &self.inner.idp.audience)?;
        Ok(claims::identity(data.claims, &self.inner.idp.role_claim)?)
    }
}
