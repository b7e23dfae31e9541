//! Chat tokens: the website widget's hold on one chat session. A token carries the
//! session id and an HMAC-SHA256 of it, so the server verifies it without storage and it
//! opens that session's messages only (never the customer's other conversations).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use uuid::Uuid;

fn mac(key: &SecretString, session: Uuid) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.expose_secret().as_bytes()).expect("HMAC takes any key length");
    mac.update(b"chat-session:");
    mac.update(session.as_bytes());
    mac
}

pub(super) fn issue(key: &SecretString, session: Uuid) -> String {
    let mut bytes = session.as_bytes().to_vec();
    bytes.extend_from_slice(&mac(key, session).finalize().into_bytes());
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The session a token opens, if it is genuine.
pub(super) fn verify(key: &SecretString, token: &str) -> Option<Uuid> {
    let bytes = URL_SAFE_NO_PAD.decode(token.trim()).ok()?;
    if bytes.len() != 48 {
        return None;
    }
    let session = Uuid::from_slice(&bytes[..16]).ok()?;
    mac(key, session).verify_slice(&bytes[16..]).ok().map(|()| session)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_open_their_session_only() {
        let key = SecretString::from("k");
        let session = Uuid::new_v4();
        let t = issue(&key, session);
        assert_eq!(verify(&key, &t), Some(session));
        assert_eq!(verify(&SecretString::from("other"), &t), None);
        let mut forged = URL_SAFE_NO_PAD.decode(&t).unwrap();
        forged[0] ^= 1;
        assert_eq!(verify(&key, &URL_SAFE_NO_PAD.encode(forged)), None, "another session id breaks the MAC");
        assert_eq!(verify(&key, "not-base64!"), None);
        assert_eq!(verify(&key, ""), None);
    }
}
