//! Twilio SMS: the inbound webhook (form-encoded, signed with `X-Twilio-Signature`) and
//! the Messages API for replies.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha1::Sha1;
use subtle::ConstantTimeEq;

use chrono::{DateTime, Duration, Utc};

use super::outbound::{error_code, error_text};
use super::{InboundMessage, Lookup, Outbound, SendError, SendReceipt, Sender};
use crate::domain::{Channel, Country, InvalidValue, Phone};

/// The empty TwiML answer: reply later, through the API.
pub const EMPTY_TWIML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>";

fn sign(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut data = url.to_owned();
    for (k, v) in sorted {
        data.push_str(k);
        data.push_str(v);
    }
    let mut mac = Hmac::<Sha1>::new_from_slice(auth_token.as_bytes()).expect("HMAC takes any key length");
    mac.update(data.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// The URL as Twilio may have signed it: as given, and with the default port added or removed.
fn url_variants(url: &str) -> Vec<String> {
    let mut variants = vec![url.to_owned()];
    let Some((scheme, rest)) = url.split_once("://") else { return variants };
    let (authority, path) = rest.find('/').map_or((rest, ""), |i| (&rest[..i], &rest[i..]));
    let default_port = if scheme == "https" { ":443" } else { ":80" };
    if let Some(host) = authority.strip_suffix(default_port) {
        variants.push(format!("{scheme}://{host}{path}"));
    } else if !authority.contains(':') {
        variants.push(format!("{scheme}://{authority}{default_port}{path}"));
    }
    variants
}

/// Checks `X-Twilio-Signature`: base64 HMAC-SHA1, keyed by the auth token, of the full
/// URL followed by every POST parameter (sorted) as name then value.
pub fn signature_is_valid(auth_token: &SecretString, url: &str, params: &[(String, String)], header: &str) -> bool {
    let presented = header.trim().as_bytes();
    url_variants(url)
        .iter()
        .any(|u| bool::from(sign(auth_token.expose_secret(), u, params).as_bytes().ct_eq(presented)))
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{field}: {message}")]
pub struct ParseError {
    pub field: &'static str,
    pub message: String,
}

/// Turns the webhook's parameters into a message. `account_sid`, when known, must match.
pub fn parse_inbound(
    params: &[(String, String)],
    account_sid: Option<&str>,
    country: Country,
) -> Result<InboundMessage, ParseError> {
    let get = |k: &str| params.iter().find(|(name, _)| name == k).map(|(_, v)| v.as_str());
    let missing = |field: &'static str| ParseError { field, message: "is required".into() };
    if let (Some(expected), Some(got)) = (account_sid, get("AccountSid"))
        && expected != got
    {
        return Err(ParseError { field: "AccountSid", message: "belongs to another Twilio account".into() });
    }
    let sid = get("MessageSid").or_else(|| get("SmsSid")).ok_or_else(|| missing("MessageSid"))?;
    let from = get("From").ok_or_else(|| missing("From"))?;
    let phone =
        Phone::parse(from, country).map_err(|e: InvalidValue| ParseError { field: "From", message: e.to_string() })?;
    let mut fields = BTreeMap::new();
    let media: usize = get("NumMedia").and_then(|n| n.parse().ok()).unwrap_or(0);
    for i in 0..media.min(10) {
        if let Some(url) = get(&format!("MediaUrl{i}")) {
            fields.insert(format!("media_url_{i}"), url.to_owned());
        }
    }
    let body = get("Body").unwrap_or_default().trim().to_owned();
    if body.is_empty() && fields.is_empty() {
        return Err(ParseError { field: "Body", message: "is empty".into() });
    }
    Ok(InboundMessage {
        channel: Channel::Sms,
        content: if body.is_empty() { format!("[{media} attachment(s)]") } else { body },
        subject: None,
        name: None,
        email: None,
        phone: Some(phone),
        provider_message_id: Some(format!("twilio:{sid}")),
        chat_session: None,
        fields,
        auto_submitted: false,
    })
}

/// Sends SMS through the Messages API (form POST, HTTP basic auth with the account SID).
/// An SMS carries text only: [`Outbound::attachments`] are not sent.
pub struct TwilioSender {
    http: reqwest::Client,
    base: String,
    account_sid: String,
    auth_token: SecretString,
    from: String,
    status_callback: Option<String>,
}

impl TwilioSender {
    pub fn new(http: reqwest::Client, base: &str, account_sid: &str, auth_token: SecretString, from: &str) -> Self {
        Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
            account_sid: account_sid.to_owned(),
            auth_token,
            from: from.to_owned(),
            status_callback: None,
        }
    }

    /// Asks Twilio to post each message's delivery status to `url` (the status callback
    /// webhook), so bounced numbers are learnt.
    #[must_use]
    pub fn with_status_callback(mut self, url: Option<String>) -> Self {
        self.status_callback = url;
        self
    }
}

/// Error codes that say the number itself cannot get an SMS: invalid (21211, 21217,
/// 21401), unsubscribed by STOP (21610), unreachable (21612), not a mobile (21614).
const UNDELIVERABLE: &[&str] = &["21211", "21217", "21401", "21610", "21612", "21614"];

/// How far back a lookup looks before the attempt's start: clocks differ.
const LOOKUP_SKEW: Duration = Duration::minutes(2);

impl TwilioSender {
    fn unavailable(message: String) -> SendError {
        SendError::Unavailable { provider: "twilio", message }
    }

    fn sender_param(&self) -> &'static str {
        // A Messaging Service SID (MG...) sends from the service's pool instead of one number.
        if self.from.starts_with("MG") { "MessagingServiceSid" } else { "From" }
    }

    async fn get_json(&self, url: &str, query: &[(&str, &str)]) -> Result<serde_json::Value, SendError> {
        let resp = self
            .http
            .get(url)
            .basic_auth(&self.account_sid, Some(self.auth_token.expose_secret()))
            .query(query)
            .send()
            .await
            .map_err(|e| Self::unavailable(e.without_url().to_string()))?;
        let status = resp.status();
        let body = resp.text().await.map_err(|e| Self::unavailable(e.without_url().to_string()))?;
        if !status.is_success() {
            return Err(Self::unavailable(format!("lookup HTTP {status}: {}", error_text(&body))));
        }
        serde_json::from_str(&body).map_err(|e| Self::unavailable(format!("lookup answer unreadable: {e}")))
    }
}

/// Whether a message of the Messages list resource is `m`, sent from `from` after `since`.
fn is_same_message(listed: &serde_json::Value, m: &Outbound, from_key: &str, from: &str, since: DateTime<Utc>) -> bool {
    let field = |k: &str| listed.get(k).and_then(|v| v.as_str());
    let created = field("date_created").and_then(|d| DateTime::parse_from_rfc2822(d).ok());
    let sender = if from_key == "From" { field("from") } else { field("messaging_service_sid") };
    field("to") == Some(m.to.as_str())
        && sender == Some(from)
        && field("direction").is_none_or(|d| d.starts_with("outbound"))
        && field("body").map(str::trim) == Some(m.body.trim())
        && created.is_some_and(|c| c >= since - LOOKUP_SKEW)
}

#[async_trait::async_trait]
impl Sender for TwilioSender {
    async fn send(&self, m: &Outbound) -> Result<SendReceipt, SendError> {
        let url = format!("{}/2010-04-01/Accounts/{}/Messages.json", self.base, self.account_sid);
        let mut form =
            vec![("To", m.to.as_str()), (self.sender_param(), self.from.as_str()), ("Body", m.body.as_str())];
        if let Some(url) = &self.status_callback {
            form.push(("StatusCallback", url.as_str()));
        }
        let resp = self
            .http
            .post(&url)
            .basic_auth(&self.account_sid, Some(self.auth_token.expose_secret()))
            .form(&form)
            .send()
            .await
            .map_err(|e| SendError::from_request("twilio", &e.without_url()))?;
        let status = resp.status();
        let body = resp.text().await.map_err(|e| SendError::from_request("twilio", &e.without_url()))?;
        if status.is_success() {
            let sid = serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.get("sid").and_then(|s| s.as_str()).map(str::to_owned));
            return Ok(SendReceipt { provider_message_id: sid });
        }
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(Self::unavailable(format!("HTTP {status}: {}", error_text(&body))));
        }
        let code = error_code(&body);
        Err(SendError::Rejected {
            provider: "twilio",
            status: status.as_u16(),
            recipient_undeliverable: code.as_deref().is_some_and(|c| UNDELIVERABLE.contains(&c)),
            code,
            message: error_text(&body),
        })
    }

    /// Twilio keeps no client reference on a message, so the lookup lists the messages
    /// to the number (newest first) and matches sender, body and creation time. Not
    /// filtered by `DateSent`: a message still queued at Twilio has none yet.
    async fn find_sent(&self, m: &Outbound, since: DateTime<Utc>) -> Result<Lookup, SendError> {
        let url = format!("{}/2010-04-01/Accounts/{}/Messages.json", self.base, self.account_sid);
        let mut query = vec![("To", m.to.as_str()), ("PageSize", "50")];
        if self.sender_param() == "From" {
            query.push(("From", self.from.as_str()));
        }
        let list = self.get_json(&url, &query).await?;
        let found = list
            .get("messages")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
            .find(|listed| is_same_message(listed, m, self.sender_param(), &self.from, since));
        Ok(match found {
            Some(listed) => Lookup::Found(SendReceipt {
                provider_message_id: listed.get("sid").and_then(|s| s.as_str()).map(str::to_owned),
            }),
            None => Lookup::NotFound,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn signature_matches_twilio_documented_example() {
        // The example from Twilio's security documentation.
        let token = SecretString::from("12345");
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        let p = params(&[
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+14158675310"),
            ("Digits", "1234"),
            ("From", "+14158675310"),
            ("To", "+18005551212"),
        ]);
        assert!(signature_is_valid(&token, url, &p, "GvWf1cFY/Q7PnoempGyD5oXAezc="));
        assert!(!signature_is_valid(&token, url, &p, "GvWf1cFY/Q7PnoempGyD5oXAezd="));
        assert!(!signature_is_valid(&SecretString::from("54321"), url, &p, "GvWf1cFY/Q7PnoempGyD5oXAezc="));
        let mut tampered = p.clone();
        tampered[2].1 = "9999".into();
        assert!(!signature_is_valid(&token, url, &tampered, "GvWf1cFY/Q7PnoempGyD5oXAezc="));
    }

    #[test]
    fn signature_tolerates_the_default_port() {
        let token = SecretString::from("secret");
        let p = params(&[("Body", "hi")]);
        let sig = sign("secret", "https://x.example.com:443/hook", &p);
        assert!(signature_is_valid(&token, "https://x.example.com/hook", &p, &sig));
    }

    #[test]
    fn inbound_sms_is_parsed() {
        let p =
            params(&[("MessageSid", "SM1"), ("AccountSid", "AC1"), ("From", "+14155552671"), ("Body", " Hi there ")]);
        let m = parse_inbound(&p, Some("AC1"), Country::US).unwrap();
        assert_eq!(m.content, "Hi there");
        assert_eq!(m.phone.unwrap().as_str(), "+14155552671");
        assert_eq!(m.provider_message_id.as_deref(), Some("twilio:SM1"));
        assert_eq!(parse_inbound(&p, Some("AC2"), Country::US).unwrap_err().field, "AccountSid");
        let no_sid = params(&[("From", "+14155552671"), ("Body", "x")]);
        assert_eq!(parse_inbound(&no_sid, None, Country::US).unwrap_err().field, "MessageSid");
        let bad_from = params(&[("MessageSid", "SM1"), ("From", "nope"), ("Body", "x")]);
        assert_eq!(parse_inbound(&bad_from, None, Country::US).unwrap_err().field, "From");
        let mms =
            params(&[("MessageSid", "MM1"), ("From", "+14155552671"), ("NumMedia", "1"), ("MediaUrl0", "https://m/1")]);
        assert_eq!(parse_inbound(&mms, None, Country::US).unwrap().fields["media_url_0"], "https://m/1");
    }
}
