//! After a step ended: the run's next step is planned, or the run completes.

use chrono::{DateTime, Utc};
use tokio_postgres::GenericClient;

use super::plan::{self, PlanInput};
use super::stopped_event;
use crate::domain::sequence::RunEndReason;
use crate::domain::{Direction, FollowUp};
use crate::services::{Relay, ServiceResult, record};
use crate::store::mongo::Mongo;
use crate::store::sequences::RunScope;
use crate::store::{Db, StoreError, customers, sequences, settings};

/// After a step ended (sent, skipped, failed or cancelled): plans the run's next step,
/// or ends the run as completed when there is none. Safe to repeat: a step is planned
/// once per run (a unique index), and an ended run plans nothing.
pub(super) async fn continue_run(
    db: &Db,
    mongo: &Mongo,
    relay: &Relay,
    f: &FollowUp,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let Some(run_id) = f.run_id else { return Ok(()) };
    let recent = mongo.messages().recent(f.customer_id, 20).await?;
    let last_used =
        recent.iter().rev().find(|m| m.direction == Direction::Inbound && !m.auto_submitted).map(|m| m.channel);
    let mut conn = db.conn().await?;
    let tx = conn.transaction().await.map_err(StoreError::from)?;
    // Locked: a stop committing meanwhile must not leave a step planned for an ended run.
    let run = sequences::lock_run(&tx, run_id).await?;
    if run.ended_at.is_some() {
        return Ok(());
    }
    let sequence = sequences::get_by_id(&tx, run.sequence_id).await?;
    let customer = customers::get_by_id(&tx, run.customer_id).await?;
    let settings = settings::load(&tx).await?;
    let next = u32::try_from(f.step).unwrap_or(0) + 1;
    let input = PlanInput {
        sequence: &sequence,
        run: &run,
        customer: &customer,
        settings: &settings,
        last_used,
        previous_done: Some(now),
        now,
    };
    let events = match plan_next(&tx, next, &input).await? {
        Planned::Step | Planned::ByAnother => Vec::new(),
        Planned::NoMoreSteps => {
            let ended = sequences::end_runs(&tx, RunScope::Run(run.id), RunEndReason::Completed, now).await?;
            ended.iter().map(stopped_event).collect()
        }
    };
    let any = !events.is_empty();
    record(&tx, events, now).await?;
    tx.commit().await.map_err(StoreError::from)?;
    drop(conn);
    if any {
        relay.nudge().await;
    }
    Ok(())
}

enum Planned {
    Step,
    ByAnother,
    NoMoreSteps,
}

async fn plan_next(tx: &impl GenericClient, n: u32, input: &PlanInput<'_>) -> ServiceResult<Planned> {
    // A savepoint: a step planned by a concurrent job is a unique violation, which must
    // not abort the transaction.
    tx.batch_execute("SAVEPOINT plan_next").await.map_err(StoreError::from)?;
    match plan::plan_step(tx, n, input).await {
        Ok(Some(_)) => Ok(Planned::Step),
        Ok(None) => Ok(Planned::NoMoreSteps),
        Err(StoreError::Conflict { .. }) => {
            tx.batch_execute("ROLLBACK TO SAVEPOINT plan_next").await.map_err(StoreError::from)?;
            Ok(Planned::ByAnother)
        }
        Err(e) => Err(e.into()),
    }
}
