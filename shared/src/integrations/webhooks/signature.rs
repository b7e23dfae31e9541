//! Standard Webhooks signing: `v1,` + base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`
//! under the key a `whsec_` secret encodes; several signatures, space-separated, while
//! a rotated-out secret is still honoured.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

const PREFIX: &str = "whsec_";
const KEY_BYTES: usize = 32;

/// A signing secret, `whsec_` + base64 of its key.
#[derive(Clone)]
pub struct WebhookSecret(SecretString);

#[derive(Debug, thiserror::Error)]
#[error("a webhook secret is whsec_ followed by base64 of 24 to 64 bytes")]
pub struct SecretError;

impl WebhookSecret {
    pub fn generate() -> Self {
        let mut key = [0u8; KEY_BYTES];
        aws_lc_rs::rand::fill(&mut key).expect("the system random source is available");
        Self(SecretString::from(format!("{PREFIX}{}", STANDARD.encode(key))))
    }

    pub fn parse(raw: &str) -> Result<Self, SecretError> {
        let secret = Self(SecretString::from(raw.to_owned()));
        secret.key().map(|_| secret)
    }

    fn key(&self) -> Result<Vec<u8>, SecretError> {
        let encoded = self.0.expose_secret().strip_prefix(PREFIX).ok_or(SecretError)?;
        let key = STANDARD.decode(encoded).map_err(|_| SecretError)?;
        if (24..=64).contains(&key.len()) { Ok(key) } else { Err(SecretError) }
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(whsec_…)")
    }
}

/// The `webhook-signature` header value.
pub fn sign(secrets: &[WebhookSecret], id: &str, timestamp: i64, body: &str) -> String {
    let content = format!("{id}.{timestamp}.{body}");
    secrets
        .iter()
        .filter_map(|s| s.key().ok())
        .map(|key| {
            let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes a key of any length");
            mac.update(content.as_bytes());
            format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_as_the_standard_webhooks_example() {
        // The example of the Standard Webhooks specification.
        let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let sig = sign(std::slice::from_ref(&secret), id, 1_614_265_330, r#"{"test": 2432232314}"#);
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        let two = sign(&[secret.clone(), WebhookSecret::generate()], id, 1_614_265_330, "{}");
        assert_eq!(two.split(' ').count(), 2);
    }

    #[test]
    fn generated_secrets_parse_and_bad_ones_do_not() {
        let s = WebhookSecret::generate();
        assert!(s.expose().starts_with("whsec_"));
        assert!(WebhookSecret::parse(s.expose()).is_ok());
        assert!(WebhookSecret::parse("whsec_short").is_err());
        assert!(WebhookSecret::parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_err());
        assert!(!format!("{s:?}").contains(&s.expose()[6..]));
    }
}
