//! `leadflow bench-follow-ups`: the follow-up schedule's two costs, for
//! `scripts/bench.sh`, against the configured Postgres and MongoDB:
//!
//! - claim: `due` follow-ups already due, claimed (`pending → queued`) and queued by one
//!   dispatch, with the per-minute cap lifted (the cap paces sending on purpose; this
//!   measures what the claim can do). Jobs go to a counting queue: SQS's own latency is
//!   not in the number.
//! - send: `sends` of those follow-ups through the send job (stop rules, staging, the
//!   staged-delivery lease, a Twilio-shaped fake provider on loopback, the record and its
//!   events), `concurrency` at a time.
//!
//! Prints `claim_seconds claimed sends_per_second sent cpu_ms_per_send`: the last is this
//! process's own CPU time per send, which says what the service itself can do when the
//! databases keep up (locally MongoDB is SecantusDB, a single-threaded Python server that
//! bounds the rate first).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Timelike as _, Utc};
use futures::StreamExt as _;
use uuid::Uuid;

use crate::config::{Config, TwilioSettings};
use crate::domain::customer::{CustomerFields, NewCustomer};
use crate::domain::{Channel, NewLead, Phone, TimeZone};
use crate::queue::{Job, JobQueue, QueueError};
use crate::services::follow_ups::Dispatcher;

/// Counts jobs and keeps the follow-up ids, standing in for SQS.
#[derive(Default)]
struct Counting {
    ids: std::sync::Mutex<Vec<Uuid>>,
    count: AtomicUsize,
}

#[async_trait::async_trait]
impl JobQueue for Counting {
    async fn enqueue_after(&self, job: &Job, _delay: StdDuration) -> Result<(), QueueError> {
        self.count.fetch_add(1, Ordering::Relaxed);
        if let Job::SendFollowUp { follow_up_id } = job {
            self.ids.lock().map_err(|_| QueueError::Unavailable("poisoned".into()))?.push(*follow_up_id);
        }
        Ok(())
    }
}

/// A loopback server answering like Twilio's Messages API: 201 with a fresh SID.
async fn fake_twilio() -> Result<String, String> {
    let counter = Arc::new(AtomicUsize::new(0));
    let app = axum::Router::new().fallback(axum::routing::post(move || {
        let n = counter.fetch_add(1, Ordering::Relaxed);
        async move {
            (
                http::StatusCode::CREATED,
                axum::Json(serde_json::json!({"sid": format!("SM{n:032x}"), "status": "queued"})),
            )
        }
    }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(format!("http://{addr}"))
}

/// One customer (reachable, in UTC) and a lead, and `due` ad-hoc SMS follow-ups due
/// before `now`, written in one statement (setup, not measured).
async fn seed(db: &crate::store::Db, due: usize, now: DateTime<Utc>) -> Result<(), String> {
    let conn = db.conn().await.map_err(|e| e.to_string())?;
    let fields = CustomerFields {
        name: Some(crate::domain::text::ShortText::parse("Bench Customer").map_err(|e| e.0)?),
        phone: Some(Phone::parse("+12125550100", crate::domain::Country::US).map_err(|e| e.0)?),
        time_zone: Some(TimeZone::parse("UTC").map_err(|e| e.0)?),
        ..Default::default()
    };
    let new = NewCustomer::new(fields).map_err(|e| e.to_string())?;
    let customer = crate::store::customers::insert(&*conn, &new).await.map_err(|e| e.to_string())?;
    let lead = crate::store::leads::insert(&*conn, &NewLead::for_customer(customer.id, Some(Channel::Sms)))
        .await
        .map_err(|e| e.to_string())?;
    let n = i64::try_from(due).map_err(|e| e.to_string())?;
    conn.execute(
        "INSERT INTO follow_ups (id, lead_id, customer_id, message_type, step, scheduled_time, content, content_kind,
             created_at)
         SELECT gen_random_uuid(), $1, $2, 'sms', 1, $3::timestamptz - i * interval '1 second', 'Hi {first_name}, just checking in.',
                'template', $3::timestamptz
         FROM generate_series(1, $4::bigint) AS i",
        &[&lead.id, &customer.id, &now, &n],
    )
    .await
    .map_err(|e| e.as_db_error().map_or_else(|| e.to_string(), |d| d.message().to_owned()))?;
    Ok(())
}

pub(super) async fn follow_ups(due: usize, sends: usize, concurrency: usize) -> Result<(), String> {
    let provider = fake_twilio().await?;
    let mut config = Config::from_env().map_err(|e| e.to_string())?;
    config.providers.twilio = Some(TwilioSettings {
        account_sid: "ACbench".into(),
        auth_token: secrecy::SecretString::from("bench"),
        from: "+15005550006".into(),
        api_base: provider,
    });
    config.public_base_url = None;
    let (state, _jobs) = super::prepare(config).await?;
    // Noon UTC today: inside the recipient's lawful hours, whatever the clock says.
    let now = Utc::now().with_hour(12).and_then(|t| t.with_minute(0)).ok_or("bad time")?;
    seed(&state.db, due, now).await?;

    let queue = Counting::default();
    let dispatcher = Dispatcher { db: &state.db, jobs: &queue, relay: &state.relay, max_per_minute: 1_000_000 };
    let started = Instant::now();
    let report = dispatcher.dispatch(now).await.map_err(|e| e.to_string())?;
    let claim_seconds = started.elapsed().as_secs_f64();

    let ids: Vec<Uuid> = queue.ids.lock().map_err(|_| "poisoned")?.iter().take(sends).copied().collect();
    let sender = state.follow_up_sender();
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let results: Vec<Result<(), String>> = futures::stream::iter(ids.iter().copied())
        .map(|id| {
            let sender = &sender;
            async move { sender.send(id, now + Duration::seconds(1)).await.map_err(|e| e.to_string()) }
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    let send_seconds = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds().zip(cpu_before).map(|(after, before)| after - before);
    if let Some(Err(e)) = results.iter().find(|r| r.is_err()) {
        return Err(format!("a send failed: {e}"));
    }
    let sent = {
        let conn = state.db.conn().await.map_err(|e| e.to_string())?;
        let row = conn
            .query_one("SELECT count(*) FROM follow_ups WHERE status = 'sent'", &[])
            .await
            .map_err(|e| e.to_string())?;
        row.get::<_, i64>(0)
    };
    let rate = ids.len() as f64 / send_seconds.max(f64::EPSILON);
    let cpu_ms = cpu.map_or_else(|| "?".to_owned(), |c| format!("{:.2}", c * 1000.0 / ids.len().max(1) as f64));
    println!("{claim_seconds:.2} {} {rate:.0} {sent} {cpu_ms}", report.queued);
    Ok(())
}

/// This process's CPU time (user and system) so far, from `/proc/self/stat` (Linux;
/// `None` elsewhere). Clock ticks are 100 a second on Linux.
pub(super) fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) start at its closing ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}
