//! Deposits: what a booking must pay up front (settings `booking.deposit`), which
//! bookings must, how long an unpaid booking holds its slot, and when a cancelled one
//! gets its money back. Pure rules; the Stripe side lives in `channels::stripe` and
//! `integrations::stripe`.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::InvalidValue;
use super::booking_settings::Bounded;
use super::macros::string_enum;
use super::settings::Service;
use super::text::ShortText;

/// An amount in the currency's minor unit (cents), Stripe's minimum of 50 up to its
/// eight-digit maximum.
pub type DepositAmount = Bounded<50, 99_999_999>;
/// Hours before the start up to which a cancellation is refunded (up to 60 days).
pub type RefundHours = Bounded<0, 1440>;

/// The shortest hold: Stripe refuses a Checkout Session expiring sooner than 30 minutes
/// after it is made.
pub const MIN_HOLD_MINUTES: i64 = 30;
/// The longest: a Checkout Session lives at most 24 hours.
pub const MAX_HOLD_MINUTES: i64 = 24 * 60;

/// A three-letter ISO 4217 code, lower case as Stripe writes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, utoipa::ToSchema)]
#[schema(value_type = String, example = "usd")]
pub struct Currency(String);

impl Currency {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let code = raw.trim().to_ascii_lowercase();
        if code.len() == 3 && code.bytes().all(|b| b.is_ascii_lowercase()) {
            Ok(Currency(code))
        } else {
            Err(InvalidValue::new("must be a three-letter ISO 4217 currency code, like \"usd\""))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Stripe's zero-decimal currencies: their amounts are whole units.
    pub fn is_zero_decimal(&self) -> bool {
        matches!(
            self.0.as_str(),
            "bif"
                | "clp"
                | "djf"
                | "gnf"
                | "jpy"
                | "kmf"
                | "krw"
                | "mga"
                | "pyg"
                | "rwf"
                | "ugx"
                | "vnd"
                | "vuv"
                | "xaf"
                | "xof"
                | "xpf"
        )
    }

    /// `amount` minor units as people write it: "25.00 USD", "5000 JPY".
    pub fn format(&self, amount: i64) -> String {
        let code = self.0.to_ascii_uppercase();
        if self.is_zero_decimal() {
            format!("{amount} {code}")
        } else {
            let sign = if amount < 0 { "-" } else { "" };
            let a = amount.unsigned_abs();
            format!("{sign}{}.{:02} {code}", a / 100, a % 100)
        }
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Currency::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// Which bookings need the deposit: `"all"`, or those of the named services.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequiredFor {
    All,
    Services(Vec<ShortText>),
}

impl Serialize for RequiredFor {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            RequiredFor::All => s.serialize_str("all"),
            RequiredFor::Services(names) => names.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for RequiredFor {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Word(String),
            Names(Vec<ShortText>),
        }
        match Raw::deserialize(d).map_err(|_| serde::de::Error::custom("must be \"all\" or a list of service names"))? {
            Raw::Word(w) if w == "all" => Ok(RequiredFor::All),
            Raw::Word(_) => Err(serde::de::Error::custom("must be \"all\" or a list of service names")),
            Raw::Names(names) if names.is_empty() => {
                Err(serde::de::Error::custom("lists no service (use \"all\", or leave deposit out)"))
            }
            Raw::Names(names) => Ok(RequiredFor::Services(names)),
        }
    }
}

/// Settings `booking.deposit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepositSettings {
    /// Minor units of `currency` (2500 is 25.00 USD).
    #[schema(value_type = u32, minimum = 50, maximum = 99_999_999)]
    pub amount: DepositAmount,
    pub currency: Currency,
    /// `"all"`, or a list of the settings' service names.
    #[schema(value_type = Object, example = json!(["Drain cleaning"]))]
    pub required_for: RequiredFor,
    /// A cancellation at least this many hours before the start is refunded.
    #[schema(value_type = u32, minimum = 0, maximum = 1440)]
    pub refund_hours_before: RefundHours,
}

impl DepositSettings {
    /// Whether a booking of `service` (none named: `None`) owes the deposit.
    pub fn applies_to(&self, service: Option<&str>) -> bool {
        match &self.required_for {
            RequiredFor::All => true,
            RequiredFor::Services(names) => {
                service.is_some_and(|s| names.iter().any(|n| n.as_str().eq_ignore_ascii_case(s.trim())))
            }
        }
    }

    /// Every named service is one the business lists; returns the field at fault.
    pub fn check_services(&self, services: &[Service]) -> Result<(), (String, InvalidValue)> {
        if let RequiredFor::Services(names) = &self.required_for {
            for (i, n) in names.iter().enumerate() {
                if !services.iter().any(|s| s.name.as_str().eq_ignore_ascii_case(n.as_str())) {
                    return Err((
                        format!("booking.deposit.required_for[{i}]"),
                        InvalidValue::new(format!("{:?} is not one of the settings' services", n.as_str())),
                    ));
                }
            }
        }
        Ok(())
    }

    /// A cancellation at `at` of a meeting starting at `start` gets the deposit back.
    pub fn refundable(&self, start: DateTime<Utc>, at: DateTime<Utc>) -> bool {
        start - at >= Duration::hours(i64::from(self.refund_hours_before.get()))
    }
}

/// The listed service a booking names, by its listed spelling.
pub fn listed_service<'a>(services: &'a [Service], name: &str) -> Option<&'a Service> {
    services.iter().find(|s| s.name.as_str().eq_ignore_ascii_case(name.trim()))
}

/// The end of an unpaid booking's hold made at `now`.
pub fn hold_until(now: DateTime<Utc>, hold_minutes: i64) -> DateTime<Utc> {
    now + Duration::minutes(hold_minutes.clamp(MIN_HOLD_MINUTES, MAX_HOLD_MINUTES))
}

/// The `expires_at` of a Checkout Session made at `now` for a hold ending at `hold_until`:
/// the hold's end, but never sooner than Stripe allows (30 minutes, plus a minute for
/// the clocks). A payment made after the hold ends is handled as a late payment.
pub fn checkout_expiry(hold_until: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    hold_until.max(now + Duration::minutes(MIN_HOLD_MINUTES + 1))
}

string_enum!(
    /// Where a deposit stands.
    PaymentStatus {
        Pending => "pending",
        Open => "open",
        Paid => "paid",
        Expired => "expired",
        Refunding => "refunding",
        Refunded => "refunded",
    }
);

/// Why an unpaid hold ended (the booking's `cancel_reason`).
pub const HOLD_RELEASED_REASON: &str = "payment_not_received";

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(json: &str) -> Result<DepositSettings, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn deposit_settings_read_and_refuse() {
        let d = settings(r#"{"amount": 2500, "currency": "USD", "required_for": "all", "refund_hours_before": 24}"#)
            .unwrap();
        assert_eq!(d.currency.as_str(), "usd");
        assert!(d.applies_to(None) && d.applies_to(Some("anything")));
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["required_for"], "all");
        for bad in [
            r#"{"amount": 10, "currency": "usd", "required_for": "all", "refund_hours_before": 24}"#,
            r#"{"amount": 2500, "currency": "dollars", "required_for": "all", "refund_hours_before": 24}"#,
            r#"{"amount": 2500, "currency": "usd", "required_for": "some", "refund_hours_before": 24}"#,
            r#"{"amount": 2500, "currency": "usd", "required_for": [], "refund_hours_before": 24}"#,
            r#"{"amount": 2500, "currency": "usd", "required_for": "all", "refund_hours_before": -1}"#,
            r#"{"amount": 2500, "currency": "usd", "required_for": "all"}"#,
        ] {
            assert!(settings(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn deposit_applies_to_named_services() {
        let d = settings(
            r#"{"amount": 5000, "currency": "usd", "required_for": ["Drain cleaning"], "refund_hours_before": 0}"#,
        )
        .unwrap();
        assert!(d.applies_to(Some("drain cleaning")) && !d.applies_to(Some("Leak repair")) && !d.applies_to(None));
        let listed = vec![Service { name: ShortText::literal("Drain cleaning"), description: None, price: None }];
        assert!(d.check_services(&listed).is_ok());
        assert_eq!(d.check_services(&[]).unwrap_err().0, "booking.deposit.required_for[0]");
    }

    #[test]
    fn deposit_refund_window_and_hold() {
        let d = settings(r#"{"amount": 2500, "currency": "usd", "required_for": "all", "refund_hours_before": 24}"#)
            .unwrap();
        let start = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        assert!(d.refundable(start, start - Duration::hours(24)));
        assert!(!d.refundable(start, start - Duration::hours(23)));
        let now = start - Duration::days(3);
        assert_eq!(hold_until(now, 5), now + Duration::minutes(30));
        assert_eq!(hold_until(now, 45), now + Duration::minutes(45));
        assert_eq!(checkout_expiry(hold_until(now, 30), now), now + Duration::minutes(31));
        assert_eq!(checkout_expiry(now + Duration::hours(2), now), now + Duration::hours(2));
    }

    #[test]
    fn deposit_amounts_read_in_their_currency() {
        assert_eq!(Currency::parse("usd").unwrap().format(2500), "25.00 USD");
        assert_eq!(Currency::parse("eur").unwrap().format(5), "0.05 EUR");
        assert_eq!(Currency::parse("jpy").unwrap().format(5000), "5000 JPY");
    }
}
