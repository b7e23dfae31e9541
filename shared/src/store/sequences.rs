//! Follow-up sequences and their runs. A partial unique index keeps a lead in at most
//! one active run of a sequence, so two enrollments racing end as one run and a
//! `Conflict` for the other.

use chrono::{DateTime, Utc};
use tokio_postgres::{GenericClient, Row};
use uuid::Uuid;

use super::StoreError;
use super::sql::{get, p, parse_opt, parse_req};
use crate::domain::send_window::SendWindow;
use crate::domain::sequence::{RunEndReason, Sequence, SequenceRun, SequenceSpec, SequenceTrigger, Steps};

const COLUMNS: &str = "id, name, trigger, steps, weekdays_only, send_window, active, created_at, updated_at";
const RUN_COLUMNS: &str = "id, sequence_id, lead_id, customer_id, booking_id, enrolled_at, ended_at, end_reason";

fn corrupt(col: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("column {col}: {e}"))
}

fn from_row(row: &Row) -> Result<Sequence, StoreError> {
    let steps: serde_json::Value = get(row, "steps")?;
    let window: serde_json::Value = get(row, "send_window")?;
    Ok(Sequence {
        id: get(row, "id")?,
        spec: SequenceSpec {
            name: parse_req(row, "name", crate::domain::text::ShortText::parse)?,
            trigger: parse_req(row, "trigger", str::parse::<SequenceTrigger>)?,
            steps: serde_json::from_value::<Steps>(steps).map_err(|e| corrupt("steps", e))?,
            weekdays_only: get(row, "weekdays_only")?,
            send_window: serde_json::from_value::<SendWindow>(window).map_err(|e| corrupt("send_window", e))?,
            active: get(row, "active")?,
        },
        created_at: get(row, "created_at")?,
        updated_at: get(row, "updated_at")?,
    })
}

fn run_from_row(row: &Row) -> Result<SequenceRun, StoreError> {
    Ok(SequenceRun {
        id: get(row, "id")?,
        sequence_id: get(row, "sequence_id")?,
        lead_id: get(row, "lead_id")?,
        customer_id: get(row, "customer_id")?,
        booking_id: get(row, "booking_id")?,
        enrolled_at: get(row, "enrolled_at")?,
        ended_at: get(row, "ended_at")?,
        end_reason: parse_opt(row, "end_reason", str::parse::<RunEndReason>)?,
    })
}

fn json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_default()
}

pub async fn insert(c: &impl GenericClient, spec: &SequenceSpec, now: DateTime<Utc>) -> Result<Sequence, StoreError> {
    let sql = format!(
        "INSERT INTO sequences (id, name, trigger, steps, weekdays_only, send_window, active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING {COLUMNS}"
    );
    write(c, &sql, Uuid::now_v7(), spec, now).await
}

pub async fn update(
    c: &impl GenericClient,
    id: Uuid,
    spec: &SequenceSpec,
    now: DateTime<Utc>,
) -> Result<Sequence, StoreError> {
    let sql = format!(
        "UPDATE sequences SET name = $2, trigger = $3, steps = $4, weekdays_only = $5, send_window = $6, active = $7,
             updated_at = $8
         WHERE id = $1 RETURNING {COLUMNS}"
    );
    write(c, &sql, id, spec, now).await
}

/// Runs an insert or update whose parameters are the id, the spec's fields and the time.
async fn write(
    c: &impl GenericClient,
    sql: &str,
    id: Uuid,
    spec: &SequenceSpec,
    now: DateTime<Utc>,
) -> Result<Sequence, StoreError> {
    let (name, trigger) = (spec.name.as_str(), spec.trigger.as_str());
    let (steps, window) = (json(&spec.steps), json(&spec.send_window));
    let params =
        [p(&id), p(&name), p(&trigger), p(&steps), p(&spec.weekdays_only), p(&window), p(&spec.active), p(&now)];
    let rows = c.query_typed(sql, &params).await?;
    rows.first().map(from_row).ok_or(StoreError::NotFound("sequence"))?
}

pub async fn delete(c: &impl GenericClient, id: Uuid) -> Result<(), StoreError> {
    let rows = c.query_typed("DELETE FROM sequences WHERE id = $1 RETURNING id", &[p(&id)]).await?;
    if rows.is_empty() { Err(StoreError::NotFound("sequence")) } else { Ok(()) }
}

pub async fn get_by_id(c: &impl GenericClient, id: Uuid) -> Result<Sequence, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM sequences WHERE id = $1");
    let rows = c.query_typed(&sql, &[p(&id)]).await?;
    rows.first().map(from_row).ok_or(StoreError::NotFound("sequence"))?
}

/// Every sequence, oldest first (a business has a handful).
pub async fn list(c: &impl GenericClient) -> Result<Vec<Sequence>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM sequences ORDER BY created_at, id");
    c.query_typed(&sql, &[]).await?.iter().map(from_row).collect()
}

/// The active sequence a trigger enrolls into, if there is one.
pub async fn active_for(c: &impl GenericClient, trigger: SequenceTrigger) -> Result<Option<Sequence>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM sequences WHERE trigger = $1 AND active ORDER BY created_at, id LIMIT 1");
    c.query_typed(&sql, &[p(&trigger.as_str())]).await?.first().map(from_row).transpose()
}

/// Starts a run; `Conflict` when the lead already has an active run of the sequence.
pub async fn start_run(
    c: &impl GenericClient,
    sequence_id: Uuid,
    lead_id: Uuid,
    customer_id: Uuid,
    booking_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<SequenceRun, StoreError> {
    let sql = format!(
        "INSERT INTO sequence_runs (id, sequence_id, lead_id, customer_id, booking_id, enrolled_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {RUN_COLUMNS}"
    );
    let rows = c
        .query_typed(
            &sql,
            &[p(&Uuid::now_v7()), p(&sequence_id), p(&lead_id), p(&customer_id), p(&booking_id), p(&now)],
        )
        .await?;
    rows.first().map(run_from_row).ok_or(StoreError::NotFound("sequence run"))?
}

pub async fn get_run(c: &impl GenericClient, id: Uuid) -> Result<SequenceRun, StoreError> {
    let sql = format!("SELECT {RUN_COLUMNS} FROM sequence_runs WHERE id = $1");
    let rows = c.query_typed(&sql, &[p(&id)]).await?;
    rows.first().map(run_from_row).ok_or(StoreError::NotFound("sequence run"))?
}

/// Locks a run for the transaction (every path that changes a run and its follow-ups
/// locks the run first, so they cannot deadlock).
pub async fn lock_run(c: &impl GenericClient, id: Uuid) -> Result<SequenceRun, StoreError> {
    let sql = format!("SELECT {RUN_COLUMNS} FROM sequence_runs WHERE id = $1 FOR UPDATE");
    let rows = c.query_typed(&sql, &[p(&id)]).await?;
    rows.first().map(run_from_row).ok_or(StoreError::NotFound("sequence run"))?
}

/// The lead's active run of a sequence.
pub async fn active_run(
    c: &impl GenericClient,
    sequence_id: Uuid,
    lead_id: Uuid,
) -> Result<Option<SequenceRun>, StoreError> {
    let sql =
        format!("SELECT {RUN_COLUMNS} FROM sequence_runs WHERE sequence_id = $1 AND lead_id = $2 AND ended_at IS NULL");
    c.query_typed(&sql, &[p(&sequence_id), p(&lead_id)]).await?.first().map(run_from_row).transpose()
}

/// Whether this cause enrolled the lead before: a no-show by its booking, any other
/// trigger once per lead.
pub async fn enrolled_for_cause(
    c: &impl GenericClient,
    sequence_id: Uuid,
    lead_id: Uuid,
    booking_id: Option<Uuid>,
) -> Result<bool, StoreError> {
    let rows = c
        .query_typed(
            "SELECT 1 FROM sequence_runs WHERE sequence_id = $1 AND lead_id = $2
                 AND ($3::uuid IS NULL OR booking_id = $3) LIMIT 1",
            &[p(&sequence_id), p(&lead_id), p(&booking_id)],
        )
        .await?;
    Ok(!rows.is_empty())
}

/// Which active runs to end.
#[derive(Debug, Clone, Copy)]
pub enum RunScope {
    Run(Uuid),
    Lead(Uuid),
    Customer(Uuid),
    Sequence(Uuid),
}

/// Ends the active runs in scope and cancels their pending or queued follow-ups (a
/// queued one's job finds it cancelled); returns the runs ended.
pub async fn end_runs(
    c: &impl GenericClient,
    scope: RunScope,
    reason: RunEndReason,
    now: DateTime<Utc>,
) -> Result<Vec<SequenceRun>, StoreError> {
    let (column, id) = match scope {
        RunScope::Run(id) => ("id", id),
        RunScope::Lead(id) => ("lead_id", id),
        RunScope::Customer(id) => ("customer_id", id),
        RunScope::Sequence(id) => ("sequence_id", id),
    };
    let sql = format!(
        "UPDATE sequence_runs SET ended_at = $2, end_reason = $3 WHERE {column} = $1 AND ended_at IS NULL
         RETURNING {RUN_COLUMNS}"
    );
    let ended = c
        .query_typed(&sql, &[p(&id), p(&now), p(&reason.as_str())])
        .await?
        .iter()
        .map(run_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    if !ended.is_empty() {
        let ids: Vec<Uuid> = ended.iter().map(|r| r.id).collect();
        c.query_typed(
            "UPDATE follow_ups SET status = 'cancelled', cancelled_at = $2, finished_at = $2, reason = $3
             WHERE run_id = ANY($1) AND status IN ('pending', 'queued')",
            &[p(&ids), p(&now), p(&format!("the sequence stopped: {reason}"))],
        )
        .await?;
    }
    Ok(ended)
}

/// Per-step counts of a sequence's runs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct StepStats {
    pub step: i32,
    pub scheduled: i64,
    pub sent: i64,
    pub failed: i64,
    pub skipped: i64,
    /// Runs that ended for this reason right after this step was the last one sent.
    pub replied: i64,
    pub booked: i64,
    pub opted_out: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct SequenceStats {
    pub sequence_id: Uuid,
    pub enrolled: i64,
    pub active: i64,
    pub completed: i64,
    pub sent: i64,
    pub replied: i64,
    pub booked: i64,
    pub opted_out: i64,
    pub steps: Vec<StepStats>,
}

/// What a sequence did: runs by how they ended, follow-ups by step. A reply, booking or
/// opt-out is credited to the last step sent before the run ended (0: before any step).
pub async fn stats(c: &impl GenericClient, sequence_id: Uuid) -> Result<SequenceStats, StoreError> {
    let rows = c
        .query_typed(
            "SELECT count(*) AS enrolled,
                    count(*) FILTER (WHERE ended_at IS NULL) AS active,
                    count(*) FILTER (WHERE end_reason = 'completed') AS completed,
                    count(*) FILTER (WHERE end_reason = 'replied') AS replied,
                    count(*) FILTER (WHERE end_reason = 'booked') AS booked,
                    count(*) FILTER (WHERE end_reason = 'opted_out') AS opted_out
             FROM sequence_runs WHERE sequence_id = $1",
            &[p(&sequence_id)],
        )
        .await?;
    let row = rows.first().ok_or(StoreError::NotFound("sequence"))?;
    let steps = c
        .query_typed(
            "WITH last_sent AS (
                 SELECT r.id, r.end_reason, coalesce(max(f.step) FILTER (WHERE f.status = 'sent'), 0) AS step
                 FROM sequence_runs r LEFT JOIN follow_ups f ON f.run_id = r.id
                 WHERE r.sequence_id = $1 GROUP BY r.id, r.end_reason),
             outcomes AS (
                 SELECT step, count(*) FILTER (WHERE end_reason = 'replied') AS replied,
                        count(*) FILTER (WHERE end_reason = 'booked') AS booked,
                        count(*) FILTER (WHERE end_reason = 'opted_out') AS opted_out
                 FROM last_sent GROUP BY step),
             sends AS (
                 SELECT f.step, count(*) AS scheduled,
                        count(*) FILTER (WHERE f.status = 'sent') AS sent,
                        count(*) FILTER (WHERE f.status = 'failed') AS failed,
                        count(*) FILTER (WHERE f.status = 'skipped') AS skipped
                 FROM follow_ups f JOIN sequence_runs r ON r.id = f.run_id
                 WHERE r.sequence_id = $1 GROUP BY f.step)
             SELECT coalesce(s.step, o.step)::int4 AS step,
                    coalesce(s.scheduled, 0) AS scheduled, coalesce(s.sent, 0) AS sent,
                    coalesce(s.failed, 0) AS failed, coalesce(s.skipped, 0) AS skipped,
                    coalesce(o.replied, 0) AS replied, coalesce(o.booked, 0) AS booked,
                    coalesce(o.opted_out, 0) AS opted_out
             FROM sends s FULL JOIN outcomes o ON o.step = s.step
             ORDER BY 1",
            &[p(&sequence_id)],
        )
        .await?;
    let steps = steps
        .iter()
        .map(|r| {
            Ok(StepStats {
                step: get(r, "step")?,
                scheduled: get(r, "scheduled")?,
                sent: get(r, "sent")?,
                failed: get(r, "failed")?,
                skipped: get(r, "skipped")?,
                replied: get(r, "replied")?,
                booked: get(r, "booked")?,
                opted_out: get(r, "opted_out")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(SequenceStats {
        sequence_id,
        enrolled: get(row, "enrolled")?,
        active: get(row, "active")?,
        completed: get(row, "completed")?,
        sent: steps.iter().map(|s| s.sent).sum(),
        replied: get(row, "replied")?,
        booked: get(row, "booked")?,
        opted_out: get(row, "opted_out")?,
        steps,
    })
}
