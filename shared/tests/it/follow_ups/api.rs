//! `/api/follow-ups`: sequences CRUD with field errors, enrollment and stop, ad-hoc
//! follow-ups, the list's filters, cancel, stats and a dispatch on demand.

use chrono::{Duration, Utc};
use http::StatusCode;
use serde_json::json;

use super::{NEW_LEAD, app_with, at, lead_of, providers, run_jobs_at};
use crate::common::TestApp;

#[tokio::test]
async fn two_sequences_are_there_from_the_start() {
    let app = TestApp::new().await;
    let r = app.get("/api/follow-ups/sequences").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let all = r.body.as_array().unwrap();
    let delays = |trigger: &str| -> Vec<i64> {
        let s = all.iter().find(|s| s["trigger"] == trigger).unwrap_or_else(|| panic!("{trigger}: {}", r.text));
        s["steps"].as_array().unwrap().iter().map(|st| st["delay_minutes"].as_i64().unwrap()).collect()
    };
    assert_eq!(delays("new_lead"), vec![60, 1440, 4320, 10080]);
    assert_eq!(delays("no_show"), vec![30, 1440]);
    let one = app.get(&format!("/api/follow-ups/sequences/{NEW_LEAD}")).await;
    assert_eq!((one.status, one.body["send_window"].as_str()), (StatusCode::OK, Some("business_hours")));
    assert_eq!(one.body["steps"][1]["personalised"], true);
}

#[tokio::test]
async fn sequences_are_created_changed_and_deleted_with_field_errors() {
    let app = TestApp::new().await;
    let step = json!({"delay_minutes": 120, "channel": "sms", "template": "Hi {first_name}"});
    let bad = [
        (json!({"name": "X", "trigger": "weekly", "steps": [step]}), "trigger"),
        (json!({"name": "X", "trigger": "manual", "steps": []}), "steps"),
        (json!({"name": "", "trigger": "manual", "steps": [step]}), "name"),
        (
            json!({"name": "X", "trigger": "manual", "steps": [step], "send_window": {"start": "07:00", "end": "17:00"}}),
            "send_window.start",
        ),
        (
            json!({"name": "X", "trigger": "manual", "steps": [{"delay_minutes": -5, "template": "Hi"}]}),
            "steps[0].delay_minutes",
        ),
        (
            json!({"name": "X", "trigger": "manual", "steps": [{"delay_minutes": 5, "template": "Hi {nickname}"}]}),
            "steps[0].template",
        ),
        (json!({"name": "X", "trigger": "manual", "steps": [step], "colour": "red"}), "colour"),
    ];
    for (body, field) in bad {
        let r = app.post("/api/follow-ups/sequences", body.clone()).await;
        assert!(r.status.is_client_error(), "{body}: {} {}", r.status, r.text);
        assert!(r.error_field().is_some_and(|f| f.starts_with(field.split('.').next().unwrap())), "{body}: {}", r.text);
    }
    // One active sequence per trigger: a second new-lead sequence is refused.
    let dup =
        app.post("/api/follow-ups/sequences", json!({"name": "Another", "trigger": "new_lead", "steps": [step]})).await;
    assert_eq!(dup.status, StatusCode::CONFLICT, "{}", dup.text);

    let created = app
        .post(
            "/api/follow-ups/sequences",
            json!({"name": "Quote chaser", "trigger": "quote_sent", "weekdays_only": true, "steps": [step]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(created.body["send_window"], "business_hours", "the default window");
    let changed = app
        .put(
            &format!("/api/follow-ups/sequences/{id}"),
            json!({"name": "Quote chaser v2", "trigger": "quote_sent", "send_window": {"start": "09:00", "end": "18:00"},
                   "steps": [step, {"delay_minutes": 2880, "channel": "preferred", "personalised": true}]}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
    let got = app.get(&format!("/api/follow-ups/sequences/{id}")).await;
    assert_eq!(
        (got.body["name"].as_str(), got.body["steps"].as_array().map(Vec::len)),
        (Some("Quote chaser v2"), Some(2))
    );
    assert_eq!(got.body["send_window"], json!({"start": "09:00", "end": "18:00"}));
    assert_eq!(app.delete(&format!("/api/follow-ups/sequences/{id}")).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("/api/follow-ups/sequences/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/follow-ups/sequences/not-a-uuid").await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn enrollment_once_per_run_stop_and_reentry() {
    let app = TestApp::new().await;
    let (_, lead_id) = lead_of(&app, json!({"name": "Kim Lee", "email": "kim@example.com"})).await;
    let missing = app.post(&format!("/api/follow-ups/{}/sequence/new_lead", uuid::Uuid::now_v7()), json!({})).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.text);
    let bad = app.post(&format!("/api/follow-ups/{lead_id}/sequence/weekly"), json!({})).await;
    assert_eq!((bad.status, bad.error_field()), (StatusCode::BAD_REQUEST, Some("type")), "{}", bad.text);
    let bad_lead = app.post("/api/follow-ups/nope/sequence/new_lead", json!({})).await;
    assert_eq!((bad_lead.status, bad_lead.error_field()), (StatusCode::BAD_REQUEST, Some("lead_id")));

    let first = app.post(&format!("/api/follow-ups/{lead_id}/sequence/new_lead"), json!({})).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    assert_eq!(first.body["first"]["step"], 1);
    let twice = app.post(&format!("/api/follow-ups/{lead_id}/sequence/new_lead"), json!({})).await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.text);

    let stopped = app.post(&format!("/api/follow-ups/{lead_id}/stop"), json!({})).await;
    assert_eq!((stopped.status, stopped.body["stopped"].as_i64()), (StatusCode::OK, Some(1)), "{}", stopped.text);
    let list = app.get(&format!("/api/follow-ups?lead_id={lead_id}&status=cancelled")).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1, "{}", list.text);
    let again = app.post(&format!("/api/follow-ups/{lead_id}/sequence/new_lead"), json!({})).await;
    assert_eq!(again.status, StatusCode::CREATED, "re-entry after the run ended: {}", again.text);
    let s = app.get(&format!("/api/follow-ups/sequences/{NEW_LEAD}/stats")).await;
    assert_eq!((s.body["enrolled"].as_i64(), s.body["active"].as_i64()), (Some(2), Some(1)), "{}", s.text);
}

#[tokio::test]
async fn ad_hoc_follow_ups_are_listed_filtered_cancelled_and_sent_on_demand() {
    let server = providers().await;
    let app = app_with(&server).await;
    let (_, lead_id) =
        lead_of(&app, json!({"name": "Ray Dunn", "email": "ray@example.com", "time_zone": "Europe/London"})).await;
    let refused = [
        (json!({"lead_id": lead_id}), "text"),
        (json!({"lead_id": lead_id, "text": "Hi", "channel": "fax"}), "channel"),
        (json!({"lead_id": lead_id, "text": "Hi", "channel": "form"}), "channel"),
        (json!({"lead_id": lead_id, "text": "Hi", "channel": "sms"}), "channel"),
        (json!({"lead_id": lead_id, "text": "Hi {shoe_size}"}), "text"),
        (json!({"lead_id": "nope", "text": "Hi"}), "lead_id"),
        (json!({"lead_id": lead_id, "text": "Hi", "send_at": "tomorrow"}), "send_at"),
    ];
    for (body, field) in refused {
        let r = app.post("/api/follow-ups", body.clone()).await;
        assert!(r.status.is_client_error(), "{body}: {}", r.text);
        assert_eq!(r.error_field(), Some(field), "{body}: {}", r.text);
    }
    let unknown = app.post("/api/follow-ups", json!({"lead_id": uuid::Uuid::now_v7(), "text": "Hi"})).await;
    assert_eq!((unknown.status, unknown.error_field()), (StatusCode::UNPROCESSABLE_ENTITY, Some("lead_id")));

    let soon = Utc::now() + Duration::days(2);
    let a = app.post("/api/follow-ups", json!({"lead_id": lead_id, "channel": "email", "text": "Hi {first_name}, the part arrived.", "subject": "Your part", "send_at": soon})).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    let b = app
        .post(
            "/api/follow-ups",
            json!({"lead_id": lead_id, "channel": "email", "text": "Second", "send_at": soon + Duration::days(3)}),
        )
        .await;
    assert_eq!(b.status, StatusCode::CREATED, "{}", b.text);
    let (a_id, b_id) = (a.body["id"].as_str().unwrap().to_owned(), b.body["id"].as_str().unwrap().to_owned());
    let a_due = at(&a.body["scheduled_time"]);

    let before = app
        .get(&format!(
            "/api/follow-ups?lead_id={lead_id}&due_before={}",
            (soon + Duration::days(1)).to_rfc3339().replace('+', "%2B")
        ))
        .await;
    assert_eq!(before.ids(), vec![a_id.clone()], "{}", before.text);
    let after = app
        .get(&format!(
            "/api/follow-ups?lead_id={lead_id}&due_after={}",
            (soon + Duration::days(1)).to_rfc3339().replace('+', "%2B")
        ))
        .await;
    assert_eq!(after.ids(), vec![b_id.clone()], "{}", after.text);
    let paged = app.get(&format!("/api/follow-ups?lead_id={lead_id}&limit=1")).await;
    assert_eq!(paged.ids(), vec![a_id.clone()]);
    let cursor = paged.body["next_cursor"].as_str().expect("a next page");
    assert_eq!(
        app.get(&format!("/api/follow-ups?lead_id={lead_id}&limit=1&cursor={cursor}")).await.ids(),
        vec![b_id.clone()]
    );
    assert_eq!(app.get("/api/follow-ups?status=later").await.error_field(), Some("status"));
    assert_eq!(app.get("/api/follow-ups?due_before=soon").await.error_field(), Some("due_before"));

    let cancelled = app.delete(&format!("/api/follow-ups/{b_id}")).await;
    assert_eq!(
        (cancelled.status, cancelled.body["status"].as_str()),
        (StatusCode::OK, Some("cancelled")),
        "{}",
        cancelled.text
    );
    assert_eq!(app.delete(&format!("/api/follow-ups/{b_id}")).await.status, StatusCode::CONFLICT);
    assert_eq!(app.get(&format!("/api/follow-ups/{}", uuid::Uuid::now_v7())).await.status, StatusCode::NOT_FOUND);

    // A dispatch on demand claims only what is due.
    let now = app.post("/api/follow-ups/send/pending", json!({})).await;
    assert_eq!((now.status, now.body["queued"].as_i64()), (StatusCode::OK, Some(0)), "{}", now.text);
    assert_eq!(app.state.tick(a_due).await.unwrap().follow_ups.queued, 1);
    run_jobs_at(&app, a_due).await;
    let sent = app.get(&format!("/api/follow-ups/{a_id}")).await;
    assert_eq!(sent.body["status"], "sent", "{}", sent.text);
    let mail: serde_json::Value =
        serde_json::from_slice(&super::posts_to(&server, "/v3/mail/send").await[0].body).unwrap();
    assert_eq!(
        (mail["subject"].as_str(), mail["content"][0]["value"].as_str()),
        (Some("Your part"), Some("Hi Ray, the part arrived."))
    );
    let local = a_due.with_timezone(&chrono_tz::Europe::London);
    assert!((8..21).contains(&chrono::Timelike::hour(&local)), "inside London's lawful hours: {local}");
}
