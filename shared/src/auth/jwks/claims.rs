//! Reading an external token: its header before any key is looked up, the checks its
//! claims must pass, and the identity they describe.

use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::{Error, ErrorKind};
use jsonwebtoken::{Algorithm, Validation};
use serde_json::{Map, Value};

use super::keys::ACCEPTED;
use super::{ExternalIdentity, Rejection};
use crate::config::ExternalIdp;
use crate::domain::access::Role;

const MAX_KID_LEN: usize = 256;

pub(super) struct Header {
    pub alg: Algorithm,
    pub kid: String,
}

/// The algorithm and key id of an unverified token, refusing `none`, HMAC and anything
/// else not asymmetric.
pub(super) fn peek_header(token: &str) -> Result<Header, Rejection> {
    let mut parts = token.split('.');
    let (Some(header), Some(_), Some(_), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(Rejection::Malformed);
    };
    let bytes = URL_SAFE_NO_PAD.decode(header).map_err(|_| Rejection::Malformed)?;
    let Ok(Value::Object(header)) = serde_json::from_slice::<Value>(&bytes) else {
        return Err(Rejection::Malformed);
    };
    let alg = header.get("alg").and_then(Value::as_str).ok_or(Rejection::Malformed)?;
    let alg = Algorithm::from_str(alg)
        .ok()
        .filter(|a| ACCEPTED.contains(a))
        .ok_or_else(|| Rejection::Algorithm { alg: alg.chars().take(16).collect() })?;
    // RFC 7515 4.1.11: a token marking extensions critical must be refused by a reader
    // that does not implement them, and this one implements none.
    if header.contains_key("crit") {
        return Err(Rejection::CriticalHeader);
    }
    let kid = header.get("kid").and_then(Value::as_str).filter(|k| !k.is_empty()).ok_or(Rejection::MissingKeyId)?;
    // Providers' key ids are short; a long one is junk, and would be echoed in the refusal.
    if kid.len() > MAX_KID_LEN {
        return Err(Rejection::Malformed);
    }
    Ok(Header { alg, kid: kid.to_owned() })
}

/// The checks for a token signed with `alg`: exact issuer, `exp` required, `nbf`
/// honoured, `sub` present, and an `aud` present matched exactly. Whether `aud` may be
/// absent is [`audience`]'s to decide.
pub(super) fn validation(alg: Algorithm, idp: &ExternalIdp, leeway: std::time::Duration) -> Validation {
    let mut v = Validation::new(alg);
    v.leeway = leeway.as_secs();
    v.validate_exp = true;
    v.validate_nbf = true;
    v.validate_aud = true;
    v.set_required_spec_claims(&["exp", "iss", "sub"]);
    v.set_issuer(&[&idp.issuer]);
    v.set_audience(&[&idp.audience]);
    v
}

pub(super) fn rejection(error: &Error, kid: &str) -> Rejection {
    match error.kind() {
        ErrorKind::InvalidSignature => Rejection::Signature,
        ErrorKind::ExpiredSignature => Rejection::Expired,
        ErrorKind::ImmatureSignature => Rejection::NotYetValid,
        ErrorKind::InvalidIssuer => Rejection::Issuer,
        ErrorKind::InvalidAudience => Rejection::Audience,
        ErrorKind::MissingRequiredClaim(claim) => Rejection::MissingClaim { claim: claim.clone() },
        ErrorKind::InvalidClaimFormat(claim) => Rejection::ClaimFormat { claim: claim.clone() },
        // The key was checked to fit the token's algorithm, so these mean the published
        // key itself is broken.
        ErrorKind::InvalidAlgorithm
        | ErrorKind::UnsupportedAlgorithm
        | ErrorKind::MissingAlgorithm
        | ErrorKind::InvalidRsaKey(_)
        | ErrorKind::InvalidEcdsaKey
        | ErrorKind::InvalidEddsaKey
        | ErrorKind::InvalidKeyFormat => Rejection::UnusableKey { kid: kid.to_owned() },
        // Base64, JSON and shape errors, and kinds jsonwebtoken may add (non-exhaustive).
        _ => Rejection::Malformed,
    }
}

/// The rest of the audience check, after jsonwebtoken has matched any well-formed `aud`.
/// Cognito's access tokens carry no `aud`: they name the app client in `client_id`, which
/// must then be the configured audience exactly.
pub(super) fn audience(claims: &Map<String, Value>, expected: &str) -> Result<(), Rejection> {
    let malformed = || Rejection::ClaimFormat { claim: "aud".into() };
    match claims.get("aud") {
        Some(Value::String(_)) => Ok(()),
        Some(Value::Array(items)) => items.iter().all(Value::is_string).then_some(()).ok_or_else(malformed),
        Some(_) => Err(malformed()),
        None => match (claims.get("token_use").and_then(Value::as_str), claims.get("client_id")) {
            (Some("access"), Some(Value::String(client))) if client == expected => Ok(()),
            (_, Some(_)) => Err(Rejection::Audience),
            (_, None) => Err(Rejection::MissingClaim { claim: "aud".into() }),
        },
    }
}

/// Who the verified claims describe.
pub(super) fn identity(claims: Map<String, Value>, role_claim: &str) -> Result<ExternalIdentity, Rejection> {
    let subject = match claims.get("sub") {
        Some(Value::String(sub)) if !sub.trim().is_empty() => sub.clone(),
        Some(_) => return Err(Rejection::ClaimFormat { claim: "sub".into() }),
        None => return Err(Rejection::MissingClaim { claim: "sub".into() }),
    };
    let role =
        highest_role(claims.get(role_claim)).ok_or_else(|| Rejection::NoRole { claim: role_claim.to_owned() })?;
    // An address the provider has not verified must not be trusted to link this person
    // to a staff user.
    let verified = match claims.get("email_verified") {
        None | Some(Value::Bool(true)) => true,
        // Cognito sends it as a string.
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        Some(_) => false,
    };
    let email = claims.get("email").and_then(Value::as_str).filter(|e| verified && e.contains('@')).map(str::to_owned);
    Ok(ExternalIdentity { subject, role, email })
}

/// The highest of admin, agent and viewer that the claim holds, as a string or a list of
/// strings (Cognito's `cognito:groups`, Auth0's namespaced role lists).
fn highest_role(value: Option<&Value>) -> Option<Role> {
    let parse = |v: &Value| v.as_str().and_then(|s| Role::from_str(s).ok());
    match value? {
        Value::Array(items) => items.iter().filter_map(parse).max(),
        single => parse(single),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn token_with_header(header: &Value) -> String {
        format!("{}.e30.c2ln", URL_SAFE_NO_PAD.encode(header.to_string()))
    }

    #[test]
    fn only_asymmetric_algorithms_with_a_kid_pass_the_header() {
        let h = peek_header(&token_with_header(&json!({"alg": "RS256", "kid": "k1", "typ": "JWT"}))).unwrap();
        assert_eq!((h.alg, h.kid.as_str()), (Algorithm::RS256, "k1"));
        assert!(peek_header(&token_with_header(&json!({"alg": "EdDSA", "kid": "k"}))).is_ok());
        for alg in ["none", "HS256", "HS512", "RSA-OAEP", "ES512"] {
            assert_eq!(
                peek_header(&token_with_header(&json!({"alg": alg, "kid": "k"}))).err(),
                Some(Rejection::Algorithm { alg: alg.into() })
            );
        }
        assert_eq!(peek_header(&token_with_header(&json!({"alg": "RS256"}))).err(), Some(Rejection::MissingKeyId));
        assert_eq!(
            peek_header(&token_with_header(&json!({"alg": "RS256", "kid": "k", "crit": ["b64"]}))).err(),
            Some(Rejection::CriticalHeader)
        );
        let long_kid = "k".repeat(MAX_KID_LEN + 1);
        assert_eq!(
            peek_header(&token_with_header(&json!({"alg": "RS256", "kid": long_kid}))).err(),
            Some(Rejection::Malformed)
        );
        for junk in ["", "abc", "a.b", "a.b.c.d", "!!.e30.sig", "WzFd.e30.sig"] {
            assert_eq!(peek_header(junk).err(), Some(Rejection::Malformed), "{junk}");
        }
    }

    fn claims(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn the_highest_role_present_wins() {
        let id =
            identity(claims(json!({"sub": "u1", "cognito:groups": ["Viewer", "ADMIN", "staff"]})), "cognito:groups")
                .unwrap();
        assert_eq!(id.role, Role::Admin);
        let id =
            identity(claims(json!({"sub": "u1", "https://example.com/role": "agent"})), "https://example.com/role")
                .unwrap();
        assert_eq!(id.role, Role::Agent);
    }

    #[test]
    fn no_recognised_role_names_the_claim() {
        for value in [json!(null), json!([]), json!(["staff"]), json!("owner"), json!(3)] {
            let err = identity(claims(json!({"sub": "u1", "groups": value})), "groups").unwrap_err();
            assert_eq!(err, Rejection::NoRole { claim: "groups".into() });
            assert!(err.to_string().contains("groups"));
        }
        let err = identity(claims(json!({"sub": "u1"})), "role").unwrap_err();
        assert_eq!(err, Rejection::NoRole { claim: "role".into() });
    }

    #[test]
    fn a_cognito_access_token_names_the_audience_in_client_id() {
        let check = |v: Value| audience(&claims(v), "app-client");
        assert_eq!(check(json!({"aud": "app-client"})), Ok(()), "matched by jsonwebtoken already");
        assert_eq!(check(json!({"aud": ["x", "app-client"]})), Ok(()));
        assert_eq!(check(json!({"token_use": "access", "client_id": "app-client"})), Ok(()));
        assert_eq!(check(json!({"token_use": "access", "client_id": "other"})), Err(Rejection::Audience));
        assert_eq!(check(json!({"token_use": "id", "client_id": "app-client"})), Err(Rejection::Audience));
        assert_eq!(check(json!({})), Err(Rejection::MissingClaim { claim: "aud".into() }));
        for bad in [json!(7), json!(["app-client", 7]), json!(null)] {
            assert_eq!(check(json!({"aud": bad})), Err(Rejection::ClaimFormat { claim: "aud".into() }));
        }
    }

    #[test]
    fn subject_is_required_and_unverified_email_dropped() {
        assert!(identity(claims(json!({"role": "agent"})), "role").is_err());
        assert!(identity(claims(json!({"sub": "", "role": "agent"})), "role").is_err());
        assert!(identity(claims(json!({"sub": 7, "role": "agent"})), "role").is_err());
        let email = |extra: Value| {
            let mut c = claims(json!({"sub": "u1", "role": "viewer", "email": "ann@example.com"}));
            c.extend(claims(extra));
            identity(c, "role").unwrap().email
        };
        assert_eq!(email(json!({})).as_deref(), Some("ann@example.com"));
        assert_eq!(email(json!({"email_verified": true})).as_deref(), Some("ann@example.com"));
        assert_eq!(email(json!({"email_verified": "true"})).as_deref(), Some("ann@example.com"));
        assert_eq!(email(json!({"email_verified": false})), None);
        assert_eq!(email(json!({"email_verified": "false"})), None);
    }
}
