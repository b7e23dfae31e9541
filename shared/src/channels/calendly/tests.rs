use chrono::TimeZone as _;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::*;

const CREATED: &[u8] = include_bytes!("../../../tests/fixtures/calendly/invitee_created.json");
const CANCELED: &[u8] = include_bytes!("../../../tests/fixtures/calendly/invitee_canceled.json");
const RESCHEDULED: &[u8] = include_bytes!("../../../tests/fixtures/calendly/invitee_rescheduled_canceled.json");

const KEY: &str = "sk_live_Wq3x9ZvT2bYc7NfRkL0pHs5d";
/// 2026-03-04T15:22:41Z, when the `invitee_created.json` delivery was made.
const T: i64 = 1_772_637_761;
/// `printf '1772637761.' | cat - invitee_created.json | openssl dgst -sha256 -hmac "$KEY"`:
/// computed outside this code, so the test does not check the HMAC against itself.
const SIGNATURE: &str = "81b385d82b6cc4d08148a6b64553b51b980b2c8510b809e5c18cd8514853e8f3";

fn key() -> SecretString {
    SecretString::from(KEY)
}

fn at(t: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(t, 0).single().unwrap()
}

fn sign(key: &str, t: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

fn ts(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn email(s: &str) -> Email {
    Email::parse(s).unwrap()
}

#[test]
fn the_known_signature_is_accepted() {
    let header = format!("t={T},v1={SIGNATURE}");
    assert_eq!(verify_signature(Some(&header), CREATED, &key(), at(T)), Ok(()));
    // Upper-case hex and spaces after the comma are the same signature.
    let spaced = format!("t={T}, v1={}", SIGNATURE.to_uppercase());
    assert_eq!(verify_signature(Some(&spaced), CREATED, &key(), at(T + 5)), Ok(()));
    assert_eq!(sign(KEY, T, CREATED), SIGNATURE);
}

#[test]
fn a_tampered_body_or_another_key_is_refused() {
    let header = format!("t={T},v1={SIGNATURE}");
    let mut tampered = CREATED.to_vec();
    let at_email = tampered.windows(5).position(|w| w == b"Jose.").unwrap();
    tampered[at_email] = b'j';
    assert_eq!(verify_signature(Some(&header), &tampered, &key(), at(T)), Err(CalendlySignatureError::Mismatch));
    let wrong = SecretString::from("sk_live_Wq3x9ZvT2bYc7NfRkL0pHs5e");
    assert_eq!(verify_signature(Some(&header), CREATED, &wrong, at(T)), Err(CalendlySignatureError::Mismatch));
    // The time is signed too: moving it breaks the signature.
    let moved = format!("t={},v1={SIGNATURE}", T + 1);
    assert_eq!(verify_signature(Some(&moved), CREATED, &key(), at(T)), Err(CalendlySignatureError::Mismatch));
}

#[test]
fn a_stale_or_future_time_is_refused_either_way() {
    let header = format!("t={T},v1={SIGNATURE}");
    for (now, verdict) in [
        (T + 180, Ok(())),
        (T - 180, Ok(())),
        (T + 181, Err(CalendlySignatureError::Expired { skew_seconds: 181 })),
        (T - 181, Err(CalendlySignatureError::Expired { skew_seconds: 181 })),
        (T + 86_400, Err(CalendlySignatureError::Expired { skew_seconds: 86_400 })),
    ] {
        assert_eq!(verify_signature(Some(&header), CREATED, &key(), at(now)), verdict, "now = t{:+}", now - T);
    }
}

#[test]
fn a_missing_or_malformed_header_is_refused() {
    use CalendlySignatureError::{Malformed, Missing};
    assert_eq!(verify_signature(None, CREATED, &key(), at(T)), Err(Missing));
    assert_eq!(verify_signature(Some("  "), CREATED, &key(), at(T)), Err(Missing));
    let sig = SIGNATURE;
    for (header, why) in [
        (sig.to_owned(), "every element must be key=value"),
        (format!("v1={sig}"), "t is missing"),
        (format!("t={T}"), "there is no v1 signature"),
        (format!("t=yesterday,v1={sig}"), "t is not a Unix time"),
        (format!("t={T},t={T},v1={sig}"), "t is given twice"),
        (format!("t={T};v1={sig}"), "t is not a Unix time"),
    ] {
        assert_eq!(verify_signature(Some(&header), CREATED, &key(), at(T)), Err(Malformed(why)), "{header}");
    }
    // A v1 that is not hex cannot match, and says so as a mismatch.
    let not_hex = format!("t={T},v1=zz{}", &sig[2..]);
    assert_eq!(verify_signature(Some(&not_hex), CREATED, &key(), at(T)), Err(CalendlySignatureError::Mismatch));
}

#[test]
fn any_of_several_v1_signatures_may_match() {
    let old_key = sign("sk_live_previous_key", T, CREATED);
    let both = format!("t={T},v1={old_key},v0=ignored,v1={SIGNATURE}");
    assert_eq!(verify_signature(Some(&both), CREATED, &key(), at(T)), Ok(()));
    let neither = format!("t={T},v1={old_key},v1={}", sign("sk_live_other", T, CREATED));
    assert_eq!(verify_signature(Some(&neither), CREATED, &key(), at(T)), Err(CalendlySignatureError::Mismatch));
}

#[test]
fn invitee_created_is_read_field_by_field() {
    let CalendlyEvent::InviteeCreated(i) = parse(CREATED).unwrap() else { panic!("not invitee.created") };
    assert_eq!(
        i.uri,
        "https://api.calendly.com/scheduled_events/7c1d9e3a-5b2f-4a6c-8d0e-9f1a2b3c4d5e/invitees/0f5a8e2c-6d1b-4c3a-9e7f-2b4d6a8c0e1f"
    );
    assert_eq!(i.email, email("jose.muller@example.com"));
    assert_eq!(i.name.as_deref(), Some("José Müller"));
    assert_eq!((i.first_name, i.last_name), (None, None));
    assert_eq!(i.phone.as_deref(), Some("+1 512-555-0142"));
    assert_eq!(i.timezone, Some(crate::domain::TimeZone::parse("America/Chicago").unwrap()));
    assert_eq!(i.status, InviteeStatus::Active);
    assert!(!i.rescheduled);
    assert_eq!((i.old_invitee, i.new_invitee), (None, None));
    assert_eq!(i.cancellation, None);
    assert_eq!(
        i.questions_and_answers,
        vec![
            (
                "What would you like to discuss?".to_owned(),
                "Kitchen remodel, about 200 sq ft; we'd like quartz counters.\nBudget around $25,000.".to_owned()
            ),
            ("Project address".to_owned(), "Straße 12, Austin".to_owned()),
        ]
    );
    assert_eq!(
        i.tracking,
        Tracking {
            utm_source: Some("google".into()),
            utm_medium: Some("cpc".into()),
            utm_campaign: Some("spring-remodel".into()),
            utm_content: Some("hero-button".into()),
            utm_term: Some("kitchen remodel austin".into()),
        }
    );
    assert_eq!(
        i.cancel_url.as_deref(),
        Some("https://calendly.com/cancellations/0f5a8e2c-6d1b-4c3a-9e7f-2b4d6a8c0e1f")
    );
    assert_eq!(
        i.reschedule_url.as_deref(),
        Some("https://calendly.com/reschedulings/0f5a8e2c-6d1b-4c3a-9e7f-2b4d6a8c0e1f")
    );
    let zoom = "https://us02web.zoom.us/j/84512345678?pwd=bXlSa2V0ZzB3d2ZqZ3Zt";
    assert_eq!(
        i.event,
        ScheduledEvent {
            uri: "https://api.calendly.com/scheduled_events/7c1d9e3a-5b2f-4a6c-8d0e-9f1a2b3c4d5e".into(),
            name: Some("30 Minute Consultation".into()),
            event_type: Some("https://api.calendly.com/event_types/3e8b1f0a-2c4d-4f6e-8a9b-0c1d2e3f4a5b".into()),
            start: ts("2026-03-10T15:00:00Z"),
            end: ts("2026-03-10T15:30:00Z"),
            location: Some(zoom.into()),
            join_url: Some(zoom.into()),
            meeting_type: Some(MeetingType::Video),
            host_emails: vec![email("dana@austinplumbing.example")],
        }
    );
}

#[test]
fn invitee_canceled_by_the_host_is_read_field_by_field() {
    let CalendlyEvent::InviteeCanceled(i) = parse(CANCELED).unwrap() else { panic!("not invitee.canceled") };
    assert_eq!(
        i.uri,
        "https://api.calendly.com/scheduled_events/b2d4f6a8-0c1e-4a3b-9d5f-7e9a1c3e5f7b/invitees/a3c5e7f9-1b2d-4f6a-8c0e-2d4f6a8b0c1e"
    );
    assert_eq!(i.email, email("priya.raman@example.org"));
    assert_eq!(i.name.as_deref(), Some("Priya Raman"));
    assert_eq!((i.first_name.as_deref(), i.last_name.as_deref()), (Some("Priya"), Some("Raman")));
    assert_eq!(i.phone, None);
    assert_eq!(i.timezone, Some(crate::domain::TimeZone::parse("America/New_York").unwrap()));
    assert_eq!(i.status, InviteeStatus::Canceled);
    assert!(!i.rescheduled);
    assert_eq!((i.old_invitee, i.new_invitee), (None, None));
    assert_eq!(
        i.cancellation,
        Some(Cancellation {
            canceled_by: "Dana Whitfield".into(),
            canceler_type: CancelerType::Host,
            reason: Some("Our technician is out sick that day, sorry! Please pick another time.".into()),
            canceled_at: Some(ts("2026-03-06T18:05:11.874410Z")),
        })
    );
    assert_eq!(
        i.questions_and_answers,
        vec![("What would you like to discuss?".to_owned(), "Water heater replacement (50 gal, gas)".to_owned())]
    );
    assert_eq!(i.tracking, Tracking::default());
    assert_eq!(
        i.cancel_url.as_deref(),
        Some("https://calendly.com/cancellations/a3c5e7f9-1b2d-4f6a-8c0e-2d4f6a8b0c1e")
    );
    let meet = "https://calendly.com/events/b2d4f6a8-0c1e-4a3b-9d5f-7e9a1c3e5f7b/google_meet";
    // 15:00Z on 2026-03-08, the US spring-forward day: 11:00 EDT, where the day before it was 10:00 EST.
    assert_eq!(
        i.event,
        ScheduledEvent {
            uri: "https://api.calendly.com/scheduled_events/b2d4f6a8-0c1e-4a3b-9d5f-7e9a1c3e5f7b".into(),
            name: Some("45 Minute Site Review".into()),
            event_type: Some("https://api.calendly.com/event_types/6a7b8c9d-0e1f-4a2b-3c4d-5e6f7a8b9c0d".into()),
            start: ts("2026-03-08T15:00:00Z"),
            end: ts("2026-03-08T15:45:00Z"),
            location: Some(meet.into()),
            join_url: Some(meet.into()),
            meeting_type: Some(MeetingType::Video),
            host_emails: vec![email("dana@austinplumbing.example"), email("luis@austinplumbing.example")],
        }
    );
    let local = i.event.start.with_timezone(&i.timezone.unwrap().tz());
    assert_eq!(local.format("%H:%M %Z").to_string(), "11:00 EDT");
}

#[test]
fn the_old_half_of_a_reschedule_names_the_new_invitee() {
    let CalendlyEvent::InviteeCanceled(old) = parse(RESCHEDULED).unwrap() else { panic!("not invitee.canceled") };
    let CalendlyEvent::InviteeCreated(booked) = parse(CREATED).unwrap() else { panic!("not invitee.created") };
    assert_eq!(old.uri, booked.uri, "the same booking, now moved");
    assert!(old.rescheduled);
    assert_eq!(old.status, InviteeStatus::Canceled);
    assert_eq!(
        old.new_invitee.as_deref(),
        Some(
            "https://api.calendly.com/scheduled_events/e4f6a8b0-2c3d-4e5f-a6b7-c8d9e0f1a2b3/invitees/c9e1a3b5-7d8f-4a0b-b2c4-d6e8f0a1b3c5"
        )
    );
    assert_eq!(old.old_invitee, None);
    assert_eq!(
        old.cancellation,
        Some(Cancellation {
            canceled_by: "José Müller".into(),
            canceler_type: CancelerType::Invitee,
            reason: Some("A delivery is coming Tuesday; Thursday works better.".into()),
            canceled_at: Some(ts("2026-03-05T08:14:02.661720Z")),
        })
    );
    assert_eq!(old.name.as_deref(), Some("José Müller"));
    assert_eq!(old.event, booked.event);
}

fn edited(body: &[u8], edit: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let mut v: serde_json::Value = serde_json::from_slice(body).unwrap();
    edit(&mut v);
    serde_json::to_vec(&v).unwrap()
}

#[test]
fn the_location_gives_the_place_and_the_meeting_type() {
    let with = |location: serde_json::Value| {
        let body = edited(CREATED, |v| v["payload"]["scheduled_event"]["location"] = location);
        let CalendlyEvent::InviteeCreated(i) = parse(&body).unwrap() else { panic!("not invitee.created") };
        (i.event.location, i.event.join_url, i.event.meeting_type)
    };
    let showroom = "1200 S Lamar Blvd, Austin, TX 78704";
    assert_eq!(
        with(serde_json::json!({"type": "physical", "location": showroom, "additional_info": "Park behind"})),
        (Some(showroom.into()), None, Some(MeetingType::InPerson))
    );
    assert_eq!(
        with(serde_json::json!({"type": "outbound_call", "location": "+1 512-555-0142"})),
        (Some("+1 512-555-0142".into()), None, Some(MeetingType::Phone))
    );
    assert_eq!(
        with(serde_json::json!({"type": "ask_invitee", "location": "My office"})),
        (Some("My office".into()), None, None)
    );
    // A conference still being set up has no link yet.
    assert_eq!(
        with(
            serde_json::json!({"type": "microsoft_teams_conference", "status": "processing", "join_url": null, "data": null})
        ),
        (None, None, Some(MeetingType::Video))
    );
    assert_eq!(with(serde_json::Value::Null), (None, None, None));
}

#[test]
fn answers_follow_their_position_and_blank_texts_are_absent() {
    let body = edited(CREATED, |v| {
        let p = &mut v["payload"];
        p["questions_and_answers"].as_array_mut().unwrap().reverse();
        p["name"] = "  ".into();
        p["text_reminder_number"] = "".into();
    });
    let CalendlyEvent::InviteeCreated(i) = parse(&body).unwrap() else { panic!("not invitee.created") };
    let questions: Vec<&str> = i.questions_and_answers.iter().map(|(q, _)| q.as_str()).collect();
    assert_eq!(questions, ["What would you like to discuss?", "Project address"]);
    assert_eq!((i.name, i.phone), (None, None));
}

#[test]
fn other_events_are_named_and_not_read() {
    let routing = br#"{
      "created_at": "2026-03-04T15:20:02.000000Z",
      "created_by": "https://api.calendly.com/users/5b6f2c1e-3a4d-4e8f-9a0b-1c2d3e4f5a6b",
      "event": "routing_form_submission.created",
      "payload": {
        "created_at": "2026-03-04T15:20:01.982771Z",
        "questions_and_answers": [{"answer": "Remodel", "question": "Service", "question_uuid": "8f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"}],
        "result": {"type": "event_type", "value": "https://api.calendly.com/event_types/3e8b1f0a-2c4d-4f6e-8a9b-0c1d2e3f4a5b"},
        "routing_form": "https://api.calendly.com/routing_forms/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
        "submitter": null,
        "submitter_type": null,
        "tracking": {"salesforce_uuid": null, "utm_campaign": null, "utm_content": null, "utm_medium": null, "utm_source": null, "utm_term": null},
        "updated_at": "2026-03-04T15:20:01.982771Z",
        "uri": "https://api.calendly.com/routing_form_submissions/2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e"
      }
    }"#;
    assert_eq!(parse(routing).unwrap(), CalendlyEvent::Other { event: "routing_form_submission.created".into() });
    let no_show = edited(CREATED, |v| v["event"] = "invitee_no_show.created".into());
    assert_eq!(parse(&no_show).unwrap(), CalendlyEvent::Other { event: "invitee_no_show.created".into() });
}

#[test]
fn errors_name_the_field_at_fault() {
    let field_of = |edit: &dyn Fn(&mut serde_json::Value)| {
        let body = edited(CREATED, |v| edit(v));
        parse(&body).unwrap_err().field
    };
    let remove = |v: &mut serde_json::Value, parent: &str, key: &str| {
        v.pointer_mut(parent).unwrap().as_object_mut().unwrap().remove(key);
    };
    assert_eq!(field_of(&|v| remove(v, "", "event")), "event");
    assert_eq!(field_of(&|v| remove(v, "", "payload")), "payload");
    assert_eq!(field_of(&|v| remove(v, "/payload", "email")), "payload.email");
    assert_eq!(field_of(&|v| v["payload"]["email"] = "not an address".into()), "payload.email");
    assert_eq!(field_of(&|v| v["payload"]["status"] = "pending".into()), "payload.status");
    assert_eq!(field_of(&|v| v["payload"]["timezone"] = "Mars/Olympus".into()), "payload.timezone");
    assert_eq!(
        field_of(&|v| remove(v, "/payload/scheduled_event", "start_time")),
        "payload.scheduled_event.start_time"
    );
    assert_eq!(
        field_of(&|v| v["payload"]["scheduled_event"]["end_time"] = "tomorrow".into()),
        "payload.scheduled_event.end_time"
    );
    assert_eq!(
        field_of(&|v| v["payload"]["scheduled_event"]["end_time"] = "2026-03-10T14:59:00Z".into()),
        "payload.scheduled_event.end_time"
    );
    assert_eq!(
        field_of(&|v| v["payload"]["scheduled_event"]["event_memberships"][0]["user_email"] = "dana".into()),
        "payload.scheduled_event.event_memberships[0].user_email"
    );
    assert_eq!(
        field_of(&|v| v["payload"]["cancellation"] =
            serde_json::json!({"canceled_by": "x", "canceler_type": "bot", "reason": null})),
        "payload.cancellation.canceler_type"
    );
    let broken = parse(b"{\"event\": \"invitee.created\", ").unwrap_err();
    assert_eq!(broken.field, "body");
    assert!(!broken.message.contains("line"), "{}", broken.message);
    assert_eq!(parse(b"{\"event\": \"invitee.created\"} trailing").unwrap_err().field, "body");
    let missing = parse(b"{}").unwrap_err();
    assert_eq!((missing.field.as_str(), missing.message.as_str()), ("event", "missing field `event`"));
}
