//! Outbound webhooks: where events go (endpoints and Zapier subscriptions), what each
//! delivery did, and the rules that do not need I/O: which URLs are accepted, which
//! events an endpoint takes, the body sent, and when to try again.

use std::collections::BTreeSet;
use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::access::Actor;
use super::macros::string_enum;
use super::{Event, EventEnvelope, InvalidValue};

pub mod address;

string_enum!(
    /// Who made the endpoint: an admin, or Zapier's subscribe call (a 410 deletes those).
    WebhookSource { Admin => "admin", Zapier => "zapier" }
);
string_enum!(WebhookDeliveryStatus { Pending => "pending", Succeeded => "succeeded", Failed => "failed", Cancelled => "cancelled" });

/// Waits after the 1st, 2nd, ... failed attempt (Svix's schedule): eight attempts over
/// about 28 hours.
pub const RETRY_DELAYS: [Duration; 7] = [
    Duration::seconds(5),
    Duration::minutes(5),
    Duration::minutes(30),
    Duration::hours(2),
    Duration::hours(5),
    Duration::hours(10),
    Duration::hours(10),
];
/// A receiver's `Retry-After` is followed up to this long.
pub const MAX_RETRY_AFTER: Duration = Duration::hours(24);
/// An endpoint whose attempts have all failed for this long is disabled.
pub const DISABLE_AFTER: Duration = Duration::days(5);
/// A rotated-out secret still signs for this long, so receivers can switch over.
pub const ROTATION_OVERLAP: Duration = Duration::hours(24);

/// Where deliveries are sent: `https`, or `http` to loopback when local targets are
/// allowed. A host written as an IP address is judged now; a name is judged by the
/// addresses it resolves to, when connecting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetUrl(url::Url);

impl TargetUrl {
    pub fn parse(raw: &str, allow_loopback: bool) -> Result<Self, InvalidValue> {
        let url =
            url::Url::parse(raw.trim()).map_err(|e| InvalidValue::new(format!("must be an absolute URL ({e})")))?;
        if raw.len() > 2048 {
            return Err(InvalidValue::new("must be at most 2048 characters"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(InvalidValue::new("must not hold credentials; receivers check the signature instead"));
        }
        let ip = match url.host() {
            Some(url::Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
            Some(url::Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
            Some(url::Host::Domain(_)) => None,
            None => return Err(InvalidValue::new("must name a host")),
        };
        if let Some(ip) = ip
            && let Err(r) = address::permitted(ip, allow_loopback)
        {
            return Err(InvalidValue::new(format!(
                "points at {ip}, {}; webhooks go to public addresses",
                r.describe()
            )));
        }
        let loopback = match url.host() {
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            _ => ip.is_some_and(|ip| address::refusal(ip) == Some(address::Refusal::Loopback)),
        };
        match url.scheme() {
            "https" => Ok(Self(url)),
            "http" if allow_loopback && loopback => Ok(Self(url)),
            "http" => Err(InvalidValue::new("must use https (plain http is allowed only to loopback, locally)")),
            other => Err(InvalidValue::new(format!("must use https, not {other}"))),
        }
    }

    /// A URL read back from the database, as it was accepted.
    pub fn stored(raw: &str) -> Result<Self, InvalidValue> {
        url::Url::parse(raw).map(Self).map_err(|e| InvalidValue::new(e.to_string()))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn url(&self) -> &url::Url {
        &self.0
    }
}

/// The event types an endpoint takes: `*` or known type names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventFilter(Vec<String>);

impl EventFilter {
    pub const EVERY: &'static str = "*";

    pub fn parse(types: &[String]) -> Result<Self, InvalidValue> {
        if types.is_empty() {
            return Err(InvalidValue::new("needs at least one event type, or \"*\" for every one"));
        }
        let known = Event::type_names();
        let mut set = BTreeSet::new();
        for t in types {
            let t = t.trim();
            if t != Self::EVERY && !known.contains(&t) {
                return Err(InvalidValue::new(format!("{t:?} is not an event type; one of: *, {}", known.join(", "))));
            }
            set.insert(t.to_owned());
        }
        if set.contains(Self::EVERY) {
            return Ok(Self(vec![Self::EVERY.into()]));
        }
        Ok(Self(set.into_iter().collect()))
    }

    /// Read back from the database.
    pub fn stored(types: Vec<String>) -> Self {
        Self(types)
    }

    pub fn types(&self) -> &[String] {
        &self.0
    }

    pub fn accepts(&self, event_type: &str) -> bool {
        self.0.iter().any(|t| t == Self::EVERY || t == event_type)
    }
}

/// An endpoint as the API shows it (never its secret).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WebhookEndpoint {
    pub id: Uuid,
    #[schema(value_type = String)]
    pub url: String,
    pub description: String,
    /// Types delivered; `["*"]` is every type.
    #[schema(value_type = Vec<String>)]
    pub event_types: EventFilter,
    pub source: WebhookSource,
    pub enabled: bool,
    /// Why it was disabled: `gone` (the receiver answered 410), `failing` (five days of
    /// failures) or `admin`.
    pub disabled_reason: Option<String>,
    /// The first failed attempt since the last success.
    pub failing_since: Option<DateTime<Utc>>,
    /// Until then the secret before the last rotation also signs deliveries.
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    pub created_by: Option<Actor>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewWebhookEndpoint {
    pub url: TargetUrl,
    pub description: String,
    pub event_types: EventFilter,
    pub source: WebhookSource,
    pub created_by: Option<Actor>,
}

/// One attempt of a delivery.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WebhookAttempt {
    pub attempted_at: DateTime<Utc>,
    /// `None` when no response came (refused address, timeout, connection error).
    pub status_code: Option<u16>,
    pub latency_ms: u32,
    /// The first kilobyte of the response body.
    pub response_body: Option<String>,
    pub error: Option<String>,
}

/// One event sent to one endpoint, with its attempts.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WebhookDelivery {
    pub id: Uuid,
    pub endpoint_id: Uuid,
    /// The event id, sent as `webhook-id` on every attempt.
    pub event_id: Uuid,
    pub event_type: String,
    pub status: WebhookDeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Newest first; only in a delivery listing.
    pub attempt_log: Vec<WebhookAttempt>,
}

/// The body sent for an event: Standard Webhooks' `type`, `timestamp` and `data`, with
/// the event id (Zapier deduplicates on `id`), its subject and who acted.
pub fn body(e: &EventEnvelope) -> String {
    body_value(e.id, e.detail_type(), e.occurred_at, e.subject_id(), e.actor.as_ref(), e.event.data()).to_string()
}

/// The same body, as JSON, for an event read back from the event store.
pub fn body_value(
    id: Uuid,
    event_type: &str,
    at: DateTime<Utc>,
    subject_id: Uuid,
    actor: Option<&Actor>,
    data: serde_json::Value,
) -> serde_json::Value {
    serde_json::json!({
        "id": id,
        "type": event_type,
        "timestamp": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "subject_id": subject_id,
        "actor": actor,
        "data": data,
    })
}

/// How an attempt ended, as far as retrying goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptClass {
    /// 2xx.
    Delivered,
    /// 410: the receiver says the endpoint is gone for good.
    Gone,
    /// Anything else: another status, a redirect (never followed), no answer.
    Failed,
}

pub fn classify(status: Option<u16>) -> AttemptClass {
    match status {
        Some(200..=299) => AttemptClass::Delivered,
        Some(410) => AttemptClass::Gone,
        _ => AttemptClass::Failed,
    }
}

/// The wait before the next attempt after a failure with `retries_left` retries (of
/// [`RETRY_DELAYS`]) still allowed: the schedule's step, spread by `jitter` (−1 to 1:
/// ±10 %) so endpoints that failed together are not retried together, and never
/// sooner than the receiver's `Retry-After`. `None`: no retries left.
pub fn next_delay(retries_left: u16, retry_after: Option<Duration>, jitter: f64) -> Option<Duration> {
    let step = RETRY_DELAYS.len().checked_sub(usize::from(retries_left))?;
    let base = *RETRY_DELAYS.get(step)?;
    let spread = (base.num_milliseconds() as f64 * 0.1 * jitter.clamp(-1.0, 1.0)) as i64;
    let scheduled = base + Duration::milliseconds(spread);
    Some(retry_after.map_or(scheduled, |ra| scheduled.max(ra.min(MAX_RETRY_AFTER))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_https_and_public() {
        assert!(TargetUrl::parse("https://hooks.zapier.com/hooks/standard/1/abc/", false).is_ok());
        let err = |raw: &str, local| TargetUrl::parse(raw, local).unwrap_err().0;
        assert!(err("http://example.com/hook", false).contains("https"));
        assert!(err("http://169.254.169.254/latest/meta-data/", true).contains("metadata"));
        assert!(err("https://[::ffff:127.0.0.1]/", false).contains("loopback"));
        assert!(err("https://10.0.0.1/", false).contains("private"));
        assert!(err("https://2130706433/", false).contains("loopback"), "decimal IPv4 is still 127.0.0.1");
        assert!(err("https://user:pw@example.com/", false).contains("credentials"));
        assert!(err("ftp://example.com/", false).contains("https"));
        assert!(err("not a url", false).contains("absolute URL"));
        assert!(TargetUrl::parse("http://127.0.0.1:9000/hook", true).is_ok());
        assert!(TargetUrl::parse("http://localhost:9000/hook", true).is_ok());
        assert!(err("http://localhost:9000/hook", false).contains("https"));
    }

    #[test]
    fn filters_take_known_types_or_every_type() {
        let f = EventFilter::parse(&["lead.created".into(), "booking.created".into(), "lead.created".into()]).unwrap();
        assert_eq!(f.types(), ["booking.created", "lead.created"]);
        assert!(f.accepts("lead.created") && !f.accepts("task.created"));
        let every = EventFilter::parse(&["*".into(), "lead.created".into()]).unwrap();
        assert_eq!(every.types(), ["*"]);
        assert!(every.accepts("sequence.stopped"));
        assert!(EventFilter::parse(&["lead.made".into()]).unwrap_err().0.contains("not an event type"));
        assert!(EventFilter::parse(&[]).is_err());
    }

    #[test]
    fn retries_follow_the_schedule_and_retry_after() {
        assert_eq!(next_delay(7, None, 0.0), Some(Duration::seconds(5)));
        assert_eq!(next_delay(6, None, 0.0), Some(Duration::minutes(5)));
        assert_eq!(next_delay(1, None, 0.0), Some(Duration::hours(10)));
        assert_eq!(next_delay(0, None, 0.0), None);
        assert_eq!(next_delay(7, None, 1.0), Some(Duration::milliseconds(5500)));
        assert_eq!(next_delay(7, Some(Duration::seconds(120)), 0.0), Some(Duration::seconds(120)));
        assert_eq!(next_delay(6, Some(Duration::seconds(1)), 0.0), Some(Duration::minutes(5)), "never sooner");
        assert_eq!(next_delay(7, Some(Duration::days(9)), 0.0), Some(MAX_RETRY_AFTER));
    }

    #[test]
    fn only_2xx_delivers_and_410_is_gone() {
        assert_eq!(classify(Some(204)), AttemptClass::Delivered);
        assert_eq!(classify(Some(410)), AttemptClass::Gone);
        for s in [Some(301), Some(302), Some(404), Some(429), Some(500), None] {
            assert_eq!(classify(s), AttemptClass::Failed);
        }
    }
}
