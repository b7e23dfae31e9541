//! Which keys of a published set can verify tokens here, and how long a fetched set
//! stays fresh.

use std::time::Duration;

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyOperations, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;

use super::JwksPolicy;

/// Asymmetric algorithms only: with an HMAC algorithm allowed, anyone holding the public
/// key could sign tokens with it as the secret.
pub(super) const ACCEPTED: [Algorithm; 9] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

const RSA: [Algorithm; 6] =
    [Algorithm::RS256, Algorithm::RS384, Algorithm::RS512, Algorithm::PS256, Algorithm::PS384, Algorithm::PS512];

/// One published key, ready to check signatures of the algorithms it may be used with.
pub(super) struct VerifyingKey {
    pub kid: String,
    pub key: DecodingKey,
    pub algorithms: Vec<Algorithm>,
}

impl VerifyingKey {
    /// `None` for keys that cannot check a token's signature here: no `kid` (tokens are
    /// matched by it), meant for encryption, symmetric, or of a type or curve not supported.
    pub(super) fn from_jwk(jwk: &Jwk) -> Option<Self> {
        let kid = jwk.common.key_id.clone().filter(|k| !k.is_empty())?;
        match &jwk.common.public_key_use {
            None | Some(PublicKeyUse::Signature) => {}
            Some(PublicKeyUse::Encryption | PublicKeyUse::Other(_)) => return None,
        }
        if let Some(ops) = &jwk.common.key_operations
            && !ops.contains(&KeyOperations::Verify)
        {
            return None;
        }
        let by_type: &[Algorithm] = match &jwk.algorithm {
            AlgorithmParameters::RSA(_) => &RSA,
            AlgorithmParameters::EllipticCurve(ec) => match ec.curve {
                EllipticCurve::P256 => &[Algorithm::ES256],
                EllipticCurve::P384 => &[Algorithm::ES384],
                // P-521 (jsonwebtoken has no ES512), Ed25519 (an OKP curve, not EC), and
                // curves jsonwebtoken may add later (the enum is non-exhaustive).
                _ => &[],
            },
            AlgorithmParameters::OctetKeyPair(okp) if okp.curve == EllipticCurve::Ed25519 => &[Algorithm::EdDSA],
            // Symmetric keys, other curves, and types jsonwebtoken may add later.
            _ => &[],
        };
        let algorithms: Vec<Algorithm> = match jwk.common.key_algorithm {
            None => by_type.to_vec(),
            Some(declared) => Algorithm::try_from(declared).ok().filter(|a| by_type.contains(a)).into_iter().collect(),
        };
        if algorithms.is_empty() {
            return None;
        }
        let key = DecodingKey::from_jwk(jwk).ok()?;
        Some(Self { kid, key, algorithms })
    }
}

#[derive(Deserialize)]
struct RawSet {
    keys: Vec<serde_json::Value>,
}

/// The usable keys of a JWKS document. A key this server cannot use (an encryption key,
/// a type it does not know) is skipped rather than failing the whole set.
pub(super) fn parse_set(body: &[u8]) -> Result<Vec<VerifyingKey>, serde_json::Error> {
    let raw: RawSet = serde_json::from_slice(body)?;
    Ok(raw
        .keys
        .into_iter()
        .filter_map(|value| serde_json::from_value::<Jwk>(value).ok())
        .filter_map(|jwk| VerifyingKey::from_jwk(&jwk))
        .collect())
}

/// How long a set fetched with this `Cache-Control` stays fresh.
pub(super) fn freshness(cache_control: Option<&str>, policy: &JwksPolicy) -> Duration {
    let mut max_age = None;
    for directive in cache_control.unwrap_or_default().split(',').map(str::trim) {
        let (name, value) = directive.split_once('=').unwrap_or((directive, ""));
        let name = name.trim().to_ascii_lowercase();
        match name.as_str() {
            "no-store" | "no-cache" => return policy.min_ttl,
            "max-age" => max_age = value.trim().trim_matches('"').parse::<u64>().ok().map(Duration::from_secs),
            _ => {}
        }
    }
    max_age.unwrap_or(policy.default_ttl).clamp(policy.min_ttl, policy.max_ttl)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwk(json: serde_json::Value) -> Jwk {
        serde_json::from_value(json).unwrap()
    }

    const N: &str = "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw";

    #[test]
    fn rsa_keys_take_the_declared_algorithm_or_every_rsa_one() {
        let declared = VerifyingKey::from_jwk(&jwk(serde_json::json!(
            {"kty": "RSA", "kid": "a", "alg": "RS256", "use": "sig", "n": N, "e": "AQAB"}
        )))
        .unwrap();
        assert_eq!(declared.algorithms, vec![Algorithm::RS256]);
        let open =
            VerifyingKey::from_jwk(&jwk(serde_json::json!({"kty": "RSA", "kid": "b", "n": N, "e": "AQAB"}))).unwrap();
        assert_eq!(open.algorithms, RSA.to_vec());
    }

    #[test]
    fn keys_that_cannot_verify_here_are_skipped() {
        let unusable = [
            serde_json::json!({"kty": "RSA", "n": N, "e": "AQAB"}),
            serde_json::json!({"kty": "RSA", "kid": "enc", "use": "enc", "n": N, "e": "AQAB"}),
            serde_json::json!({"kty": "RSA", "kid": "ops", "key_ops": ["encrypt"], "n": N, "e": "AQAB"}),
            serde_json::json!({"kty": "RSA", "kid": "oaep", "alg": "RSA-OAEP", "n": N, "e": "AQAB"}),
            serde_json::json!({"kty": "RSA", "kid": "ec-alg", "alg": "ES256", "n": N, "e": "AQAB"}),
            serde_json::json!({"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"}),
            serde_json::json!({"kty": "EC", "kid": "p521", "crv": "P-521", "x": "AA", "y": "AA"}),
        ];
        for key in unusable {
            assert!(VerifyingKey::from_jwk(&jwk(key.clone())).is_none(), "{key}");
        }
    }

    #[test]
    fn a_set_keeps_what_it_can_use() {
        let body = serde_json::json!({"keys": [
            {"kty": "RSA", "kid": "good", "n": N, "e": "AQAB"},
            {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
            {"kty": "weird"},
            {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "AA", "y": "AA", "alg": "ES256"}
        ]});
        let keys = parse_set(body.to_string().as_bytes()).unwrap();
        let kids: Vec<&str> = keys.iter().map(|k| k.kid.as_str()).collect();
        assert_eq!(kids, ["good", "ec"]);
        assert!(parse_set(b"<html>").is_err());
        assert!(parse_set(b"{\"no_keys\": []}").is_err());
    }

    #[test]
    fn freshness_follows_max_age_within_bounds() {
        let p = JwksPolicy::default();
        let secs = |h: Option<&str>| freshness(h, &p).as_secs();
        assert_eq!(secs(None), 3600);
        assert_eq!(secs(Some("public, max-age=7200, must-revalidate")), 7200);
        assert_eq!(secs(Some("Max-Age=\"900\"")), 900);
        assert_eq!(secs(Some("max-age=5")), 300, "raised to the floor");
        assert_eq!(secs(Some("max-age=31536000")), 86_400, "capped");
        assert_eq!(secs(Some("no-cache")), 300);
        assert_eq!(secs(Some("max-age=abc")), 3600);
    }
}
