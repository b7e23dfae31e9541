//! `leadflow bench-auth`: what checking a caller adds to a request, in process, for
//! `scripts/bench.sh`. One staff route and one public route with the same handler go
//! through the router `runs` times each, for a bootstrap key, a managed key (cached
//! after its first use, as in steady state) and an access token; the difference of the
//! medians is the guard's cost: credential check, role check, the caller's rate limit
//! (in memory, as locally; DynamoDB adds its round trip in AWS) and the actor scope.
//!
//! Prints `bootstrap_p50 key_p50 jwt_p50 public_p50 key_p99 jwt_p99`, in microseconds.

use std::time::{Duration, Instant};

use axum::body::Body;
use chrono::Utc;
use secrecy::ExposeSecret;
use tower::ServiceExt;

use crate::api::routes::Routes;
use crate::auth::tokens::Subject;
use crate::config::Config;
use crate::domain::access::{Need, Role, Scope};
use crate::domain::text::Text;
use crate::domain::user::NewApiKey;

fn percentile(samples: &mut [Duration], p: f64) -> f64 {
    samples.sort_unstable();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i].as_secs_f64() * 1e6
}

pub(crate) async fn auth(runs: usize) -> Result<(), String> {
    let mut config = Config::from_env().map_err(|e| e.to_string())?;
    if config.api_keys.is_empty() {
        config.api_keys.push("bench-bootstrap-key-0123456789".to_owned().into());
    }
    // The limit is not what is measured: lift it above the run count.
    config.access.per_caller_per_minute = u32::MAX;
    let bootstrap = config.api_keys[0].expose_secret().to_owned();
    let (state, _) = super::prepare(config).await?;
    let new = NewApiKey {
        name: Text::parse("bench").map_err(|e| e.to_string())?,
        scopes: vec![Scope::Read],
        expires_at: None,
        created_by: None,
    };
    let (record, key) = state.api_keys().create(&new, Utc::now()).await.map_err(|e| e.to_string())?;
    let subject = Subject { user_id: uuid::Uuid::now_v7(), role: Role::Viewer, agent_id: None };
    let jwt = state.auth.tokens().issue(subject, Utc::now()).token;
    let router = Routes::new(&state)
        .get("/bench/staff", Need::Read, || async { "ok" })
        .public_get("/bench/public", || async { "ok" })
        .finish();
    let time = async |path: &str, credential: Option<&str>| -> Result<Vec<Duration>, String> {
        let mut samples = Vec::with_capacity(runs);
        for i in 0..runs + runs / 10 {
            let mut req = http::Request::get(path);
            if let Some(c) = credential {
                req = req.header("authorization", format!("Bearer {c}"));
            }
            let req = req.body(Body::empty()).map_err(|e| e.to_string())?;
            let start = Instant::now();
            let resp = router.clone().oneshot(req).await.map_err(|e| e.to_string())?;
            let elapsed = start.elapsed();
            if !resp.status().is_success() {
                return Err(format!("{path} answered {}", resp.status()));
            }
            // The first tenth warms caches (the managed key's lookup among them).
            if i >= runs / 10 {
                samples.push(elapsed);
            }
        }
        Ok(samples)
    };
    let mut public = time("/bench/public", None).await?;
    let mut boot = time("/bench/staff", Some(&bootstrap)).await?;
    let mut managed = time("/bench/staff", Some(key.expose_secret())).await?;
    let mut token = time("/bench/staff", Some(&jwt)).await?;
    // The key served the run only; it must not outlive it in whatever database this was.
    state.api_keys().revoke(record.id, Utc::now()).await.map_err(|e| e.to_string())?;
    println!(
        "{:.1} {:.1} {:.1} {:.1} {:.1} {:.1}",
        percentile(&mut boot, 0.5),
        percentile(&mut managed, 0.5),
        percentile(&mut token, 0.5),
        percentile(&mut public, 0.5),
        percentile(&mut managed, 0.99),
        percentile(&mut token, 0.99),
    );
    Ok(())
}
