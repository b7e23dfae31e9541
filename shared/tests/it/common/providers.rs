//! Provider fakes: wiremock servers standing in for Twilio, SendGrid and OpenAI, and
//! requests signed the way the providers sign them.

use axum::body::Body;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use http::Request;
use leadflow::config::{Config, SendGridSettings, TwilioSettings};
use secrecy::SecretString;
use sha1::Sha1;

pub(crate) const TWILIO_SID: &str = "AC0123456789abcdef0123456789abcdef";
pub(crate) const TWILIO_TOKEN: &str = "twilio-auth-token-for-tests";
pub(crate) const TWILIO_FROM: &str = "+15005550006";
pub(crate) const PUBLIC_BASE: &str = "https://leads.example.com";
pub(crate) const SENDGRID_KEY: &str = "SG.test-key-for-tests";
pub(crate) const INBOUND_SECRET: &str = "inbound-secret-for-tests";

pub(crate) fn with_twilio(c: &mut Config, api_base: &str) {
    c.providers.twilio = Some(TwilioSettings {
        account_sid: TWILIO_SID.into(),
        auth_token: SecretString::from(TWILIO_TOKEN),
        from: TWILIO_FROM.into(),
        api_base: api_base.into(),
    });
    c.public_base_url = Some(PUBLIC_BASE.into());
}

pub(crate) fn with_sendgrid(c: &mut Config, api_base: &str) {
    c.providers.sendgrid = Some(SendGridSettings {
        api_key: SecretString::from(SENDGRID_KEY),
        from_email: "hello@austinplumbing.example".into(),
        from_name: Some("Austin Plumbing".into()),
        api_base: api_base.into(),
    });
    c.providers.sendgrid_inbound_secret = Some(SecretString::from(INBOUND_SECRET));
}

/// Twilio's signature, computed independently of the code under test.
pub(crate) fn twilio_signature(token: &str, url: &str, params: &[(&str, &str)]) -> String {
    let mut sorted = params.to_vec();
    sorted.sort_unstable();
    let data = sorted.iter().fold(url.to_owned(), |mut acc, (k, v)| {
        acc.push_str(k);
        acc.push_str(v);
        acc
    });
    let mut mac = Hmac::<Sha1>::new_from_slice(token.as_bytes()).unwrap();
    mac.update(data.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The form Twilio posts for an inbound SMS.
pub(crate) fn sms_params<'a>(sid: &'a str, from: &'a str, body: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("ToCountry", "US"),
        ("SmsMessageSid", sid),
        ("NumMedia", "0"),
        ("SmsSid", sid),
        ("SmsStatus", "received"),
        ("Body", body),
        ("To", TWILIO_FROM),
        ("NumSegments", "1"),
        ("MessageSid", sid),
        ("AccountSid", TWILIO_SID),
        ("From", from),
        ("ApiVersion", "2010-04-01"),
    ]
}

/// A signed Twilio webhook request (signed for `PUBLIC_BASE` + path, as configured).
pub(crate) fn twilio_request(params: &[(&str, &str)], signature: Option<&str>) -> Request<Body> {
    let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
    let path = "/api/webhooks/twilio/sms";
    let computed = twilio_signature(TWILIO_TOKEN, &format!("{PUBLIC_BASE}{path}"), params);
    let mut req = Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("host", "abc123.execute-api.us-east-1.amazonaws.com")
        .header("x-forwarded-proto", "https")
        .header("user-agent", "TwilioProxy/1.1");
    if let Some(sig) = signature.map(str::to_owned).or(Some(computed)).filter(|s| !s.is_empty()) {
        req = req.header("x-twilio-signature", sig);
    }
    req.body(Body::from(body)).unwrap()
}

/// A SendGrid Inbound Parse post (multipart/form-data).
pub(crate) fn sendgrid_request(query: &str, fields: &[(&str, &str)]) -> Request<Body> {
    let bytes: Vec<(&str, &[u8])> = fields.iter().map(|(k, v)| (*k, v.as_bytes())).collect();
    sendgrid_request_bytes(query, &bytes)
}

/// The same with field values as raw bytes, as SendGrid sends a field in its own charset.
pub(crate) fn sendgrid_request_bytes(query: &str, fields: &[(&str, &[u8])]) -> Request<Body> {
    let boundary = "xYzZY";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(value);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"attachment1\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nignored\r\n"
    ).as_bytes());
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Request::post(format!("/api/webhooks/sendgrid/inbound{query}"))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .header("user-agent", "Sendlib/1.0 mx.sendgrid.net")
        .body(Body::from(body))
        .unwrap()
}
