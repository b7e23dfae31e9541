//! Staff passwords: argon2id with OWASP's minimum parameters (19 MiB, two passes, one
//! lane), in a PHC string that records them, so raising them later still verifies old
//! hashes. Hashing is deliberately slow (tens of milliseconds), so it runs off the
//! async workers.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};

use crate::domain::InvalidValue;

const MIN_CHARS: usize = 12;
/// Argon2 takes any length, but a megabyte "password" is a cheap way to burn CPU.
const MAX_CHARS: usize = 128;

/// A password that meets the policy; never logged.
#[derive(Clone)]
pub struct Password(SecretString);

impl Password {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let chars = raw.chars().count();
        if chars < MIN_CHARS {
            return Err(InvalidValue::new(format!("must have at least {MIN_CHARS} characters")));
        }
        if chars > MAX_CHARS {
            return Err(InvalidValue::new(format!("must have at most {MAX_CHARS} characters")));
        }
        if raw.trim().is_empty() {
            return Err(InvalidValue::new("must not be only spaces"));
        }
        Ok(Self(SecretString::from(raw)))
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(..)")
    }
}

fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("OWASP's argon2id parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn salt() -> SaltString {
    let mut bytes = [0u8; 16];
    aws_lc_rs::rand::fill(&mut bytes).expect("the system random source works");
    SaltString::encode_b64(&bytes).expect("16 bytes make a valid salt")
}

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// The PHC string to store.
pub async fn hash(password: &Password) -> Result<String, HashError> {
    let secret = password.0.clone();
    tokio::task::spawn_blocking(move || {
        hasher()
            .hash_password(secret.expose_secret().as_bytes(), &salt())
            .map(|h| h.to_string())
            .map_err(|e| HashError(e.to_string()))
    })
    .await
    .map_err(|e| HashError(e.to_string()))?
}

/// A hash of no one's password, made once: checking a login for an unknown e-mail
/// against it takes as long as checking a real account, so timing does not reveal
/// which addresses have accounts.
fn decoy() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        hasher()
            .hash_password(b"decoy password that matches nothing", &salt())
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// Whether `attempt` matches `stored`; with `stored` absent, spends the same time and
/// answers false.
pub async fn verify(attempt: &str, stored: Option<String>) -> bool {
    let attempt = SecretString::from(attempt);
    let real = stored.is_some();
    tokio::task::spawn_blocking(move || {
        // Made on the first sign-in either way, so that one is not faster for strangers.
        let decoy = decoy();
        let phc = stored.unwrap_or_else(|| decoy.to_owned());
        let Ok(parsed) = PasswordHash::new(&phc) else { return false };
        let matched = hasher().verify_password(attempt.expose_secret().as_bytes(), &parsed).is_ok();
        matched && real
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_bounds_length() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse(&"x".repeat(129)).is_err());
        assert!(Password::parse(&" ".repeat(12)).is_err());
        assert!(Password::parse("correct horse battery").is_ok());
        assert_eq!(format!("{:?}", Password::parse("correct horse battery").unwrap()), "Password(..)");
    }

    #[tokio::test]
    async fn hashes_verify_only_their_password() {
        let pw = Password::parse("correct horse battery").unwrap();
        let stored = hash(&pw).await.unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
        assert!(verify("correct horse battery", Some(stored.clone())).await);
        assert!(!verify("correct horse batterY", Some(stored.clone())).await);
        assert!(!verify("decoy password that matches nothing", None).await, "the decoy never signs anyone in");
        assert!(!verify("anything", Some("not a phc string".into())).await);
        assert_ne!(hash(&pw).await.unwrap(), stored, "each hash has its own salt");
    }
}
