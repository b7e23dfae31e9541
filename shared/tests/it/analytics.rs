//! `GET /api/analytics/summary` over seeded leads and messages: exact counts, speed to
//! lead within the histogram's 5%, DST days, the schedule's incremental refresh, days
//! never refreshed computed on demand, and bad ranges.

use chrono::{DateTime, Duration, TimeZone as _, Utc};
use chrono_tz::Tz;
use leadflow::domain::{Direction, Message};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::TestApp;

const NY: Tz = chrono_tz::America::New_York;

fn ny(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    NY.with_ymd_and_hms(y, m, d, h, min, 0).earliest().unwrap().with_timezone(&Utc)
}

async fn set_zone(app: &TestApp, zone: &str) {
    let r = app.put("/api/settings", json!({"time_zone": zone})).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

async fn customer(app: &TestApp) -> Uuid {
    let id = Uuid::now_v7();
    let conn = app.state.db.conn().await.unwrap();
    conn.execute("INSERT INTO customers (id, email) VALUES ($1, $2)", &[&id, &format!("{id}@example.com")])
        .await
        .unwrap();
    id
}

/// A lead created at `at`, whose status went through `statuses` in order.
async fn lead(app: &TestApp, customer: Uuid, channel: &str, at: DateTime<Utc>, statuses: &[&str]) -> Uuid {
    let id = Uuid::now_v7();
    let conn = app.state.db.conn().await.unwrap();
    conn.execute(
        "INSERT INTO leads (id, customer_id, source_channel, created_at, updated_at) VALUES ($1, $2, $3, $4, now())",
        &[&id, &customer, &channel, &at],
    )
    .await
    .unwrap();
    for status in statuses {
        conn.execute("UPDATE leads SET status = $2, updated_at = now() WHERE id = $1", &[&id, status]).await.unwrap();
    }
    id
}

async fn message(app: &TestApp, customer: Uuid, lead: Option<Uuid>, direction: Direction, at: DateTime<Utc>) {
    let m = Message {
        lead_id: lead,
        direction,
        processed: true,
        // Replies here are the AI's: speed to lead counts answers, not notices.
        author: match direction {
            Direction::Inbound => leadflow::domain::Author::CUSTOMER,
            Direction::Outbound => leadflow::domain::Author::AI,
        },
        created_at: at,
        ..crate::common::inbound_sms(customer, "hello", 0)
    };
    app.state.mongo.messages().insert(&m).await.unwrap();
}

/// A lead whose first message came at `at` and was answered `reply_after` later.
async fn conversation(
    app: &TestApp,
    channel: &str,
    at: DateTime<Utc>,
    reply_after: Option<Duration>,
    statuses: &[&str],
) {
    let c = customer(app).await;
    let l = lead(app, c, channel, at, statuses).await;
    message(app, c, Some(l), Direction::Inbound, at).await;
    if let Some(after) = reply_after {
        message(app, c, Some(l), Direction::Outbound, at + after).await;
        // A later message of the same conversation changes nothing about the first reply.
        message(app, c, Some(l), Direction::Inbound, at + after + Duration::seconds(60)).await;
    }
}

fn assert_near(v: &Value, want: f64) {
    let got = v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"));
    assert!((got - want).abs() / want <= 0.05, "{got} is not within 5% of {want}");
}

async fn summary(app: &TestApp, query: &str) -> Value {
    let r = app.get(&format!("/api/analytics/summary{query}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

#[tokio::test]
async fn seeded_days_give_exact_counts_funnel_and_speeds() {
    let app = TestApp::new().await;
    set_zone(&app, "America/New_York").await;
    let nov2 = |h, m| ny(2026, 11, 2, h, m);
    conversation(&app, "sms", nov2(10, 0), Some(Duration::seconds(4)), &[]).await;
    // Qualified, then lost: it still reached qualified.
    conversation(&app, "chat", nov2(11, 0), Some(Duration::seconds(10)), &["contacted", "qualified", "lost"]).await;
    // Won, then reopened: it was won once.
    conversation(
        &app,
        "email",
        nov2(12, 0),
        Some(Duration::seconds(30)),
        &["contacted", "qualified", "won", "contacted"],
    )
    .await;
    conversation(&app, "form", nov2(13, 0), None, &[]).await;
    // 23:30 on the 3rd in New York (04:30 UTC on the 4th), answered 40 minutes later,
    // on the 4th: the lead and its speed belong to the 3rd, the reply to the 4th.
    conversation(&app, "chat", ny(2026, 11, 3, 23, 30), Some(Duration::minutes(40)), &[]).await;
    // Outside the range: the 5th.
    conversation(&app, "sms", ny(2026, 11, 5, 9, 0), Some(Duration::seconds(1)), &[]).await;

    let s = summary(&app, "?from=2026-11-02&to=2026-11-04").await;
    assert_eq!(s["time_zone"], "America/New_York");
    assert_eq!(s["from"], "2026-11-02T05:00:00Z");
    assert_eq!(s["to"], "2026-11-05T05:00:00Z");
    assert_eq!(s["leads_by_channel"], json!({"sms": 1, "email": 1, "chat": 2, "form": 1}));
    assert_eq!(s["funnel"], json!({"new": 5, "contacted": 4, "qualified": 2, "won": 1}));
    let range = &s["speed_to_lead"]["range"];
    assert_eq!(range["count"], 4);
    // Speeds 4, 10, 30 and 2400 s: the median by nearest rank is 10, the p90 2400.
    assert_near(&range["median_seconds"], 10.0);
    assert_near(&range["p90_seconds"], 2400.0);
    let daily = s["daily"].as_array().unwrap();
    let rows: Vec<(&str, u64, u64, u64)> = daily
        .iter()
        .map(|d| {
            let n = |k: &str| d[k].as_u64().unwrap();
            (d["date"].as_str().unwrap(), n("leads"), n("inbound"), n("replies"))
        })
        .collect();
    // The 3rd's inbound messages: its lead's first one only (the follow-up is on the 4th).
    assert_eq!(rows, vec![("2026-11-02", 4, 7, 3), ("2026-11-03", 1, 1, 0), ("2026-11-04", 0, 1, 1)]);
    assert_near(&daily[0]["median_seconds"], 10.0);
    assert_near(&daily[1]["median_seconds"], 2400.0);
    assert_eq!(daily[2]["median_seconds"], Value::Null);
    // Never refreshed: computed now and stored, so the next summary reads them.
    let stored = app.state.mongo.database().collection::<mongodb::bson::Document>("analytics_daily");
    let n = stored.count_documents(mongodb::bson::doc! { "zone": "America/New_York" }).await.unwrap();
    assert!(n >= 3, "{n} days stored");
    assert!(s["refreshed_at"].as_str().unwrap().parse::<DateTime<Utc>>().is_ok());
    assert_eq!(summary(&app, "?from=2026-11-02&to=2026-11-04").await["funnel"], s["funnel"]);
}

#[tokio::test]
async fn dst_days_are_23_and_25_hours_of_new_york() {
    let app = TestApp::new().await;
    set_zone(&app, "America/New_York").await;
    let c = customer(&app).await;
    for at in [
        ny(2026, 3, 7, 23, 30), // the day before
        ny(2026, 3, 8, 0, 30),
        ny(2026, 3, 8, 23, 30), // 03:30 UTC on the 9th: the 23-hour day's last hour
        ny(2026, 3, 9, 0, 30),  // the day after
    ] {
        message(&app, c, None, Direction::Inbound, at).await;
    }
    // The 25-hour day: 00:30 EDT, 01:30 EDT, 01:30 EST (an hour later) and 23:30 EST.
    for at in ["2026-11-01T04:30:00Z", "2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z", "2026-11-02T04:30:00Z"] {
        message(&app, c, None, Direction::Inbound, at.parse().unwrap()).await;
    }
    message(&app, c, None, Direction::Inbound, "2026-11-02T05:00:00Z".parse().unwrap()).await;

    let s = summary(&app, "?from=2026-03-08&to=2026-03-08").await;
    assert_eq!((s["from"].as_str(), s["to"].as_str()), (Some("2026-03-08T05:00:00Z"), Some("2026-03-09T04:00:00Z")));
    assert_eq!(
        s["daily"],
        json!([{"date": "2026-03-08", "leads": 0, "inbound": 2, "replies": 0, "median_seconds": null}])
    );
    let s = summary(&app, "?from=2026-11-01&to=2026-11-02").await;
    let inbound: Vec<&Value> = s["daily"].as_array().unwrap().iter().map(|d| &d["inbound"]).collect();
    assert_eq!(inbound, [&json!(4), &json!(1)]);
    assert_eq!(s["speed_to_lead"]["range"], json!({"median_seconds": null, "p90_seconds": null, "count": 0}));
}

#[tokio::test]
async fn the_schedule_refreshes_only_what_changed_and_the_summary_reads_rollups() {
    let app = TestApp::new().await;
    let now = Utc::now();
    conversation(&app, "sms", now - Duration::hours(30), Some(Duration::seconds(5)), &[]).await;

    let report = app.state.tick(now).await.expect("tick");
    assert!(report.analytics.full, "{report:?}");
    assert!(report.analytics.days >= 2, "{report:?}");
    let before = summary(&app, "").await;
    assert_eq!(before["daily"].as_array().unwrap().len(), 7);
    assert_eq!(before["funnel"]["new"], 1);
    assert!(
        before["refreshed_at"].as_str().unwrap().parse::<DateTime<Utc>>().unwrap() >= now - Duration::milliseconds(1)
    );

    // A new lead answered in 7 s, and the first lead won.
    let later = Utc::now();
    conversation(&app, "chat", later, Some(Duration::seconds(7)), &[]).await;
    {
        let conn = app.state.db.conn().await.unwrap();
        conn.execute("UPDATE leads SET status = 'won', updated_at = now() WHERE source_channel = 'sms'", &[])
            .await
            .unwrap();
    }
    // Until the schedule runs, the summary reads the stored rollups (today's was stored).
    let stale = summary(&app, "").await;
    assert_eq!(stale["funnel"], before["funnel"]);
    assert_eq!(stale["speed_to_lead"]["today"], before["speed_to_lead"]["today"]);

    let report = app.state.tick(Utc::now()).await.expect("tick");
    assert!(!report.analytics.full, "{report:?}");
    let after = summary(&app, "").await;
    assert_eq!(after["funnel"], json!({"new": 2, "contacted": 2, "qualified": 1, "won": 1}));
    assert_eq!(after["leads_by_channel"], json!({"sms": 1, "email": 0, "chat": 1, "form": 0}));
    let today = &after["speed_to_lead"]["today"];
    assert_eq!(today["count"], 1);
    assert_near(&today["median_seconds"], 7.0);
    assert_eq!(after["speed_to_lead"]["range"]["count"], 2);
    let last = after["daily"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["date"], Utc::now().date_naive().to_string());
    assert_eq!(
        (last["leads"].as_u64(), last["inbound"].as_u64(), last["replies"].as_u64()),
        (Some(1), Some(2), Some(1))
    );
}

#[tokio::test]
async fn live_counts_take_open_leads_needing_a_person_and_this_weeks_bookings() {
    let app = TestApp::new().await;
    let now = Utc::now();
    let conn = app.state.db.conn().await.unwrap();
    for status in [&[][..], &["contacted", "qualified", "won"][..], &["contacted"][..]] {
        let c = customer(&app).await;
        let id = lead(&app, c, "sms", now, status).await;
        conn.execute("UPDATE leads SET needs_human = true WHERE id = $1", &[&id]).await.unwrap();
    }
    let today = now.date_naive();
    let monday = today - chrono::Days::new(u64::from(chrono::Datelike::weekday(&today).num_days_from_monday()));
    let week_start = monday.and_hms_opt(0, 0, 0).unwrap().and_utc();
    let c = customer(&app).await;
    let hold = now + Duration::minutes(30);
    for (hours, status, hold_until) in [
        (1, "scheduled", None),
        (3, "confirmed", None),
        (5, "cancelled", None),
        (7, "pending_payment", Some(hold)),
        (9, "pending_payment", Some(now - Duration::minutes(1))),
        (24 * 7 + 1, "scheduled", None),
        (-3, "confirmed", None),
    ] {
        let at = week_start + Duration::hours(hours);
        conn.execute(
            "INSERT INTO bookings (id, customer_id, scheduled_time, duration_minutes, ends_at, meeting_type, status, hold_until)
             VALUES ($1, $2, $3, 60, $4, 'phone', $5, $6)",
            &[&Uuid::now_v7(), &c, &at, &(at + Duration::hours(1)), &status, &hold_until],
        )
        .await
        .unwrap();
    }
    let s = summary(&app, "").await;
    assert_eq!(s["needs_human"], 2);
    assert_eq!(s["bookings_this_week"], 3);
    assert_eq!(s["time_zone"], "UTC");
}

#[tokio::test]
async fn past_ranges_before_any_lead_cost_nothing_and_store_nothing() {
    let app = TestApp::new().await;
    conversation(&app, "sms", Utc::now() - Duration::hours(2), Some(Duration::seconds(5)), &[]).await;
    let s = summary(&app, "?from=1990-01-01&to=1990-12-31").await;
    assert_eq!(s["daily"].as_array().unwrap().len(), 365);
    assert_eq!(s["speed_to_lead"]["range"]["count"], 0);
    assert_eq!(s["funnel"]["new"], 0);
    let dates: Vec<chrono::NaiveDate> =
        (0..365).map(|d| chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap() + chrono::Days::new(d)).collect();
    let stored = app.state.mongo.analytics().days("UTC", &dates).await.unwrap();
    assert!(stored.is_empty(), "{} days stored for a year before the first lead", stored.len());
    for query in ["?to=-262143-01-01", "?from=%2B200000-01-01", "?from=1969-12-31"] {
        let r = app.get(&format!("/api/analytics/summary{query}")).await;
        assert_eq!(r.status, 400, "{query}: {}", r.text);
    }
}

#[tokio::test]
async fn bad_ranges_are_refused_naming_the_field() {
    let app = TestApp::new().await;
    for (query, field) in [
        ("from=yesterday", "from"),
        ("to=2026-13-01", "to"),
        ("from=2026-12-01T10:00:00", "from"),
        ("from=2026-12-02&to=2026-12-01", "from"),
        ("from=2026-12-01T10:00:00Z&to=2026-12-01T10:00:00Z", "from"),
        ("from=2024-01-01&to=2025-06-01", "to"),
        ("from=2099-01-01", "from"),
    ] {
        let r = app.get(&format!("/api/analytics/summary?{query}")).await;
        assert_eq!(r.status, 400, "{query}: {}", r.text);
        assert_eq!(r.error_field(), Some(field), "{query}: {}", r.text);
    }
    let r = app.get("/api/analytics/summary?since=2026-12-01").await;
    assert_eq!(r.status, 400, "{}", r.text);
}

#[tokio::test]
async fn the_first_refresh_recomputes_days_computed_on_demand_before_it() {
    let app = TestApp::new().await;
    let now = Utc::now();
    conversation(&app, "form", now - Duration::minutes(20), Some(Duration::seconds(3)), &[]).await;
    assert_eq!(summary(&app, "").await["funnel"]["new"], 1);
    // Stamped before the refresh's look-back window, as a long-open transaction would be.
    conversation(&app, "sms", now - Duration::minutes(10), None, &[]).await;
    {
        let conn = app.state.db.conn().await.unwrap();
        conn.execute("UPDATE leads SET updated_at = now() - interval '1 hour'", &[]).await.unwrap();
    }
    let report = app.state.tick(now + Duration::hours(1)).await.expect("tick");
    assert!(report.analytics.full, "{report:?}");
    let s = summary(&app, "").await;
    assert_eq!(s["leads_by_channel"], json!({"sms": 1, "email": 0, "chat": 0, "form": 1}));
}
