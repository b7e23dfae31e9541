use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, ECDSA_P384_SHA384_ASN1_SIGNING, EcdsaKeyPair, KeyPair};

use super::*;
use crate::domain::Channel;

fn key_pair() -> (EcdsaKeyPair, String) {
    let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_ASN1_SIGNING).unwrap();
    let spki = STANDARD.encode(pair.public_key().as_der().unwrap().as_ref());
    (pair, spki)
}

fn sign(pair: &EcdsaKeyPair, timestamp: &str, body: &[u8]) -> String {
    let message = [timestamp.as_bytes(), body].concat();
    STANDARD.encode(pair.sign(&SystemRandom::new(), &message).unwrap().as_ref())
}

fn at(t: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(t, 0).unwrap()
}

const BODY: &[u8] = b"[{\"email\":\"example@test.com\",\"event\":\"delivered\"}]\r\n";

#[test]
fn a_signed_post_verifies_and_anything_else_is_named() {
    let (pair, spki) = key_pair();
    let key = EventWebhookKey::parse(&spki).unwrap();
    let ts = "1600112502";
    let sig = sign(&pair, ts, BODY);
    let now = at(1_600_112_510);
    assert_eq!(verify_signature(&key, Some(&sig), Some(ts), BODY, now), Ok(()));

    use EventSignatureError::{Expired, Malformed, Mismatch, Missing};
    assert_eq!(verify_signature(&key, None, Some(ts), BODY, now), Err(Missing(SIGNATURE_HEADER)));
    assert_eq!(verify_signature(&key, Some(&sig), Some(" "), BODY, now), Err(Missing(TIMESTAMP_HEADER)));
    assert_eq!(verify_signature(&key, Some(&sig), Some("yesterday"), BODY, now), Err(Malformed(TIMESTAMP_HEADER)));
    assert_eq!(verify_signature(&key, Some("not base64!"), Some(ts), BODY, now), Err(Malformed(SIGNATURE_HEADER)));
    // The body as SendGrid sent it, to the byte: the trailing CRLF is signed too.
    assert_eq!(verify_signature(&key, Some(&sig), Some(ts), &BODY[..BODY.len() - 2], now), Err(Mismatch));
    assert_eq!(verify_signature(&key, Some(&sig), Some("1600112503"), BODY, now), Err(Mismatch));
    let (_, other) = key_pair();
    assert_eq!(
        verify_signature(&EventWebhookKey::parse(&other).unwrap(), Some(&sig), Some(ts), BODY, now),
        Err(Mismatch)
    );
    let late = at(1_600_112_502 + 301);
    assert_eq!(verify_signature(&key, Some(&sig), Some(ts), BODY, late), Err(Expired { skew_seconds: 301 }));
}

#[test]
fn the_key_is_read_as_sendgrid_shows_it_or_as_pem() {
    let (pair, spki) = key_pair();
    let pem = format!("-----BEGIN PUBLIC KEY-----\n{}\n{}\n-----END PUBLIC KEY-----\n", &spki[..64], &spki[64..]);
    let key = EventWebhookKey::parse(&pem).unwrap();
    let sig = sign(&pair, "1", b"[]");
    assert_eq!(verify_signature(&key, Some(&sig), Some("1"), b"[]", at(1)), Ok(()));

    assert!(EventWebhookKey::parse("not a key").unwrap_err().contains("base64"));
    let p384 = EcdsaKeyPair::generate(&ECDSA_P384_SHA384_ASN1_SIGNING).unwrap();
    let p384 = STANDARD.encode(p384.public_key().as_der().unwrap().as_ref());
    assert!(EventWebhookKey::parse(&p384).unwrap_err().contains("P-256"));
}

/// Each event of the Event Webhook reference, as the reference shows it.
#[test]
fn every_event_kind_of_the_reference_reads_as_what_it_means() {
    let body = r#"[
  {"email":"example@test.com","timestamp":1513299569,"smtp-id":"<14c5d75ce93.dfd.64b469@ismtpd-555>","event":"processed","category":"cat facts","sg_event_id":"rbtnWrG1DVDGGGFHFyun0A==","sg_message_id":"14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.000000000000000000000"},
  {"email":"example@example.com","domain":"example.com","from":"test@test.com","timestamp":1513299569,"smtp-id":"<14c5d75ce93.dfd.64b469@ismtpd-555>","event":"deferred","category":"cat facts","sg_event_id":"t7LEShmowp86DTdUW8M-GQ==","sg_message_id":" 14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0","response":"400 try again later","attempt":"5"},
  {"email":"example@test.com","timestamp":1513299569,"smtp-id":"<14c5d75ce93.dfd.64b469@ismtpd-555>","event":"delivered","category":"cat facts","sg_event_id":"rWVYmVk90MjZJ9iohOBa3w==","sg_message_id":"14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0","response":"250 OK"},
  {"email":"example@test.com","timestamp":1513299569,"smtp-id":"<14c5d75ce93.dfd.64b469@ismtpd-555>","bounce_classification":"Invalid Address","event":"bounce","category":"cat facts","sg_event_id":"6g4ZI7SA-xmRDv57GoPIPw==","sg_message_id":"14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0","reason":"500 unknown recipient","status":"5.0.0","type":"bounce"},
  {"email":"example@test.com","timestamp":1513299569,"smtp-id":"<14c5d75ce93.dfd.64b469@ismtpd-555>","bounce_classification":"Invalid Address","event":"bounce","category":"cat facts","sg_event_id":"6g4ZI7SA-xmRDv57GoPIPw==","sg_message_id":"14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0","reason":"500 unknown recipient","status":"5.0.0","type":"blocked"},
  {"email":"example@test.com","timestamp":1513299569,"smtp-id":"<14c5d75ce93.dfd.64b469@ismtpd-555>","event":"dropped","category":"cat facts","sg_event_id":"zmzJhfJgAfUSOW80yEbPyw==","sg_message_id":"14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0","reason":"Bounced Address","status":"5.0.0"},
  {"email":"example@test.com","timestamp":1513299569,"smtp-id":"<14c5d75ce93.dfd.64b469@ismtpd-555>","event":"spamreport","sg_event_id":"sg_event_id","sg_message_id":"sg_message_id"},
  {"email":"example@test.com","timestamp":1513299569,"smtp-id":"<14c5d75ce93.dfd.64b469@ismtpd-555>","event":"open","sg_machine_open":false,"category":"cat facts","sg_event_id":"sg_event_id","sg_message_id":"sg_message_id","useragent":"Mozilla/4.0 (compatible; MSIE 6.1; Windows XP; .NET CLR 1.1.4322; .NET CLR 2.0.50727)","ip":"255.255.255.255"},
  {"email":"example@test.com","timestamp":1513299569,"smtp-id":"<14c5d75ce93.dfd.64b469@ismtpd-555>","event":"group_unsubscribe","category":"cat facts","sg_event_id":"sg_event_id","sg_message_id":"sg_message_id","useragent":"Mozilla/4.0 (compatible; MSIE 6.1; Windows XP; .NET CLR 1.1.4322; .NET CLR 2.0.50727)","ip":"255.255.255.255","url":"http://www.sendgrid.com/","asm_group_id":10},
  {"event":"account_status_change","sg_event_id":"MjEzNTg5OTcyOC10ZXJtaW5hdGUtMTcwNzg1MTUzMQ","timestamp":1709142428,"type":"compliance_suspend"}
]"#;
    let now = at(1_700_000_000);
    let reports = parse_events(body.as_bytes(), now).unwrap();
    let summary: Vec<_> = reports.iter().map(|r| (r.status, r.suppress, r.opt_out)).collect();
    use DeliveryStatus::{Delivered, Failed};
    use SuppressionReason::{HardBounce, SpamReport};
    assert_eq!(
        summary,
        vec![
            (None, None, None),
            (None, None, None),
            (Some(Delivered), None, None),
            (Some(Failed), Some(HardBounce), None),
            (Some(Failed), None, None),
            (Some(Failed), Some(HardBounce), None),
            (None, Some(SpamReport), Some("spam_report")),
            (None, None, None),
            (None, None, None),
            (None, None, None),
        ]
    );
    let bounce = &reports[3];
    assert_eq!(bounce.event_id, "sendgrid:6g4ZI7SA-xmRDv57GoPIPw==");
    assert_eq!(bounce.message_ids, vec!["14c5d75ce93.dfd.64b469".to_owned()]);
    assert_eq!(bounce.address.as_ref().map(|a| (a.channel(), a.as_str())), Some((Channel::Email, "example@test.com")));
    assert_eq!(bounce.detail.as_deref(), Some("bounce: 500 unknown recipient"));
    assert_eq!(bounce.occurred_at, at(1_513_299_569));
    // The reference's deferred example pads its message id with a space.
    assert_eq!(reports[1].message_ids, vec!["14c5d75ce93.dfd.64b469".to_owned()]);
    assert!(reports[9].address.is_none() && reports[9].changes_nothing());
}

#[test]
fn drop_reasons_decide_between_the_address_and_the_message() {
    let dropped = |reason: &str| {
        let body = serde_json::json!([{
            "email": "Dana@Example.com", "timestamp": 1_600_112_492, "event": "dropped", "reason": reason,
            "sg_event_id": "ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA",
            "sg_message_id": "LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0",
            "smtp-id": "<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>",
        }]);
        parse_events(body.to_string().as_bytes(), at(1_600_112_500)).unwrap().remove(0)
    };
    let r = dropped("Invalid");
    assert_eq!(
        (r.status, r.suppress, r.opt_out),
        (Some(DeliveryStatus::Failed), Some(SuppressionReason::InvalidAddress), None)
    );
    assert_eq!(r.message_ids, vec!["LRzXl_NHStOGhQ4kofSm_A".to_owned()]);
    assert_eq!(r.address.unwrap().as_str(), "dana@example.com");
    let r = dropped("Unsubscribed Address");
    assert_eq!((r.suppress, r.opt_out), (Some(SuppressionReason::Unsubscribed), Some("sendgrid_unsubscribe")));
    let r = dropped("Spam Reporting Address");
    assert_eq!((r.suppress, r.opt_out), (Some(SuppressionReason::SpamReport), Some("spam_report")));
    for message_problem in
        ["Invalid SMTPAPI header", "Spam Content (if Spam Checker app is enabled)", "Recipient List over Package Quota"]
    {
        let r = dropped(message_problem);
        assert_eq!((r.status, r.suppress, r.opt_out), (Some(DeliveryStatus::Failed), None, None), "{message_problem}");
    }
}

#[test]
fn a_body_that_is_not_an_array_of_events_is_refused_but_odd_fields_are_not() {
    assert!(parse_events(b"{\"event\":\"bounce\"}", at(0)).is_err());
    assert!(parse_events(b"[1]", at(0)).is_err());
    let odd = br#"[{"event":"bounce","email":42,"timestamp":"soon","category":["a","b"],"type":"bounce"}]"#;
    let r = parse_events(odd, at(7)).unwrap().remove(0);
    assert_eq!((r.address, r.occurred_at, r.suppress), (None, at(7), Some(SuppressionReason::HardBounce)));
    assert!(r.event_id.starts_with("sendgrid:sha256:"));
}
