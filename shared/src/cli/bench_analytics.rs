//! `leadflow bench-analytics`: the analytics summary at scale, for `scripts/bench.sh`,
//! against the configured Postgres and MongoDB (which it fills). `leads` leads spread
//! over the last 30 days, `messages` messages among them (each lead's first is inbound,
//! then replies and answers alternate); then one full refresh of the rollups, one
//! incremental refresh after 100 new messages and 10 status changes, and `runs`
//! summaries of the default range (the last seven days) through the service.
//!
//! Prints `full_refresh_s incremental_refresh_s summary_p50_ms summary_p99_ms days`.

use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use mongodb::bson::{Document, doc};
use uuid::Uuid;

use crate::config::Config;
use crate::services::analytics;

const SPREAD_DAYS: i64 = 30;
const CHANNELS: [&str; 4] = ["sms", "email", "chat", "form"];

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Leads and their customers, created over the spread; a share of them moved along the
/// funnel. Returns (lead, customer, created_at) of each.
async fn seed_leads(
    db: &crate::store::Db,
    leads: usize,
    now: DateTime<Utc>,
) -> Result<Vec<(Uuid, Uuid, DateTime<Utc>)>, String> {
    let conn = db.conn().await.map_err(err)?;
    let n = i64::try_from(leads).map_err(err)?;
    let step_ms = SPREAD_DAYS * 86_400_000 / n.max(1);
    conn.execute(
        "INSERT INTO customers (id, email, created_at)
         SELECT gen_random_uuid(), 'bench' || i || '@example.com', $1::timestamptz FROM generate_series(1, $2::bigint) AS i",
        &[&now, &n],
    )
    .await
    .map_err(err)?;
    // Leads take the customers in order; every tenth is won, every fifth qualified.
    conn.execute(
        "INSERT INTO leads (id, customer_id, status, source_channel, created_at, updated_at)
         SELECT gen_random_uuid(), c.id,
                CASE WHEN c.n % 10 = 0 THEN 'won' WHEN c.n % 5 = 0 THEN 'qualified'
                     WHEN c.n % 2 = 0 THEN 'contacted' ELSE 'new' END,
                ($4::text[])[1 + c.n % 4],
                $1::timestamptz - make_interval(secs => (c.n * $3::bigint) / 1000.0),
                $1::timestamptz
         FROM (SELECT id, row_number() OVER (ORDER BY email) AS n FROM customers LIMIT $2::bigint) c",
        &[&(now - Duration::hours(1)), &n, &step_ms, &CHANNELS.to_vec()],
    )
    .await
    .map_err(err)?;
    let rows = conn.query("SELECT id, customer_id, created_at FROM leads", &[]).await.map_err(err)?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect())
}

fn message(lead: Uuid, customer: Uuid, inbound: bool, at: DateTime<Utc>) -> Document {
    doc! {
        "_id": Uuid::now_v7().to_string(),
        "customer_id": customer.to_string(),
        "lead_id": lead.to_string(),
        "channel": "sms",
        "direction": if inbound { "inbound" } else { "outbound" },
        "content": "bench",
        "processed": true,
        "created_at": crate::store::mongo::to_bson_time(at),
    }
}

async fn insert(coll: &mongodb::Collection<Document>, docs: Vec<Document>) -> Result<(), String> {
    for chunk in docs.chunks(5000) {
        coll.insert_many(chunk.to_vec()).await.map_err(err)?;
    }
    Ok(())
}

pub(super) async fn analytics(messages: usize, leads: usize, runs: usize) -> Result<(), String> {
    let config = Config::from_env().map_err(err)?;
    let (state, _jobs) = super::prepare(config).await?;
    let now = Utc::now();
    let seeded = seed_leads(&state.db, leads.max(1), now).await?;
    let per_lead = (messages / seeded.len()).max(1);
    let mut docs = Vec::with_capacity(messages);
    for (i, (lead, customer, created)) in seeded.iter().enumerate() {
        // Replies 2 to 61 s after the first message; the rest of the talk minutes apart.
        let first_reply = Duration::seconds(2 + (i % 60) as i64);
        for k in 0..per_lead {
            let at = if k == 0 { *created } else { *created + first_reply + Duration::minutes(k as i64 - 1) };
            docs.push(message(*lead, *customer, k % 2 == 0, at));
        }
    }
    let coll = state.mongo.database().collection::<Document>("messages");
    insert(&coll, docs).await?;

    let started = Instant::now();
    let full = analytics::refresh(&state.db, &state.mongo, Utc::now()).await.map_err(err)?;
    let full_s = started.elapsed().as_secs_f64();

    let later = Utc::now();
    let fresh: Vec<Document> = seeded.iter().take(100).map(|(l, c, _)| message(*l, *c, true, later)).collect();
    insert(&coll, fresh).await?;
    {
        let conn = state.db.conn().await.map_err(err)?;
        conn.execute(
            "UPDATE leads SET status = 'won', updated_at = now() WHERE id IN
             (SELECT id FROM leads WHERE status = 'qualified' LIMIT 10)",
            &[],
        )
        .await
        .map_err(err)?;
    }
    let started = Instant::now();
    let incremental = analytics::refresh(&state.db, &state.mongo, Utc::now()).await.map_err(err)?;
    let incremental_s = started.elapsed().as_secs_f64();
    if !full.full || incremental.full {
        return Err(format!("unexpected refreshes: {full:?} then {incremental:?}"));
    }

    let service = state.analytics();
    let mut times = Vec::with_capacity(runs);
    let mut leads_seen = 0;
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        let s = service.summary(None, None, Utc::now()).await.map_err(err)?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        leads_seen = s.funnel.new;
    }
    if leads_seen == 0 {
        return Err("the summary saw no leads".into());
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((q * times.len() as f64).ceil() as usize).clamp(1, times.len()) - 1];
    println!("{full_s:.2} {incremental_s:.3} {:.2} {:.2} {}", at(0.5), at(0.99), full.days);
    Ok(())
}
