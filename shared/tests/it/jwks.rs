//! Tokens from an external identity provider, checked against a JWKS served by wiremock.
//! The keys are the test-only pairs under `tests/fixtures/jwks-test-*`.

use std::time::Duration;

use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode, get_current_timestamp};
use leadflow::auth::jwks::{ExternalTokenError, JwksPolicy, JwksVerifier, Rejection};
use leadflow::config::ExternalIdp;
use leadflow::domain::access::Role;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ISSUER: &str = "https://idp.example.com/us-east-1_test";
const AUDIENCE: &str = "leadflow-api";
const KID_1: &str = "test-rsa-1";
const KID_2: &str = "test-rsa-2";
const KID_EC: &str = "test-ec-1";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).expect(name)
}

fn jwk(name: &str) -> Value {
    serde_json::from_slice(&fixture(&format!("{name}.jwk.json"))).unwrap()
}

fn key_set(names: &[&str]) -> Value {
    json!({"keys": names.iter().map(|n| jwk(n)).collect::<Vec<_>>()})
}

fn jwks(names: &[&str], cache_control: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(key_set(names)).insert_header("cache-control", cache_control)
}

fn idp(server_uri: &str) -> ExternalIdp {
    ExternalIdp {
        jwks_url: format!("{server_uri}/.well-known/jwks.json"),
        issuer: ISSUER.into(),
        audience: AUDIENCE.into(),
        role_claim: "cognito:groups".into(),
    }
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(2)).build().unwrap()
}

fn verifier(server: &MockServer, policy: JwksPolicy) -> JwksVerifier {
    JwksVerifier::with_policy(http(), idp(&server.uri()), policy)
}

/// Keys always stale and no cooldown: every lookup may fetch.
fn eager() -> JwksPolicy {
    JwksPolicy { refetch_cooldown: Duration::ZERO, min_ttl: Duration::ZERO, ..JwksPolicy::default() }
}

fn now() -> i64 {
    get_current_timestamp() as i64
}

fn claims() -> Value {
    json!({
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "b1f0c7e2-1111-4222-8333-444455556666",
        "iat": now(),
        "exp": now() + 600,
        "email": "ann@example.com",
        "cognito:groups": ["agent"],
    })
}

fn with(changes: Value) -> Value {
    let mut c = claims();
    for (k, v) in changes.as_object().unwrap() {
        if v.is_null() {
            c.as_object_mut().unwrap().remove(k);
        } else {
            c[k] = v.clone();
        }
    }
    c
}

fn sign_rsa(pem: &str, kid: &str, claims: &Value) -> String {
    let key = EncodingKey::from_rsa_pem(&fixture(pem)).unwrap();
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.into());
    encode(&header, claims, &key).unwrap()
}

fn token(claims: &Value) -> String {
    sign_rsa("jwks-test-key-1.pem", KID_1, claims)
}

async fn serve(names: &[&str]) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/.well-known/jwks.json"))
        .respond_with(jwks(names, "max-age=600"))
        .mount(&server)
        .await;
    server
}

async fn fetches(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

fn rejected(result: Result<impl std::fmt::Debug, ExternalTokenError>) -> Rejection {
    match result {
        Err(ExternalTokenError::Rejected { reason }) => reason,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[tokio::test]
async fn a_valid_token_is_accepted_and_the_keys_are_fetched_once() {
    let server = serve(&["jwks-test-key-1", "jwks-test-ec-key"]).await;
    let v = JwksVerifier::new(http(), idp(&server.uri()));
    assert_eq!(fetches(&server).await, 0, "nothing is fetched before the first token");
    let id = v.verify(&token(&claims())).await.unwrap();
    assert_eq!(id.subject, "b1f0c7e2-1111-4222-8333-444455556666");
    assert_eq!(id.role, Role::Agent);
    assert_eq!(id.email.as_deref(), Some("ann@example.com"));

    let ec_key = EncodingKey::from_ec_pem(&fixture("jwks-test-ec-key.pem")).unwrap();
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(KID_EC.into());
    let ec_token = encode(&header, &with(json!({"cognito:groups": "viewer"})), &ec_key).unwrap();
    assert_eq!(v.clone().verify(&ec_token).await.unwrap().role, Role::Viewer);
    assert_eq!(fetches(&server).await, 1, "clones share one cache");
}

#[tokio::test]
async fn a_rotated_key_is_fetched_once_however_many_tokens_ask() {
    let server = MockServer::start().await;
    let url = "/.well-known/jwks.json";
    Mock::given(path(url))
        .respond_with(jwks(&["jwks-test-key-1"], "max-age=3600"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path(url))
        .respond_with(jwks(&["jwks-test-key-1", "jwks-test-key-2"], "max-age=3600"))
        .mount(&server)
        .await;
    // The cooldown is short so that the rotation can follow the first fetch at once.
    let v = verifier(&server, JwksPolicy { refetch_cooldown: Duration::ZERO, ..JwksPolicy::default() });
    v.verify(&token(&claims())).await.unwrap();
    assert_eq!(fetches(&server).await, 1);

    let rotated = sign_rsa("jwks-test-key-2.pem", KID_2, &claims());
    let results = futures::future::join_all((0..8).map(|_| v.verify(&rotated))).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(fetches(&server).await, 2, "concurrent misses share one refetch");
    v.verify(&token(&claims())).await.unwrap();
    assert_eq!(fetches(&server).await, 2);
}

#[tokio::test]
async fn an_unknown_key_soon_after_a_fetch_is_refused_without_fetching() {
    let server = serve(&["jwks-test-key-1"]).await;
    let v = verifier(&server, JwksPolicy::default());
    v.verify(&token(&claims())).await.unwrap();
    for kid in ["random-1", "random-2", KID_2] {
        let forged = sign_rsa("jwks-test-key-2.pem", kid, &claims());
        assert_eq!(rejected(v.verify(&forged).await), Rejection::UnknownKey { kid: kid.into() });
    }
    assert_eq!(fetches(&server).await, 1, "the cooldown holds back refetches");
}

#[tokio::test]
async fn time_claims_are_honoured_with_a_small_leeway() {
    let server = serve(&["jwks-test-key-1"]).await;
    let v = verifier(&server, JwksPolicy::default());
    let expired = token(&with(json!({"exp": now() - 120})));
    assert_eq!(rejected(v.verify(&expired).await), Rejection::Expired);
    let just_expired = token(&with(json!({"exp": now() - 10})));
    assert!(v.verify(&just_expired).await.is_ok(), "within the leeway");
    let early = token(&with(json!({"nbf": now() + 120})));
    assert_eq!(rejected(v.verify(&early).await), Rejection::NotYetValid);
    let no_exp = token(&with(json!({"exp": null})));
    assert_eq!(rejected(v.verify(&no_exp).await), Rejection::MissingClaim { claim: "exp".into() });
    let no_sub = token(&with(json!({"sub": null})));
    assert_eq!(rejected(v.verify(&no_sub).await), Rejection::MissingClaim { claim: "sub".into() });
}

#[tokio::test]
async fn issuer_and_audience_must_match_exactly() {
    let server = serve(&["jwks-test-key-1"]).await;
    let v = verifier(&server, JwksPolicy::default());
    for iss in ["https://evil.example.com/", "https://idp.example.com/us-east-1_test/", ""] {
        assert_eq!(rejected(v.verify(&token(&with(json!({"iss": iss})))).await), Rejection::Issuer, "{iss}");
    }
    assert_eq!(rejected(v.verify(&token(&with(json!({"aud": "other-api"})))).await), Rejection::Audience);
    assert_eq!(rejected(v.verify(&token(&with(json!({"aud": ["a", "b"]})))).await), Rejection::Audience);
    assert!(v.verify(&token(&with(json!({"aud": ["other-api", AUDIENCE]})))).await.is_ok(), "a list naming us");
    let cognito_access = with(json!({"aud": null, "token_use": "access", "client_id": AUDIENCE}));
    assert!(v.verify(&token(&cognito_access)).await.is_ok(), "Cognito access tokens name the client instead");
    let other_client = with(json!({"aud": null, "token_use": "access", "client_id": "other"}));
    assert_eq!(rejected(v.verify(&token(&other_client)).await), Rejection::Audience);
    let no_audience = with(json!({"aud": null}));
    assert_eq!(rejected(v.verify(&token(&no_audience)).await), Rejection::MissingClaim { claim: "aud".into() });
}

#[tokio::test]
async fn a_tampered_token_is_refused() {
    let server = serve(&["jwks-test-key-1"]).await;
    let v = verifier(&server, JwksPolicy::default());
    let good = token(&claims());
    let parts: Vec<&str> = good.split('.').collect();
    let forged_claims = serde_json::to_vec(&with(json!({"cognito:groups": ["admin"]}))).unwrap();
    let forged_payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(forged_claims);
    let forged = format!("{}.{forged_payload}.{}", parts[0], parts[2]);
    assert_eq!(rejected(v.verify(&forged).await), Rejection::Signature);
    let other_key = sign_rsa("jwks-test-key-2.pem", KID_1, &claims());
    assert_eq!(rejected(v.verify(&other_key).await), Rejection::Signature);
}

#[tokio::test]
async fn none_and_hmac_tokens_are_refused_before_any_fetch() {
    let server = serve(&["jwks-test-key-1"]).await;
    let v = verifier(&server, JwksPolicy::default());
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let unsigned = format!("{}.{}.", b64(&json!({"alg": "none", "kid": KID_1})), b64(&claims()));
    assert_eq!(rejected(v.verify(&unsigned).await), Rejection::Algorithm { alg: "none".into() });

    // Algorithm confusion: the public key, which anyone can fetch, used as an HMAC secret.
    let public_pem = fixture("jwks-test-key-1.pub.pem");
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(KID_1.into());
    let confused = encode(&header, &claims(), &EncodingKey::from_secret(&public_pem)).unwrap();
    assert_eq!(rejected(v.verify(&confused).await), Rejection::Algorithm { alg: "HS256".into() });

    let no_kid = encode(
        &Header::new(Algorithm::RS256),
        &claims(),
        &EncodingKey::from_rsa_pem(&fixture("jwks-test-key-1.pem")).unwrap(),
    )
    .unwrap();
    assert_eq!(rejected(v.verify(&no_kid).await), Rejection::MissingKeyId);
    assert_eq!(rejected(v.verify("not a token").await), Rejection::Malformed);
    assert_eq!(fetches(&server).await, 0);
}

#[tokio::test]
async fn a_key_declared_for_another_algorithm_is_not_used() {
    let server = serve(&["jwks-test-key-1"]).await;
    let v = verifier(&server, JwksPolicy::default());
    let mut header = Header::new(Algorithm::PS256);
    header.kid = Some(KID_1.into());
    let pss = encode(&header, &claims(), &EncodingKey::from_rsa_pem(&fixture("jwks-test-key-1.pem")).unwrap()).unwrap();
    assert_eq!(rejected(v.verify(&pss).await), Rejection::KeyAlgorithm { kid: KID_1.into(), alg: "PS256".into() });
}

#[tokio::test]
async fn the_role_comes_from_the_configured_claim() {
    let server = serve(&["jwks-test-key-1"]).await;
    let v = verifier(&server, JwksPolicy::default());
    let groups = token(&with(json!({"cognito:groups": ["us-east-1_test_Google", "Viewer", "Admin"]})));
    assert_eq!(v.verify(&groups).await.unwrap().role, Role::Admin);
    let missing = token(&with(json!({"cognito:groups": null, "role": "admin"})));
    let reason = rejected(v.verify(&missing).await);
    assert_eq!(reason, Rejection::NoRole { claim: "cognito:groups".into() });
    assert!(reason.to_string().contains("cognito:groups"), "{reason}");
    let unknown = token(&with(json!({"cognito:groups": ["owners"]})));
    assert_eq!(rejected(v.verify(&unknown).await), Rejection::NoRole { claim: "cognito:groups".into() });

    let namespaced = JwksVerifier::new(
        http(),
        ExternalIdp { role_claim: "https://leadflow.example.com/role".into(), ..idp(&server.uri()) },
    );
    let auth0 = token(&with(json!({"https://leadflow.example.com/role": "AGENT"})));
    assert_eq!(namespaced.verify(&auth0).await.unwrap().role, Role::Agent);
}

#[tokio::test]
async fn an_unreachable_jwks_is_unavailable() {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let v = JwksVerifier::with_policy(http(), idp(&closed), eager());
    let result = v.verify(&token(&claims())).await;
    assert!(matches!(result, Err(ExternalTokenError::Unavailable { .. })), "{result:?}");

    let failing = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(503)).mount(&failing).await;
    let result = verifier(&failing, eager()).verify(&token(&claims())).await;
    assert!(matches!(result, Err(ExternalTokenError::Unavailable { .. })), "{result:?}");

    let garbled = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_string("<html>")).mount(&garbled).await;
    let result = verifier(&garbled, eager()).verify(&token(&claims())).await;
    assert!(matches!(result, Err(ExternalTokenError::Unavailable { .. })), "{result:?}");
}

#[tokio::test]
async fn cached_keys_outlive_a_jwks_outage() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(jwks(&["jwks-test-key-1"], "max-age=0")).mount(&server).await;
    let v = verifier(&server, eager());
    v.verify(&token(&claims())).await.unwrap();

    server.reset().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(500)).mount(&server).await;
    let id = v.verify(&token(&claims())).await.expect("the stale key still verifies");
    assert_eq!(id.role, Role::Agent);
    assert_eq!(fetches(&server).await, 1, "the stale set was refetched (and that failed)");

    // A key it never had cannot be checked while the provider is down: that is an outage,
    // not a bad token.
    let rotated = sign_rsa("jwks-test-key-2.pem", KID_2, &claims());
    assert!(matches!(v.verify(&rotated).await, Err(ExternalTokenError::Unavailable { .. })));
}

/// Through the API: the provider's token signs a person in with the role it carries;
/// an outage of the provider's keys is a 503, not a 401.
#[tokio::test]
async fn the_api_accepts_the_providers_tokens_with_their_role() {
    use http::{Method, StatusCode};
    let server = serve(&["jwks-test-key-1"]).await;
    let app = crate::common::TestApp::with_config(|c| c.access.external = Some(idp(&server.uri()))).await;
    let agent = token(&claims());
    let me = app.call_as(&agent, Method::GET, "/api/auth/me", None).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text);
    assert_eq!(me.body["actor"], json!({"type": "external", "subject": "b1f0c7e2-1111-4222-8333-444455556666"}));
    assert_eq!(me.body["role"], "agent");
    let r = app.call_as(&agent, Method::PUT, "/api/settings", Some(json!({}))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "an agent from the provider is still an agent");
    let wrong_aud = token(&with(json!({"aud": "someone-else"})));
    let r = app.call_as(&wrong_aud, Method::GET, "/api/leads", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);

    let down = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(503)).mount(&down).await;
    let app = crate::common::TestApp::with_config(|c| c.access.external = Some(idp(&down.uri()))).await;
    let r = app.call_as(&agent, Method::GET, "/api/leads", None).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text);
    assert!(r.headers.contains_key("retry-after"));
}
