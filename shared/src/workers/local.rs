//! The in-process host of `leadflow serve`: runs queued jobs with retries and the
//! once-a-minute schedule (the sweep) that EventBridge drives in AWS.

use std::time::Duration;

use super::{JobContext, gave_up, run};
use crate::app::AppState;
use crate::queue::{Job, LocalJobs};

const ATTEMPTS: u32 = 5;

async fn run_with_retries(state: AppState, job: Job) {
    for attempt in 1..=ATTEMPTS {
        let ctx = JobContext::with_budget(chrono::Duration::seconds(60));
        match run(&state, &job, &ctx).await {
            Ok(()) => return,
            Err(e) if attempt < ATTEMPTS => {
                let wait = Duration::from_millis(250 * 2u64.pow(attempt));
                tracing::warn!(job = job.name(), attempt, error = %e, "job failed; retrying in {wait:?}");
                tokio::time::sleep(wait).await;
            }
            Err(e) => gave_up(&state, &job, &e).await,
        }
    }
}

/// Runs every queued job, each in its own task, until the queue closes.
pub fn spawn_worker(state: AppState, mut jobs: LocalJobs) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while let Some(job) = jobs.next().await {
            tokio::spawn(run_with_retries(state.clone(), job));
        }
    })
}

/// Runs the periodic work every `every`.
pub fn spawn_schedule(state: AppState, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = state.tick(chrono::Utc::now()).await {
                tracing::warn!(error = %e, "scheduled run failed");
            }
        }
    })
}
