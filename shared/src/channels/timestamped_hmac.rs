//! The `t=<unix seconds>,v1=<hex>[,v1=<hex>]` signature header Calendly and Stripe both
//! send: HMAC-SHA256, keyed by the webhook's secret, of `"{t}.{raw body}"`, any one `v1`
//! may match (several during a key rotation), other schemes ignored. Each provider keeps
//! its own errors and clock window; this holds the reading and the check they share.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// How strictly the header is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reading {
    /// Every element must be `key=value` and `t` given once (Calendly).
    Strict,
    /// As Stripe's own libraries read it: other elements are skipped, the first `t` counts.
    Lenient,
}

/// A header's parts, as sent.
#[derive(Debug)]
pub(super) struct Signed<'a> {
    /// The time exactly as sent: it is what the provider signed.
    t: &'a str,
    pub(super) seconds: i64,
    signatures: Vec<&'a str>,
}

/// Reads the header; the error says what is malformed.
pub(super) fn read(header: &str, reading: Reading) -> Result<Signed<'_>, &'static str> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for element in header.split(',') {
        let Some((key, value)) = element.split_once('=') else {
            match reading {
                Reading::Strict => return Err("every element must be key=value"),
                Reading::Lenient => continue,
            }
        };
        match key.trim() {
            "t" if timestamp.is_some() && reading == Reading::Strict => return Err("t is given twice"),
            "t" => {
                timestamp.get_or_insert(value.trim());
            }
            "v1" => signatures.push(value.trim()),
            // Other schemes may appear beside v1 one day; only v1 is ours to check.
            _ => {}
        }
    }
    let t = timestamp.ok_or("t is missing")?;
    let seconds: i64 = t.parse().map_err(|_| "t is not a Unix time")?;
    if signatures.is_empty() {
        return Err("there is no v1 signature");
    }
    Ok(Signed { t, seconds, signatures })
}

impl Signed<'_> {
    /// Whether any `v1` is the HMAC of the body under `key` (compared in constant time).
    pub(super) fn matches(&self, key: &[u8], body: &[u8]) -> bool {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
        mac.update(self.t.as_bytes());
        mac.update(b".");
        mac.update(body);
        self.signatures
            .iter()
            .filter_map(|s| hex::decode(s).ok())
            .any(|presented| mac.clone().verify_slice(&presented).is_ok())
    }
}
