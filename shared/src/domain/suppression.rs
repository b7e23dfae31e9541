//! Suppressions: addresses nothing is sent to any more because they cannot receive (a
//! hard bounce, an invalid address, a landline) or their owner reported spam; and the
//! provider-neutral report a delivery webhook is read into.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::macros::string_enum;
use super::{Channel, DeliveryStatus, Email, Phone};

string_enum!(
    /// Why an address is suppressed. E-mail: `hard_bounce` (the receiving server refused
    /// the recipient for good), `invalid_address`, `spam_report`, `unsubscribed` (through
    /// SendGrid's own unsubscribe, so SendGrid drops anything sent). SMS (Twilio error
    /// codes): `unreachable` (30003), `unknown_destination` (30005), `landline` (30006,
    /// landline or unreachable carrier), `invalid_number` (21211), `not_mobile` (21614).
    SuppressionReason {
        HardBounce => "hard_bounce",
        InvalidAddress => "invalid_address",
        SpamReport => "spam_report",
        Unsubscribed => "unsubscribed",
        Unreachable => "unreachable",
        UnknownDestination => "unknown_destination",
        Landline => "landline",
        InvalidNumber => "invalid_number",
        NotMobile => "not_mobile",
    }
);

/// A suppressed address, valid by construction: an E.164 number or a normalised e-mail
/// address (the forms customers and opt-outs are stored in, so they compare equal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SuppressedAddress {
    Sms(Phone),
    Email(Email),
}

impl SuppressedAddress {
    pub fn channel(&self) -> Channel {
        match self {
            SuppressedAddress::Sms(_) => Channel::Sms,
            SuppressedAddress::Email(_) => Channel::Email,
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            SuppressedAddress::Sms(p) => p.as_str(),
            SuppressedAddress::Email(e) => e.as_str(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewSuppression {
    pub address: SuppressedAddress,
    pub reason: SuppressionReason,
    /// The provider's id of the event, namespaced (`sendgrid:<sg_event_id>`,
    /// `twilio:<MessageSid>:<MessageStatus>`).
    pub provider_event_id: String,
    /// What the provider said: the SMTP response or the error code.
    pub detail: Option<String>,
    pub customer_id: Option<Uuid>,
    pub occurred_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suppression {
    pub channel: Channel,
    pub address: String,
    pub reason: SuppressionReason,
    pub provider_event_id: String,
    pub detail: Option<String>,
    pub customer_id: Option<Uuid>,
    pub occurred_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// What a provider reported about a message Leadflow gave it, read from its webhook.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryReport {
    /// The provider's id of the report, namespaced like [`NewSuppression::provider_event_id`].
    pub event_id: String,
    /// The ids the outbound message may be stored under (its `provider_message_id`), most
    /// likely first; empty when the report names none.
    pub message_ids: Vec<String>,
    /// The recipient, when the report names one Leadflow can read.
    pub address: Option<SuppressedAddress>,
    /// What became of the message: `delivered` or `failed`; `None` changes nothing.
    pub status: Option<DeliveryStatus>,
    /// The address cannot receive (or must not): suppress it.
    pub suppress: Option<SuppressionReason>,
    /// The recipient asked for no more messages on this channel: an opt-out is recorded
    /// with this source (`spam_report`, `sendgrid_unsubscribe`, `carrier_unsubscribed`).
    pub opt_out: Option<&'static str>,
    pub detail: Option<String>,
    pub occurred_at: DateTime<Utc>,
}

impl DeliveryReport {
    /// A report that changes nothing (an open, a deferral, an event about no message).
    pub fn changes_nothing(&self) -> bool {
        self.status.is_none() && self.suppress.is_none() && self.opt_out.is_none()
    }
}

/// Cuts a provider's text to what a suppression keeps.
pub fn detail_text(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    (!trimmed.is_empty()).then(|| trimmed.chars().take(1000).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Country;

    #[test]
    fn addresses_keep_their_normalised_form_and_channel() {
        let phone = SuppressedAddress::Sms(Phone::parse("(415) 555-2671", Country::US).unwrap());
        assert_eq!((phone.channel(), phone.as_str()), (Channel::Sms, "+14155552671"));
        let email = SuppressedAddress::Email(Email::parse(" Dana@Example.COM ").unwrap());
        assert_eq!((email.channel(), email.as_str()), (Channel::Email, "dana@example.com"));
    }

    #[test]
    fn reasons_read_back_from_their_names() {
        for reason in SuppressionReason::ALL {
            assert_eq!(reason.as_str().parse::<SuppressionReason>().unwrap(), *reason);
        }
    }

    #[test]
    fn detail_is_trimmed_and_bounded() {
        assert_eq!(detail_text("  550 5.1.1 user unknown \n").as_deref(), Some("550 5.1.1 user unknown"));
        assert_eq!(detail_text(" "), None);
        assert_eq!(detail_text(&"é".repeat(2000)).unwrap().chars().count(), 1000);
    }
}
