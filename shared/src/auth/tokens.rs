//! Leadflow's own tokens. An access token is a JWT (HS256, 15 minutes) that every Lambda
//! verifies without a database round trip; a refresh token is 256 random bits, stored
//! only as its SHA-256, spent on use (see `store::sessions`).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::domain::access::{Actor, Grant, Principal, Role};

/// Clock skew tolerated between the Lambda that issued a token and the one checking it.
const LEEWAY_SECS: u64 = 10;
const REFRESH_PREFIX: &str = "lfr_";

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    iss: String,
    aud: String,
    sub: Uuid,
    iat: i64,
    nbf: i64,
    exp: i64,
    role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    agent_id: Option<Uuid>,
}

/// Who an access token is issued to.
#[derive(Debug, Clone, Copy)]
pub struct Subject {
    pub user_id: Uuid,
    pub role: Role,
    pub agent_id: Option<Uuid>,
}

#[derive(Debug, Clone)]
pub struct AccessToken {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TokenRejected(pub &'static str);

#[derive(Clone)]
pub struct AccessTokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl: chrono::Duration,
}

impl AccessTokens {
    pub fn new(secret: &[u8], issuer: &str, audience: &str, ttl: chrono::Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECS;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            ttl,
        }
    }

    pub fn issue(&self, subject: Subject, now: DateTime<Utc>) -> AccessToken {
        let expires_at = now + self.ttl;
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: subject.user_id,
            iat: now.timestamp(),
            nbf: now.timestamp(),
            exp: expires_at.timestamp(),
            role: subject.role,
            agent_id: subject.agent_id,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signs any claims that serialise");
        AccessToken { token, expires_at }
    }

    /// The caller a token speaks for, if it is one of ours, unaltered and current.
    pub fn verify(&self, token: &str) -> Result<Principal, TokenRejected> {
        use jsonwebtoken::errors::ErrorKind;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).map_err(|e| {
            TokenRejected(match e.kind() {
                ErrorKind::ExpiredSignature => "the access token has expired; refresh it",
                ErrorKind::ImmatureSignature => "the access token is not valid yet",
                ErrorKind::InvalidAudience => "the access token is for another audience",
                ErrorKind::InvalidIssuer => "the access token is from another issuer",
                ErrorKind::InvalidSignature | ErrorKind::InvalidAlgorithm => {
                    "the access token's signature is not valid"
                }
                _ => "the access token is not valid",
            })
        })?;
        let c = data.claims;
        Ok(Principal { actor: Actor::User { id: c.sub }, grant: Grant::Role(c.role), agent_id: c.agent_id })
    }

    /// Whether `token` claims to be ours (HS256), before any verification: tokens of an
    /// external identity provider are signed with its keys and go to the JWKS verifier.
    pub fn is_ours(token: &str) -> bool {
        jsonwebtoken::decode_header(token).is_ok_and(|h| h.alg == Algorithm::HS256)
    }
}

/// A new refresh token: what the client keeps, and what the database keeps.
pub struct RefreshSecret {
    pub token: String,
    pub hash: Vec<u8>,
}

pub fn new_refresh_token() -> RefreshSecret {
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).expect("the system random source works");
    let token = format!("{REFRESH_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
    let hash = refresh_hash(&token);
    RefreshSecret { token, hash }
}

pub fn refresh_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.trim().as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> AccessTokens {
        AccessTokens::new(
            b"0123456789abcdef0123456789abcdef",
            "leadflow",
            "leadflow-api",
            chrono::Duration::minutes(15),
        )
    }

    fn subject() -> Subject {
        Subject { user_id: Uuid::now_v7(), role: Role::Agent, agent_id: None }
    }

    #[test]
    fn a_fresh_token_names_its_user_and_role() {
        let s = subject();
        let t = keys().issue(s, Utc::now());
        let p = keys().verify(&t.token).unwrap();
        assert_eq!(p.actor, Actor::User { id: s.user_id });
        assert_eq!(p.grant, Grant::Role(Role::Agent));
        assert!(AccessTokens::is_ours(&t.token));
    }

    #[test]
    fn expired_tampered_and_foreign_tokens_are_refused() {
        let old = keys().issue(subject(), Utc::now() - chrono::Duration::minutes(16));
        assert_eq!(keys().verify(&old.token).unwrap_err().0, "the access token has expired; refresh it");
        let t = keys().issue(subject(), Utc::now()).token;
        let mut parts: Vec<String> = t.split('.').map(String::from).collect();
        let mut payload: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).unwrap()).unwrap();
        payload["role"] = "admin".into();
        parts[1] = URL_SAFE_NO_PAD.encode(payload.to_string());
        assert_eq!(keys().verify(&parts.join(".")).unwrap_err().0, "the access token's signature is not valid");
        let other_aud = AccessTokens::new(
            b"0123456789abcdef0123456789abcdef",
            "leadflow",
            "someone-else",
            chrono::Duration::minutes(15),
        );
        let t = other_aud.issue(subject(), Utc::now()).token;
        assert_eq!(keys().verify(&t).unwrap_err().0, "the access token is for another audience");
        let other_key = AccessTokens::new(
            b"another secret of thirty-two byt",
            "leadflow",
            "leadflow-api",
            chrono::Duration::minutes(15),
        );
        assert!(keys().verify(&other_key.issue(subject(), Utc::now()).token).is_err());
        assert!(keys().verify("not.a.jwt").is_err());
    }

    #[test]
    fn leeway_is_small() {
        let just_expired =
            keys().issue(subject(), Utc::now() - chrono::Duration::minutes(15) - chrono::Duration::seconds(5));
        assert!(keys().verify(&just_expired.token).is_ok(), "five seconds of skew is forgiven");
        let later = keys().issue(subject(), Utc::now() - chrono::Duration::minutes(15) - chrono::Duration::seconds(30));
        assert!(keys().verify(&later.token).is_err());
    }

    #[test]
    fn refresh_tokens_are_random_and_hashed() {
        let a = new_refresh_token();
        let b = new_refresh_token();
        assert_ne!(a.token, b.token);
        assert!(a.token.starts_with("lfr_") && a.token.len() == 4 + 43);
        assert_eq!(refresh_hash(&a.token), a.hash);
    }
}
