//! Twilio's status callback: what became of an SMS Leadflow sent. Twilio posts it (form
//! encoded, signed like the inbound webhook) to the message's `StatusCallback` at each
//! change: `queued`, `sent`, then `delivered`, `undelivered` or `failed` with an
//! `ErrorCode`.

use chrono::{DateTime, Utc};

use super::twilio::ParseError;
use crate::domain::suppression::{DeliveryReport, SuppressedAddress, SuppressionReason, detail_text};
use crate::domain::{DeliveryStatus, Phone};

/// What an error code of a failed message says about the number. Codes not listed are the
/// message's or the moment's (carrier filtering, a full queue, an unknown error), and the
/// number is kept.
fn error_meaning(code: &str) -> (Option<SuppressionReason>, Option<&'static str>) {
    match code {
        "30003" => (Some(SuppressionReason::Unreachable), None),
        "30005" => (Some(SuppressionReason::UnknownDestination), None),
        "30006" => (Some(SuppressionReason::Landline), None),
        "21211" => (Some(SuppressionReason::InvalidNumber), None),
        "21614" => (Some(SuppressionReason::NotMobile), None),
        // The number texted STOP to the sender: an opt-out, which START lifts; a suppression
        // would outlive the START.
        "21610" => (None, Some("carrier_unsubscribed")),
        _ => (None, None),
    }
}

/// Reads a status callback. `account_sid`, when known, must match, as for inbound SMS.
pub fn parse_status(
    params: &[(String, String)],
    account_sid: Option<&str>,
    now: DateTime<Utc>,
) -> Result<DeliveryReport, ParseError> {
    let get = |k: &str| params.iter().find(|(name, _)| name == k).map(|(_, v)| v.trim()).filter(|v| !v.is_empty());
    let missing = |field: &'static str| ParseError { field, message: "is required".into() };
    if let (Some(expected), Some(got)) = (account_sid, get("AccountSid"))
        && expected != got
    {
        return Err(ParseError { field: "AccountSid", message: "belongs to another Twilio account".into() });
    }
    let sid = get("MessageSid").or_else(|| get("SmsSid")).ok_or_else(|| missing("MessageSid"))?;
    let status = get("MessageStatus").or_else(|| get("SmsStatus")).ok_or_else(|| missing("MessageStatus"))?;
    let code = get("ErrorCode");
    let (status_now, suppress, opt_out) = match status {
        "delivered" => (Some(DeliveryStatus::Delivered), None, None),
        "failed" | "undelivered" => {
            let (suppress, opt_out) = code.map_or((None, None), error_meaning);
            (Some(DeliveryStatus::Failed), suppress, opt_out)
        }
        // accepted, scheduled, queued, sending, sent, read, canceled: not an outcome yet,
        // or not one about the number.
        _ => (None, None, None),
    };
    // `To` is E.164 for SMS; another form (a WhatsApp address) names no number to keep.
    let address = get("To").and_then(|to| Phone::from_e164(to).ok()).map(SuppressedAddress::Sms);
    Ok(DeliveryReport {
        event_id: format!("twilio:{sid}:{status}"),
        message_ids: vec![sid.to_owned()],
        address,
        status: status_now,
        suppress,
        opt_out,
        detail: code.and_then(|c| detail_text(&format!("{status}: Twilio error {c}"))),
        occurred_at: now,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn callback(status: &str, code: Option<&str>) -> Vec<(String, String)> {
        let mut p = vec![
            ("SmsSid", "SM1f0e8ae6ade43cb3c0ce4525424e404f"),
            ("SmsStatus", status),
            ("MessageStatus", status),
            ("To", "+14155552671"),
            ("MessageSid", "SM1f0e8ae6ade43cb3c0ce4525424e404f"),
            ("AccountSid", "AC1"),
            ("From", "+15005550006"),
            ("ApiVersion", "2010-04-01"),
        ];
        if let Some(code) = code {
            p.push(("ErrorCode", code));
        }
        params(&p)
    }

    #[test]
    fn permanent_codes_suppress_the_number_and_others_only_fail_the_message() {
        let now = Utc::now();
        let read = |status: &str, code: Option<&str>| {
            let r = parse_status(&callback(status, code), Some("AC1"), now).unwrap();
            (r.status, r.suppress, r.opt_out)
        };
        use DeliveryStatus::{Delivered, Failed};
        use SuppressionReason::{InvalidNumber, Landline, NotMobile, UnknownDestination, Unreachable};
        assert_eq!(read("delivered", None), (Some(Delivered), None, None));
        assert_eq!(read("sent", None), (None, None, None));
        assert_eq!(read("undelivered", Some("30003")), (Some(Failed), Some(Unreachable), None));
        assert_eq!(read("undelivered", Some("30005")), (Some(Failed), Some(UnknownDestination), None));
        assert_eq!(read("undelivered", Some("30006")), (Some(Failed), Some(Landline), None));
        assert_eq!(read("failed", Some("21211")), (Some(Failed), Some(InvalidNumber), None));
        assert_eq!(read("failed", Some("21614")), (Some(Failed), Some(NotMobile), None));
        assert_eq!(read("failed", Some("21610")), (Some(Failed), None, Some("carrier_unsubscribed")));
        for transient in ["30001", "30007", "30008", "30034"] {
            assert_eq!(read("undelivered", Some(transient)), (Some(Failed), None, None), "{transient}");
        }
        assert_eq!(read("failed", None), (Some(Failed), None, None));
    }

    #[test]
    fn the_report_names_the_message_and_the_number() {
        let r = parse_status(&callback("undelivered", Some("30003")), None, Utc::now()).unwrap();
        assert_eq!(r.event_id, "twilio:SM1f0e8ae6ade43cb3c0ce4525424e404f:undelivered");
        assert_eq!(r.message_ids, vec!["SM1f0e8ae6ade43cb3c0ce4525424e404f".to_owned()]);
        assert_eq!(r.address.unwrap().as_str(), "+14155552671");
        assert_eq!(r.detail.as_deref(), Some("undelivered: Twilio error 30003"));
        assert_eq!(parse_status(&callback("sent", None), Some("AC2"), Utc::now()).unwrap_err().field, "AccountSid");
        let no_status = params(&[("MessageSid", "SM1"), ("To", "+14155552671")]);
        assert_eq!(parse_status(&no_status, None, Utc::now()).unwrap_err().field, "MessageStatus");
    }
}
