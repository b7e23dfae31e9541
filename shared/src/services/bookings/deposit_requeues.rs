//! The schedule's second chance for deposit jobs: Checkout links and refunds whose job
//! was lost, or keeps failing, are queued again, each at most once per visibility
//! timeout (SQS already retries a failing job on its own).

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::ServiceResult;
use crate::queue::{Job, JobQueue};
use crate::store::{Db, payments};

/// The schedule's sweep: queues `RefundDeposit` again for refunds marked ten minutes ago
/// and not made (their job was lost, or Stripe kept failing); returns how many.
///
/// A deposit queued again is left alone for `visibility` (the queue's visibility timeout):
/// its job may be failing, and then SQS retries it on its own.
pub async fn requeue_refunds(
    db: &Db,
    jobs: &dyn JobQueue,
    visibility: Duration,
    now: DateTime<Utc>,
) -> ServiceResult<usize> {
    let conn = db.conn().await?;
    let stuck = payments::stuck_refunds(&*conn, now - Duration::minutes(10), now - visibility, 100).await?;
    let queued = requeue(&*conn, jobs, &stuck, |booking_id| Job::RefundDeposit { booking_id }, now).await?;
    if queued > 0 {
        tracing::warn!(count = queued, "deposit refunds not made yet; queued again");
    }
    Ok(queued)
}

/// Queues each deposit's job, then notes the ones queued (a failed enqueue leaves its
/// deposit for the next sweep); returns how many were queued.
async fn requeue(
    conn: &impl tokio_postgres::GenericClient,
    jobs: &dyn JobQueue,
    booking_ids: &[Uuid],
    job: impl Fn(Uuid) -> Job,
    now: DateTime<Utc>,
) -> ServiceResult<usize> {
    let mut queued = Vec::with_capacity(booking_ids.len());
    let mut failure = None;
    for id in booking_ids {
        match jobs.enqueue(&job(*id)).await {
            Ok(()) => queued.push(*id),
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    payments::mark_requeued(conn, &queued, now).await?;
    match failure {
        Some(e) => Err(e.into()),
        None => Ok(queued.len()),
    }
}

/// The schedule's sweep: queues `CreateCheckout` again for held bookings still without
/// a Checkout link a minute after they were made (their job was lost), each at most once
/// per `visibility`; returns how many.
pub async fn requeue_checkouts(
    db: &Db,
    jobs: &dyn JobQueue,
    visibility: Duration,
    now: DateTime<Utc>,
) -> ServiceResult<usize> {
    let conn = db.conn().await?;
    let waiting = payments::awaiting_checkout(&*conn, now - Duration::minutes(1), now - visibility, 100).await?;
    requeue(&*conn, jobs, &waiting, |booking_id| Job::CreateCheckout { booking_id }, now).await
}
