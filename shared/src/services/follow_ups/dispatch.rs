//! Dispatch: what the schedule does each minute. Runs a due follow-up's stop rules
//! can end are ended first (set-based); then due follow-ups are claimed per channel in
//! batches (`pending → queued`, `FOR UPDATE SKIP LOCKED`) and a `SendFollowUp` job is
//! queued for each, spread over the minute so a backlog drains at the channel's cap
//! instead of in one burst; follow-ups stuck in `queued` (a lost job) are queued again.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::stopped_event;
use crate::domain::Channel;
use crate::queue::{Job, JobQueue};
use crate::services::{Relay, ServiceResult, record};
use crate::store::{Db, StoreError, follow_ups};

/// Rows claimed per transaction.
const BATCH: i64 = 1000;
/// A queued follow-up whose job has not finished it by then is queued again. Longer
/// than a job's retries with backoff take, and than the SQS queues' visibility timeout
/// (18 minutes, template.yaml): a failed job is redelivered by SQS first, so a failing
/// one is not doubled every sweep (and a doubled one still sends once: the send is
/// idempotent). The stamp is renewed at each requeue, so at most one copy per period.
pub const STUCK_AFTER: Duration = Duration::minutes(20);
/// The channels a dispatch claims for, each with its own cap.
const CHANNELS: [Channel; 3] = [Channel::Sms, Channel::Email, Channel::Chat];

/// What one dispatch did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DispatchReport {
    pub queued: usize,
    pub requeued: usize,
    pub stopped_runs: usize,
}

pub struct Dispatcher<'a> {
    pub db: &'a Db,
    pub jobs: &'a dyn JobQueue,
    pub relay: &'a Relay,
    /// Sends per minute per provider channel (`FOLLOW_UP_MAX_PER_MINUTE`).
    pub max_per_minute: u32,
}

impl Dispatcher<'_> {
    pub async fn dispatch(&self, now: DateTime<Utc>) -> ServiceResult<DispatchReport> {
        let mut report = DispatchReport { stopped_runs: self.end_stopped(now).await?, ..Default::default() };
        for channel in CHANNELS {
            report.queued += self.claim_channel(channel, now).await?;
        }
        report.requeued = self.requeue_stuck(now).await?;
        if report.queued + report.requeued > 0 {
            tracing::info!(queued = report.queued, requeued = report.requeued, "follow-ups queued for sending");
        }
        Ok(report)
    }

    async fn end_stopped(&self, now: DateTime<Utc>) -> ServiceResult<usize> {
        let mut conn = self.db.conn().await?;
        let tx = conn.transaction().await.map_err(StoreError::from)?;
        let ended = follow_ups::end_stopped_due_runs(&tx, now).await?;
        record(&tx, ended.iter().map(stopped_event).collect(), now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        drop(conn);
        if !ended.is_empty() {
            self.relay.nudge().await;
        }
        Ok(ended.len())
    }

    /// The cap of a channel; chat goes through no carrier and has none.
    fn cap(&self, channel: Channel) -> Option<i64> {
        match channel {
            Channel::Sms | Channel::Email => Some(i64::from(self.max_per_minute.max(1))),
            Channel::Chat | Channel::Form => None,
        }
    }

    async fn claim_channel(&self, channel: Channel, now: DateTime<Utc>) -> ServiceResult<usize> {
        let mut total = 0;
        loop {
            let mut conn = self.db.conn().await?;
            let tx = conn.transaction().await.map_err(StoreError::from)?;
            // One dispatcher counts and claims a channel at a time, so two ticking at once
            // cannot both fill the same minute's cap.
            follow_ups::lock_channel(&tx, channel).await?;
            let cap = self.cap(channel);
            let already = match cap {
                Some(_) => follow_ups::queued_since(&tx, channel, now - Duration::minutes(1)).await?,
                None => 0,
            };
            let room = cap.map_or(BATCH, |cap| (cap - already).clamp(0, BATCH));
            if room == 0 {
                break;
            }
            let ids = follow_ups::claim_due(&tx, channel, now, room).await?;
            let jobs: Vec<(Job, StdDuration)> = ids
                .iter()
                .enumerate()
                .map(|(i, id)| (Job::SendFollowUp { follow_up_id: *id }, spread(cap, already + i as i64)))
                .collect();
            // Queued before the commit: if queueing fails the rows stay pending; if the
            // commit fails the jobs find them pending and do nothing.
            self.jobs.enqueue_batch(&jobs).await?;
            tx.commit().await.map_err(StoreError::from)?;
            drop(conn);
            total += ids.len();
            if (ids.len() as i64) < room {
                break;
            }
        }
        Ok(total)
    }

    async fn requeue_stuck(&self, now: DateTime<Utc>) -> ServiceResult<usize> {
        let mut conn = self.db.conn().await?;
        let tx = conn.transaction().await.map_err(StoreError::from)?;
        let ids: Vec<Uuid> = follow_ups::reclaim_stuck(&tx, now - STUCK_AFTER, now, BATCH).await?;
        let jobs: Vec<(Job, StdDuration)> =
            ids.iter().map(|id| (Job::SendFollowUp { follow_up_id: *id }, StdDuration::ZERO)).collect();
        self.jobs.enqueue_batch(&jobs).await?;
        tx.commit().await.map_err(StoreError::from)?;
        drop(conn);
        if !ids.is_empty() {
            tracing::warn!(count = ids.len(), "follow-ups stuck in queued were queued again");
        }
        Ok(ids.len())
    }
}

/// The delay of the `nth` send of the current minute: sends are spaced evenly at the
/// cap's rate.
fn spread(cap: Option<i64>, nth: i64) -> StdDuration {
    match cap {
        Some(cap) if cap > 0 => {
            let millis = nth.max(0).saturating_mul(60_000) / cap;
            StdDuration::from_millis(u64::try_from(millis.min(60_000)).unwrap_or(0))
        }
        Some(_) | None => StdDuration::ZERO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sends_are_spread_over_the_minute() {
        assert_eq!(spread(Some(60), 0), StdDuration::ZERO);
        assert_eq!(spread(Some(60), 30), StdDuration::from_secs(30));
        assert_eq!(spread(Some(120), 1), StdDuration::from_millis(500));
        assert_eq!(spread(Some(60), 500), StdDuration::from_mins(1));
        assert_eq!(spread(None, 500), StdDuration::ZERO);
    }
}
