//! SendGrid: Inbound Parse (a multipart POST per received e-mail) and v3 mail send.
//!
//! Inbound Parse cannot sign its requests, so the webhook URL carries a secret: either
//! `https://<host>/api/webhooks/sendgrid/inbound?token=<SENDGRID_INBOUND_SECRET>` or
//! basic auth in the URL (`https://leadflow:<secret>@<host>/...`); both are checked.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use subtle::ConstantTimeEq;

use super::email_text::{html_to_text, new_text};
use chrono::{DateTime, Duration, Utc};

use super::outbound::error_text;
use super::{InboundMessage, Lookup, Outbound, SendError, SendReceipt, Sender};

/// The custom argument holding the staged message's id.
const CUSTOM_ARG: &str = "leadflow_message_id";

/// How long SendGrid's activity feed may take to show an accepted message.
const ACTIVITY_LAG: Duration = Duration::minutes(15);
use crate::domain::{Channel, Email};

/// Whether the request presents the inbound secret (as `token` or a basic-auth password).
pub fn secret_is_valid(secret: &SecretString, token: Option<&str>, basic_password: Option<&str>) -> bool {
    let expected = secret.expose_secret().as_bytes();
    let ok = |presented: Option<&str>| presented.is_some_and(|p| bool::from(p.as_bytes().ct_eq(expected)));
    ok(token) | ok(basic_password)
}

/// `"Dana Whitfield" <dana@example.com>` → (Some("Dana Whitfield"), "dana@example.com").
pub fn parse_address(raw: &str) -> (Option<String>, &str) {
    let raw = raw.trim();
    match (raw.rfind('<'), raw.rfind('>')) {
        (Some(open), Some(close)) if open < close => {
            let name = raw[..open].trim().trim_matches('"').trim();
            ((!name.is_empty()).then(|| name.to_owned()), raw[open + 1..close].trim())
        }
        _ => (None, raw),
    }
}

/// A header's value from a raw header block (unfolding continuation lines).
pub fn header(headers: &str, name: &str) -> Option<String> {
    let mut value: Option<String> = None;
    for line in headers.lines() {
        if let Some(v) = value.as_mut() {
            if line.starts_with([' ', '\t']) {
                v.push(' ');
                v.push_str(line.trim());
                continue;
            }
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.trim().eq_ignore_ascii_case(name)
        {
            value = Some(v.trim().to_owned());
        }
    }
    value.filter(|v| !v.is_empty())
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{field}: {message}")]
pub struct ParseError {
    pub field: &'static str,
    pub message: String,
}

/// Turns Inbound Parse's form fields into a message: the sender from `from`, the new
/// text of `text` (or of `html`), the provider id from the `Message-ID` header.
pub fn parse_inbound(fields: &HashMap<String, String>) -> Result<InboundMessage, ParseError> {
    let from = fields.get("from").ok_or(ParseError { field: "from", message: "is required".into() })?;
    let (name, address) = parse_address(from);
    let email = Email::parse(address).map_err(|e| ParseError { field: "from", message: e.to_string() })?;
    let headers = fields.get("headers").map(String::as_str).unwrap_or_default();
    let body = match fields.get("text").filter(|t| !t.trim().is_empty()) {
        Some(text) => new_text(text),
        None => new_text(&html_to_text(fields.get("html").map(String::as_str).unwrap_or_default())),
    };
    let subject = fields.get("subject").map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    if body.is_empty() && subject.is_none() {
        return Err(ParseError { field: "text", message: "the e-mail has no text".into() });
    }
    let provider_message_id = match header(headers, "Message-ID") {
        Some(id) => format!("email:{id}"),
        // Without a Message-ID, the envelope and content identify a redelivery.
        None => {
            let basis = format!("{address}|{}|{body}", subject.as_deref().unwrap_or_default());
            format!("email:sha256:{}", crate::idempotency::payload_hash(basis.as_bytes()))
        }
    };
    let auto_submitted = super::auto_reply::is_automatic(headers, subject.as_deref());
    Ok(InboundMessage {
        channel: Channel::Email,
        content: if body.is_empty() { subject.clone().unwrap_or_default() } else { body },
        subject,
        name,
        email: Some(email),
        phone: None,
        provider_message_id: Some(provider_message_id),
        chat_session: None,
        fields: Default::default(),
        auto_submitted,
    })
}

/// The `Message-ID` of a stored e-mail, for threading a reply under it.
pub fn message_id_of(provider_message_id: &str) -> Option<&str> {
    provider_message_id.strip_prefix("email:").filter(|id| id.starts_with('<'))
}

/// Sends e-mail through the v3 mail send API; replies thread under the customer's message.
pub struct SendGridSender {
    http: reqwest::Client,
    base: String,
    api_key: SecretString,
    from_email: String,
    from_name: String,
}

impl SendGridSender {
    pub fn new(http: reqwest::Client, base: &str, api_key: SecretString, from_email: &str, from_name: &str) -> Self {
        Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
            api_key,
            from_email: from_email.to_owned(),
            from_name: from_name.to_owned(),
        }
    }
}

#[async_trait::async_trait]
impl Sender for SendGridSender {
    async fn send(&self, m: &Outbound) -> Result<SendReceipt, SendError> {
        let mut payload = json!({
            "personalizations": [{"to": [{"email": m.to}]}],
            "from": {"email": self.from_email, "name": self.from_name},
            "subject": m.subject.clone().unwrap_or_else(|| format!("Message from {}", self.from_name)),
            "content": [{"type": "text/plain", "value": m.body}],
            // Carried into SendGrid's activity and events: how a dead attempt is found.
            "custom_args": {CUSTOM_ARG: m.id.to_string()},
        });
        if let Some(parent) = &m.in_reply_to {
            payload["headers"] = json!({"In-Reply-To": parent, "References": parent});
        }
        if !m.attachments.is_empty() {
            let attachments: Vec<serde_json::Value> = m
                .attachments
                .iter()
                .map(|a| {
                    json!({
                        "content": STANDARD.encode(&a.content),
                        "type": attachment_type(&a.content_type),
                        "filename": a.filename,
                        "disposition": "attachment",
                    })
                })
                .collect();
            payload["attachments"] = json!(attachments);
        }
        let unavailable = |message: String| SendError::Unavailable { provider: "sendgrid", message };
        let resp = self
            .http
            .post(format!("{}/v3/mail/send", self.base))
            .bearer_auth(self.api_key.expose_secret())
            .json(&payload)
            .send()
            .await
            .map_err(|e| SendError::from_request("sendgrid", &e.without_url()))?;
        let status = resp.status();
        let id = resp.headers().get("x-message-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
        if status.is_success() {
            return Ok(SendReceipt { provider_message_id: id });
        }
        let body = resp.text().await.unwrap_or_default();
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(unavailable(format!("HTTP {status}: {}", error_text(&body))));
        }
        Err(SendError::Rejected {
            provider: "sendgrid",
            status: status.as_u16(),
            code: None,
            message: error_text(&body),
            recipient_undeliverable: false,
        })
    }

    /// Asks the Email Activity API for a message carrying our id. The feed lags behind
    /// sending by minutes, so an empty answer is only believed once the attempt is
    /// older than that; before, the lookup is inconclusive and the job retries later.
    /// An account without the activity add-on cannot tell (`Unknown`).
    async fn find_sent(&self, m: &Outbound, since: DateTime<Utc>) -> Result<Lookup, SendError> {
        let unavailable = |message: String| SendError::Unavailable { provider: "sendgrid", message };
        let query = format!("unique_args['{CUSTOM_ARG}']=\"{}\"", m.id);
        let resp = self
            .http
            .get(format!("{}/v3/messages", self.base))
            .bearer_auth(self.api_key.expose_secret())
            .query(&[("limit", "1"), ("query", query.as_str())])
            .send()
            .await
            .map_err(|e| unavailable(e.without_url().to_string()))?;
        let status = resp.status();
        let body = resp.text().await.unwrap_or_default();
        if matches!(status.as_u16(), 401 | 403 | 404) {
            return Ok(Lookup::Unknown);
        }
        if !status.is_success() {
            return Err(unavailable(format!("activity lookup HTTP {status}: {}", error_text(&body))));
        }
        let v: serde_json::Value =
            serde_json::from_str(&body).map_err(|e| unavailable(format!("activity answer unreadable: {e}")))?;
        let first = v.get("messages").and_then(|l| l.as_array()).and_then(|l| l.first());
        match first {
            Some(found) => Ok(Lookup::Found(SendReceipt {
                provider_message_id: found.get("msg_id").and_then(|i| i.as_str()).map(str::to_owned),
            })),
            None if Utc::now() - since > ACTIVITY_LAG => Ok(Lookup::NotFound),
            None => Err(unavailable("the activity feed does not show the message yet".into())),
        }
    }
}

/// The attachment `type` as SendGrid takes it. It refuses parameters ("The attachment type
/// cannot contain ';', or CRLF characters") except `method`, which calendar clients need to
/// see an invite; the charset it sets itself.
fn attachment_type(content_type: &str) -> String {
    let mut parts = content_type.split(';').map(str::trim);
    let mime = parts.next().unwrap_or_default();
    let method = parts.find(|p| p.split_once('=').is_some_and(|(k, _)| k.trim().eq_ignore_ascii_case("method")));
    match method {
        Some(method) => format!("{mime}; {method}"),
        None => mime.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn addresses_split_into_name_and_email() {
        assert_eq!(parse_address("\"Dana W\" <Dana@Example.com>"), (Some("Dana W".into()), "Dana@Example.com"));
        assert_eq!(parse_address("dana@example.com"), (None, "dana@example.com"));
        assert_eq!(parse_address("<x@y.io>"), (None, "x@y.io"));
    }

    #[test]
    fn headers_are_found_and_unfolded() {
        let h = "Received: by mx\nMessage-ID: <abc@mail.example.com>\nSubject: a\n b\nX: y";
        assert_eq!(header(h, "message-id").as_deref(), Some("<abc@mail.example.com>"));
        assert_eq!(header(h, "Subject").as_deref(), Some("a b"));
        assert_eq!(header(h, "In-Reply-To"), None);
    }

    #[test]
    fn inbound_email_is_parsed() {
        let f = form(&[
            ("from", "Dana Whitfield <Dana@Example.com>"),
            ("subject", "Quote request"),
            ("text", "Could you quote a remodel?\n\nOn Mon, Jan 5 Acme <a@b.co> wrote:\n> hello"),
            ("headers", "Message-ID: <m1@mail.example.com>\nTo: hi@acme.com"),
        ]);
        let m = parse_inbound(&f).unwrap();
        assert_eq!(m.content, "Could you quote a remodel?");
        assert_eq!(m.email.unwrap().as_str(), "dana@example.com");
        assert_eq!(m.name.as_deref(), Some("Dana Whitfield"));
        assert_eq!(m.provider_message_id.as_deref(), Some("email:<m1@mail.example.com>"));
        assert_eq!(m.subject.as_deref(), Some("Quote request"));
        assert!(!m.auto_submitted);
    }

    #[test]
    fn an_out_of_office_reply_is_marked_automatic() {
        let f = form(&[
            ("from", "Dana Whitfield <dana@example.com>"),
            ("subject", "Automatic reply: Your quote"),
            ("text", "I am out of the office until Monday."),
            (
                "headers",
                "Message-ID: <oof-1@mail.example.com>\nAuto-Submitted: auto-replied\nX-Auto-Response-Suppress: All",
            ),
        ]);
        assert!(parse_inbound(&f).unwrap().auto_submitted);
    }

    #[test]
    fn html_only_and_bad_senders() {
        let f = form(&[("from", "a@example.com"), ("html", "<p>Do you work weekends?</p>")]);
        let m = parse_inbound(&f).unwrap();
        assert_eq!(m.content, "Do you work weekends?");
        assert!(m.provider_message_id.unwrap().starts_with("email:sha256:"));
        assert_eq!(parse_inbound(&form(&[("text", "x")])).unwrap_err().field, "from");
        assert_eq!(parse_inbound(&form(&[("from", "nobody"), ("text", "x")])).unwrap_err().field, "from");
        assert_eq!(parse_inbound(&form(&[("from", "a@example.com")])).unwrap_err().field, "text");
    }

    #[test]
    fn attachment_types_keep_only_what_sendgrid_accepts() {
        assert_eq!(attachment_type("text/calendar; method=REQUEST; charset=UTF-8"), "text/calendar; method=REQUEST");
        assert_eq!(attachment_type("text/calendar;charset=\"utf-8\";METHOD=CANCEL"), "text/calendar; METHOD=CANCEL");
        assert_eq!(attachment_type("application/pdf"), "application/pdf");
        assert_eq!(attachment_type("text/plain; charset=UTF-8"), "text/plain");
    }

    #[test]
    fn secrets_compare_exactly() {
        let s = SecretString::from("s3cret-value");
        assert!(secret_is_valid(&s, Some("s3cret-value"), None));
        assert!(secret_is_valid(&s, None, Some("s3cret-value")));
        assert!(!secret_is_valid(&s, Some("s3cret"), Some("wrong")));
        assert!(!secret_is_valid(&s, None, None));
    }
}
