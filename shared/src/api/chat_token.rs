//! Chat tokens: the website widget's read access to one customer's conversation,
//! `base64url(HMAC-SHA256(key, customer id))`, handed out when a chat message is received.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use uuid::Uuid;

fn mac(key: &SecretString, customer_id: Uuid) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.expose_secret().as_bytes()).expect("HMAC takes any key length");
    mac.update(customer_id.as_bytes());
    mac
}

pub fn issue(key: &SecretString, customer_id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(mac(key, customer_id).finalize().into_bytes())
}

pub fn verify(key: &SecretString, customer_id: Uuid, token: &str) -> bool {
    let Ok(bytes) = URL_SAFE_NO_PAD.decode(token.trim()) else { return false };
    mac(key, customer_id).verify_slice(&bytes).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_bind_key_and_customer() {
        let key = SecretString::from("k");
        let id = Uuid::now_v7();
        let t = issue(&key, id);
        assert!(verify(&key, id, &t));
        assert!(!verify(&key, Uuid::now_v7(), &t));
        assert!(!verify(&SecretString::from("other"), id, &t));
        assert!(!verify(&key, id, "not-base64!"));
    }
}
