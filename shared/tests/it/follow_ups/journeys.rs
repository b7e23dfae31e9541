//! The journeys the issue names: a new chat lead that does not book gets step 1, a reply
//! stops the rest, a booking stops it, an SMS STOP stops e-mail steps too, and a step
//! due at 23:00 recipient time goes out at 08:00 the next day.

use chrono::{Duration, NaiveTime, TimeZone as _, Utc};
use chrono_tz::America::New_York;
use http::{Method, StatusCode};
use serde_json::{Value, json};

use super::{
    NEW_LEAD, app_with, at, follow_ups_of, form_field, lead_of, one_step_sequence, posts_to, providers, run_jobs_at,
    twilio_path,
};
use crate::common::TestApp;
use crate::common::providers::{sms_params, twilio_request};

async fn chat(app: &TestApp, body: Value) -> Value {
    let r =
        app.raw(Method::POST, "/api/messages/receive", &[("content-type", "application/json")], body.to_string()).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    r.body
}

async fn stats(app: &TestApp, sequence_id: &str) -> Value {
    let r = app.get(&format!("/api/follow-ups/sequences/{sequence_id}/stats")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body
}

async fn mails(server: &wiremock::MockServer) -> Vec<Value> {
    posts_to(server, "/v3/mail/send").await.iter().map(|r| serde_json::from_slice(&r.body).unwrap()).collect()
}

#[tokio::test]
async fn a_new_chat_lead_that_does_not_book_gets_step_one_and_a_reply_stops_the_rest() {
    let server = providers().await;
    let app = app_with(&server).await;
    let first = chat(
        &app,
        json!({"channel": "chat", "content": "Hi! Do you do drain cleaning?", "customer": {"name": "Sam Ortiz", "email": "sam@example.com"}}),
    )
    .await;
    let lead_id = first["lead_id"].as_str().unwrap().to_owned();
    let token = first["chat_token"].as_str().unwrap().to_owned();
    app.run_jobs().await;
    assert!(mails(&server).await.is_empty(), "the chat reply is stored for the widget, not mailed");

    // Enrolled by the first reply: step 1 an hour later, the others planned one at a time.
    let planned = follow_ups_of(&app, &lead_id).await;
    assert_eq!(planned.len(), 1, "{planned:?}");
    let step1 = &planned[0];
    assert_eq!((step1["step"].as_i64(), step1["status"].as_str()), (Some(1), Some("pending")));
    assert_eq!(step1["channel"], "email", "chat leads are followed up where they can be reached");
    assert_eq!(step1["sequence_id"], NEW_LEAD);
    let due = at(&step1["scheduled_time"]);
    assert!(due >= Utc::now() + Duration::minutes(59), "{due}");

    // Not before it is due; once, however often the schedule runs.
    let early = app.state.tick(due - Duration::seconds(1)).await.unwrap();
    assert_eq!(early.follow_ups.queued, 0);
    let on_time = app.state.tick(due).await.unwrap();
    assert_eq!(on_time.follow_ups.queued, 1);
    assert_eq!(app.state.tick(due + Duration::seconds(30)).await.unwrap().follow_ups.queued, 0);
    run_jobs_at(&app, due).await;
    let sent = mails(&server).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["personalizations"][0]["to"][0]["email"], "sam@example.com");
    assert_eq!(
        sent[0]["content"][0]["value"],
        "Hi Sam, just checking you saw our reply. Happy to answer any questions or find you a time that suits. Austin Plumbing"
    );
    let after = follow_ups_of(&app, &lead_id).await;
    assert_eq!(after[0]["status"], "sent");
    assert_eq!(after[0]["provider_message_id"], "sg-1");
    assert_eq!((after[1]["step"].as_i64(), after[1]["status"].as_str()), (Some(2), Some("pending")));

    // The customer answers: the run ends and step 2 never goes.
    chat(&app, json!({"channel": "chat", "content": "Yes please, what times do you have?", "customer": {"email": "sam@example.com"}, "chat_token": token}))
        .await;
    app.run_jobs().await;
    let ended = follow_ups_of(&app, &lead_id).await;
    assert_eq!(ended[1]["status"], "cancelled", "{ended:?}");
    let later = at(&ended[1]["scheduled_time"]) + Duration::days(10);
    assert_eq!(app.state.tick(later).await.unwrap().follow_ups.queued, 0);
    run_jobs_at(&app, later).await;
    assert_eq!(mails(&server).await.len(), 1);
    let s = stats(&app, NEW_LEAD).await;
    assert_eq!((s["enrolled"].as_i64(), s["replied"].as_i64(), s["sent"].as_i64()), (Some(1), Some(1), Some(1)), "{s}");
    assert_eq!(s["steps"][0]["sent"], 1, "{s}");
}

#[tokio::test]
async fn a_booking_stops_the_run() {
    let server = providers().await;
    let app = app_with(&server).await;
    let (customer_id, lead_id) = lead_of(&app, json!({"name": "Maria Lopez", "email": "maria@example.com"})).await;
    let r = app.post(&format!("/api/follow-ups/{lead_id}/sequence/new_lead"), json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["run"]["sequence_id"], NEW_LEAD);
    let due = at(&r.body["first"]["scheduled_time"]);

    let day = crate::bookings::weekday_ahead(3);
    let b = crate::bookings::book(&app, &customer_id, crate::bookings::chicago(day, 10, 0)).await;
    assert_eq!(b.status, StatusCode::CREATED, "{}", b.text);
    let f = follow_ups_of(&app, &lead_id).await;
    assert_eq!((f.len(), f[0]["status"].as_str()), (1, Some("cancelled")), "{f:?}");
    assert_eq!(f[0]["reason"], "the sequence stopped: booked");
    assert_eq!(app.state.tick(due + Duration::days(8)).await.unwrap().follow_ups.queued, 0);
    assert_eq!(stats(&app, NEW_LEAD).await["booked"], 1);

    // A booked customer is not enrolled again: the stop rule holds at enrollment too.
    let again = app.post(&format!("/api/follow-ups/{lead_id}/sequence/new_lead"), json!({})).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);
}

#[tokio::test]
async fn an_sms_stop_stops_email_steps_too() {
    let server = providers().await;
    let app = app_with(&server).await;
    let phone = "+15125550123";
    let (_, lead_id) = lead_of(
        &app,
        json!({"name": "Jo Park", "email": "jo@example.com", "phone": phone, "time_zone": "America/Chicago"}),
    )
    .await;
    let window = json!({"start": "08:00", "end": "21:00"});
    let seq = one_step_sequence(&app, "email", 30, window).await;
    let r = app.post(&format!("/api/follow-ups/{lead_id}/sequence/{seq}"), json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let due = at(&r.body["first"]["scheduled_time"]);

    let stop = sms_params("SM00000000000000000000000000000099", phone, "STOP");
    let signature = crate::common::providers::twilio_signature(
        crate::common::providers::TWILIO_TOKEN,
        &format!("{}/api/webhooks/twilio/sms", crate::common::providers::PUBLIC_BASE),
        &stop,
    );
    let w = app.send(twilio_request(&stop, Some(&signature))).await;
    assert_eq!(w.status, StatusCode::OK, "{}", w.text);
    app.run_jobs().await;

    let f = follow_ups_of(&app, &lead_id).await;
    assert_eq!(f[0]["status"], "cancelled", "{f:?}");
    assert_eq!(f[0]["reason"], "the sequence stopped: opted_out");
    assert_eq!(app.state.tick(due + Duration::days(2)).await.unwrap().follow_ups.queued, 0);
    run_jobs_at(&app, due + Duration::days(2)).await;
    assert!(mails(&server).await.is_empty(), "no e-mail after an SMS STOP");
    let texts = posts_to(&server, &twilio_path()).await;
    assert!(texts.iter().all(|t| !form_field(t, "Body").contains("drain cleaning")), "no follow-up text either");
    let s = stats(&app, &seq).await;
    assert_eq!(s["opted_out"], 1, "{s}");
}

#[tokio::test]
async fn a_step_due_at_23_00_recipient_time_goes_out_at_08_00_the_next_day() {
    let server = providers().await;
    let app = app_with(&server).await;
    let phone = "+12125550147";
    let (_, lead_id) =
        lead_of(&app, json!({"name": "Ana Silva", "phone": phone, "time_zone": "America/New_York"})).await;
    // Due at the next 23:00 New York time: the delay is chosen from the clock.
    let now = Utc::now().with_timezone(&New_York);
    let mut eleven = now.date_naive().and_time(NaiveTime::from_hms_opt(23, 0, 0).unwrap());
    if New_York.from_local_datetime(&eleven).single().unwrap() <= now + Duration::minutes(1) {
        eleven += Duration::days(1);
    }
    let eleven = New_York.from_local_datetime(&eleven).single().unwrap();
    let delay = (eleven - now).num_minutes() + 1;
    let seq = one_step_sequence(&app, "sms", delay, json!({"start": "08:00", "end": "21:00"})).await;
    let r = app.post(&format!("/api/follow-ups/{lead_id}/sequence/{seq}"), json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let due = at(&r.body["first"]["scheduled_time"]);
    let eight = New_York
        .from_local_datetime(
            &(eleven.date_naive() + Duration::days(1)).and_time(NaiveTime::from_hms_opt(8, 0, 0).unwrap()),
        )
        .single()
        .unwrap();
    assert_eq!(due, eight.with_timezone(&Utc), "23:00 in New York moves to 08:00 the next morning");

    assert_eq!(app.state.tick(due - Duration::minutes(1)).await.unwrap().follow_ups.queued, 0, "not at 07:59");
    assert_eq!(app.state.tick(due).await.unwrap().follow_ups.queued, 1);
    run_jobs_at(&app, due).await;
    let texts = posts_to(&server, &twilio_path()).await;
    assert_eq!(texts.len(), 1);
    assert_eq!(form_field(&texts[0], "To"), phone);
    assert_eq!(form_field(&texts[0], "Body"), "Hi Ana, still keen on that drain cleaning? Austin Plumbing");
    let f = follow_ups_of(&app, &lead_id).await;
    assert_eq!(f[0]["status"], "sent");
    let next = at(&f[1]["scheduled_time"]).with_timezone(&New_York);
    assert!(
        next.time() >= NaiveTime::from_hms_opt(8, 0, 0).unwrap()
            && next.time() < NaiveTime::from_hms_opt(21, 0, 0).unwrap()
    );
}

#[tokio::test]
async fn a_job_run_late_at_night_waits_for_the_morning() {
    let server = providers().await;
    let app = app_with(&server).await;
    let (_, lead_id) =
        lead_of(&app, json!({"name": "Lee Chan", "phone": "+12125550188", "time_zone": "America/New_York"})).await;
    let r =
        app.post("/api/follow-ups", json!({"lead_id": lead_id, "channel": "sms", "text": "Hi {first_name}!"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let due = at(&r.body["scheduled_time"]);
    assert_eq!(app.state.tick(due).await.unwrap().follow_ups.queued, 1);
    // The job only runs at 23:30 New York time (a backlog, a retry): it is put back.
    let d = due.with_timezone(&New_York).date_naive();
    let late = New_York.from_local_datetime(&d.and_time(NaiveTime::from_hms_opt(23, 30, 0).unwrap())).single().unwrap();
    run_jobs_at(&app, late.with_timezone(&Utc)).await;
    assert!(posts_to(&server, &twilio_path()).await.is_empty());
    let f = follow_ups_of(&app, &lead_id).await;
    assert_eq!(f[0]["status"], "pending");
    let morning = at(&f[0]["scheduled_time"]).with_timezone(&New_York);
    assert_eq!(
        (morning.date_naive(), morning.time()),
        (d + Duration::days(1), NaiveTime::from_hms_opt(8, 0, 0).unwrap())
    );
}

#[tokio::test]
async fn a_bounced_address_ends_the_run_at_the_claim() {
    use leadflow::domain::suppression::{NewSuppression, SuppressedAddress, SuppressionReason};

    let server = providers().await;
    let app = app_with(&server).await;
    let (customer_id, lead_id) =
        lead_of(&app, json!({"name": "Bo Berg", "email": "bo@example.com", "time_zone": "America/Chicago"})).await;
    let seq = one_step_sequence(&app, "email", 30, json!({"start": "08:00", "end": "21:00"})).await;
    let r = app.post(&format!("/api/follow-ups/{lead_id}/sequence/{seq}"), json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let due = at(&r.body["first"]["scheduled_time"]);
    // SendGrid reported a hard bounce for the address (the Event Webhook's doing).
    let bounce = NewSuppression {
        address: SuppressedAddress::Email(leadflow::domain::Email::parse("bo@example.com").unwrap()),
        reason: SuppressionReason::HardBounce,
        provider_event_id: "sendgrid:ZGVsaXZlcmVkLTAtMjQ5".into(),
        detail: Some("550 5.1.1 The email account that you tried to reach does not exist.".into()),
        customer_id: Some(customer_id.parse().unwrap()),
        occurred_at: Utc::now(),
    };
    let conn = app.state.db.conn().await.unwrap();
    assert!(leadflow::store::suppressions::add(&*conn, &bounce).await.unwrap());
    let tick = app.state.tick(due).await.unwrap();
    assert_eq!((tick.follow_ups.queued, tick.follow_ups.stopped_runs), (0, 1));
    let f = follow_ups_of(&app, &lead_id).await;
    assert_eq!(
        (f[0]["status"].as_str(), f[0]["reason"].as_str()),
        (Some("cancelled"), Some("the sequence stopped: undeliverable"))
    );
    assert!(mails(&server).await.is_empty());
    // Nor is the lead enrolled again while its only address is dead.
    let again = app.post(&format!("/api/follow-ups/{lead_id}/sequence/{seq}"), json!({})).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);
    assert!(again.text.contains("undeliverable"), "{}", again.text);
}

#[tokio::test]
async fn a_personalised_step_is_written_by_the_engine_and_a_stalled_run_resumes() {
    let server = providers().await;
    let app = app_with(&server).await;
    let (_, lead_id) =
        lead_of(&app, json!({"name": "Ana Silva", "phone": "+12125550147", "time_zone": "America/New_York"})).await;
    let r = app
        .post(
            "/api/follow-ups/sequences",
            json!({"name": "Personal", "trigger": "manual", "send_window": {"start": "08:00", "end": "21:00"},
                   "steps": [{"delay_minutes": 5, "channel": "sms", "personalised": true},
                             {"delay_minutes": 60, "channel": "sms", "template": "Bye {first_name}"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let seq = r.body["id"].as_str().unwrap().to_owned();
    let e = app.post(&format!("/api/follow-ups/{lead_id}/sequence/{seq}"), json!({})).await;
    assert_eq!(e.status, StatusCode::CREATED, "{}", e.text);
    let due = at(&e.body["first"]["scheduled_time"]);
    assert_eq!(app.state.tick(due).await.unwrap().follow_ups.queued, 1);
    let jobs = app.take_jobs().await;
    let ctx = leadflow::workers::JobContext::at(due, Duration::seconds(30));
    leadflow::workers::run(&app.state, &jobs[0], &ctx).await.unwrap();
    let texts = posts_to(&server, &twilio_path()).await;
    assert_eq!(texts.len(), 1);
    let body = form_field(&texts[0], "Body");
    assert!(body.contains("Ana") && !body.contains('$') && body.len() > 20, "written for Ana: {body:?}");

    // The step was recorded but the next one never planned (the job died in between):
    // its redelivery plans it instead of stalling the run.
    let conn = app.state.db.conn().await.unwrap();
    let first: uuid::Uuid = follow_ups_of(&app, &lead_id).await[0]["id"].as_str().unwrap().parse().unwrap();
    conn.execute("DELETE FROM follow_ups WHERE lead_id = $1 AND step = 2", &[&lead_id.parse::<uuid::Uuid>().unwrap()])
        .await
        .unwrap();
    assert_eq!(follow_ups_of(&app, &lead_id).await.len(), 1);
    leadflow::workers::run(&app.state, &leadflow::queue::Job::SendFollowUp { follow_up_id: first }, &ctx)
        .await
        .unwrap();
    let f = follow_ups_of(&app, &lead_id).await;
    assert_eq!((f.len(), f[1]["status"].as_str()), (2, Some("pending")), "{f:?}");
    assert_eq!(posts_to(&server, &twilio_path()).await.len(), 1, "nothing sent twice");
}
