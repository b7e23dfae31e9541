//! Establishing who a caller is: staff passwords, Leadflow's own access and refresh
//! tokens, managed API keys, and tokens from an external identity provider (JWKS).
//! HTTP-free; `api::auth` reads the headers and calls in here.

pub mod api_keys;
pub mod jwks;
pub mod password;
pub mod tokens;

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::config::Config;
use crate::domain::access::{Actor, Grant, Principal, Role};
use crate::store::{Db, StoreError};
use api_keys::{CACHE_TTL, KeyCache};
use jwks::{ExternalTokenError, JwksVerifier};
use tokens::AccessTokens;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The credential is not valid (the API answers 401 with this reason).
    #[error("{0}")]
    Rejected(Cow<'static, str>),
    /// The credential could not be checked (the API answers 503).
    #[error("credential check unavailable: {0}")]
    Unavailable(String),
}

impl From<StoreError> for AuthError {
    fn from(e: StoreError) -> Self {
        AuthError::Unavailable(e.to_string())
    }
}

/// A managed key as the cache keeps it.
#[derive(Clone)]
struct LiveKey {
    principal: Principal,
    expires_at: Option<DateTime<Utc>>,
}

/// Turns a presented credential into a [`Principal`]. Built once per process.
pub struct Authenticator {
    tokens: AccessTokens,
    bootstrap: Vec<[u8; 32]>,
    keys: KeyCache<LiveKey>,
    db: Db,
    external: Option<JwksVerifier>,
}

impl Authenticator {
    /// `external`: the business's identity provider, when `AUTH_JWKS_*` is configured.
    pub fn new(config: &Config, db: Db, external: Option<JwksVerifier>) -> Self {
        let a = &config.access;
        let secret = signing_secret(config);
        Self {
            tokens: AccessTokens::new(&secret, &a.jwt_issuer, &a.jwt_audience, a.access_ttl),
            bootstrap: config.api_keys.iter().map(|k| Sha256::digest(k.expose_secret().as_bytes()).into()).collect(),
            keys: KeyCache::new(CACHE_TTL),
            db,
            external,
        }
    }

    pub fn tokens(&self) -> &AccessTokens {
        &self.tokens
    }

    /// Who `credential` (a bearer token or an `X-Api-Key` value) speaks for.
    pub async fn authenticate(&self, credential: &str) -> Result<Principal, AuthError> {
        let credential = credential.trim();
        if credential.starts_with(api_keys::KEY_PREFIX) {
            return self.managed_key(credential).await;
        }
        if credential.starts_with("eyJ") && credential.matches('.').count() == 2 {
            return if AccessTokens::is_ours(credential) {
                self.tokens.verify(credential).map_err(|e| AuthError::Rejected(e.0.into()))
            } else {
                self.external_token(credential).await
            };
        }
        if self.bootstrap.is_empty() {
            return Err(AuthError::Rejected(
                "the API key is not valid: this deployment has no LEADFLOW_API_KEYS; use a managed key (lf_live_...) or sign in"
                    .into(),
            ));
        }
        self.bootstrap_key(credential).ok_or(AuthError::Rejected("the API key is not valid".into()))
    }

    /// Every bootstrap key is compared, in constant time, so timing shows neither which
    /// one matched nor how much of one did.
    fn bootstrap_key(&self, credential: &str) -> Option<Principal> {
        let presented: [u8; 32] = Sha256::digest(credential.as_bytes()).into();
        let index = self
            .bootstrap
            .iter()
            .enumerate()
            .fold(None, |found, (i, k)| if bool::from(k.ct_eq(&presented)) { Some(i) } else { found })?;
        Some(Principal {
            actor: Actor::BootstrapKey { index: u16::try_from(index).unwrap_or(u16::MAX) },
            grant: Grant::Role(Role::Admin),
            agent_id: None,
        })
    }

    async fn managed_key(&self, credential: &str) -> Result<Principal, AuthError> {
        let invalid = AuthError::Rejected("the API key is not valid".into());
        let presented = api_keys::parse(credential).ok_or(invalid)?;
        let now = Instant::now();
        let live = match self.keys.get(&presented, now) {
            Some(cached) => cached,
            None => {
                let generation = self.keys.generation();
                let client = self.db.conn().await?;
                let found = crate::store::api_keys::find(&*client, &presented.lookup).await?;
                let live = match found {
                    Some((key, hash)) if api_keys::hash_matches(&presented, &hash) => {
                        crate::store::api_keys::touch(&*client, key.id, Utc::now()).await?;
                        Some(LiveKey {
                            principal: Principal {
                                actor: Actor::ApiKey { id: key.id },
                                grant: Grant::Scopes(key.scopes.clone()),
                                agent_id: None,
                            },
                            expires_at: key.expires_at,
                        })
                    }
                    Some(_) | None => None,
                };
                self.keys.put(&presented, live.clone(), now, generation);
                live
            }
        };
        match live {
            Some(k) if k.expires_at.is_none_or(|at| at > Utc::now()) => Ok(k.principal),
            Some(_) => Err(AuthError::Rejected("the API key has expired".into())),
            None => Err(AuthError::Rejected("the API key is not valid".into())),
        }
    }

    /// A token of the business's identity provider, verified against its published keys.
    async fn external_token(&self, token: &str) -> Result<Principal, AuthError> {
        let Some(verifier) = &self.external else {
            return Err(AuthError::Rejected("the token is not from an accepted issuer".into()));
        };
        match verifier.verify(token).await {
            Ok(id) => Ok(Principal {
                actor: Actor::External { subject: id.subject },
                grant: Grant::Role(id.role),
                agent_id: None,
            }),
            Err(ExternalTokenError::Rejected { reason }) => Err(AuthError::Rejected(reason.to_string().into())),
            Err(e @ ExternalTokenError::Unavailable { .. }) => Err(AuthError::Unavailable(e.to_string())),
        }
    }

    /// This instance revoked a key: stop accepting it here at once.
    pub fn forget_keys(&self) {
        self.keys.clear();
    }
}

/// The access-token signing key: configured, else derived from the first bootstrap key
/// (so every Lambda of a deployment agrees without another secret), else random for
/// this process (a local server without keys; its tokens die with it).
fn signing_secret(config: &Config) -> Vec<u8> {
    if let Some(s) = &config.access.jwt_secret {
        return s.expose_secret().as_bytes().to_vec();
    }
    if let Some(k) = config.api_keys.first() {
        return Sha256::digest(format!("leadflow-access-token:{}", k.expose_secret())).to_vec();
    }
    let mut bytes = vec![0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).expect("the system random source works");
    bytes
}

/// Shared by the app state and tools.
pub type SharedAuthenticator = Arc<Authenticator>;
