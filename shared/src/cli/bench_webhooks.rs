//! `leadflow bench-webhooks`: outbound webhook fan-out for `scripts/bench.sh`, against
//! the configured Postgres and MongoDB. `events` events wait in the outbox with
//! `endpoints` endpoints taking every type; the relay publishes them (recording each in
//! MongoDB, as always) and makes a delivery per event and endpoint; then the queued
//! delivery jobs run, `concurrency` at a time, against a loopback receiver answering 204.
//!
//! Prints `relay_seconds deliveries deliveries_per_second cpu_ms_per_delivery`: the rate
//! is from the first delivery job to the last 2xx, the CPU time is this process's own.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use chrono::Utc;
use futures::StreamExt as _;

use super::bench_follow_ups::cpu_seconds;
use crate::config::Config;
use crate::domain::event::LeadCreated;
use crate::domain::{Channel, Event, EventEnvelope};
use crate::queue::Job;
use crate::services::webhooks::EndpointInput;

/// A loopback receiver that counts what it is sent.
async fn receiver(count: Arc<AtomicUsize>) -> Result<String, String> {
    let app = axum::Router::new().fallback(axum::routing::post(move || {
        count.fetch_add(1, Ordering::Relaxed);
        async { http::StatusCode::NO_CONTENT }
    }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(format!("http://{addr}"))
}

pub(super) async fn webhooks(events: usize, endpoints: usize, concurrency: usize) -> Result<(), String> {
    let received = Arc::new(AtomicUsize::new(0));
    let base = receiver(received.clone()).await?;
    let mut config = Config::from_env().map_err(|e| e.to_string())?;
    config.allow_private_webhook_targets = true;
    config.database_pool_size = concurrency.clamp(4, 64) + 2;
    let (state, jobs) = super::prepare(config).await?;
    let mut jobs = jobs.ok_or("bench-webhooks runs with the in-process queue (unset JOBS_QUEUE_URL)")?;

    for i in 0..endpoints {
        let input = EndpointInput { url: Some(format!("{base}/hook/{i}")), ..EndpointInput::default() };
        state.webhook_endpoints().create(input).await.map_err(|e| e.to_string())?;
    }
    {
        let mut conn = state.db.conn().await.map_err(|e| e.to_string())?;
        let tx = conn.transaction().await.map_err(|e| e.to_string())?;
        let now = Utc::now();
        let envelopes: Vec<EventEnvelope> = (0..events)
            .map(|_| {
                let e = LeadCreated {
                    lead_id: uuid::Uuid::now_v7(),
                    customer_id: uuid::Uuid::now_v7(),
                    source_channel: Some(Channel::Sms),
                };
                EventEnvelope::new(Event::LeadCreated(e), now)
            })
            .collect();
        crate::store::outbox::append(&tx, &envelopes).await.map_err(|e| e.to_string())?;
        tx.commit().await.map_err(|e| e.to_string())?;
    }

    let started = Instant::now();
    let published = state.relay.run().await.map_err(|e| e.to_string())?;
    let relay_seconds = started.elapsed().as_secs_f64();
    if published != events {
        return Err(format!("the relay published {published} of {events} events"));
    }
    let queued: Vec<Job> = std::iter::from_fn(|| jobs.try_next()).collect();
    let expected = events * endpoints;
    if queued.len() != expected {
        return Err(format!("{} delivery jobs queued, expected {expected}", queued.len()));
    }

    let deliverer = state.webhook_deliverer();
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let failures: Vec<String> = futures::stream::iter(queued)
        .map(|job| {
            let deliverer = &deliverer;
            async move {
                let Job::DeliverWebhook { delivery_id } = job else { return Err(format!("unexpected job {job:?}")) };
                deliverer.attempt(delivery_id, Utc::now()).await.map_err(|e| e.to_string())
            }
        })
        .buffer_unordered(concurrency.max(1))
        .filter_map(|r| async move { r.err() })
        .collect()
        .await;
    let seconds = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds().zip(cpu_before).map(|(after, before)| after - before);
    if let Some(e) = failures.first() {
        return Err(format!("{} attempts failed, e.g. {e}", failures.len()));
    }
    let succeeded: i64 = {
        let conn = state.db.conn().await.map_err(|e| e.to_string())?;
        conn.query_one("SELECT count(*) FROM webhook_deliveries WHERE status = 'succeeded'", &[])
            .await
            .map_err(|e| e.to_string())?
            .get(0)
    };
    let got = received.load(Ordering::Relaxed);
    if usize::try_from(succeeded).ok() != Some(expected) || got != expected {
        return Err(format!("{succeeded} deliveries succeeded and {got} were received, of {expected}"));
    }
    let rate = expected as f64 / seconds.max(f64::EPSILON);
    let cpu_ms = cpu.map_or_else(|| "?".to_owned(), |c| format!("{:.3}", c * 1000.0 / expected as f64));
    println!("{relay_seconds:.2} {expected} {rate:.0} {cpu_ms}");
    Ok(())
}
