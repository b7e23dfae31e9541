//! Follow-ups. The dispatcher claims due rows with `FOR UPDATE SKIP LOCKED` and moves
//! them `pending → queued` in one statement, so concurrent dispatchers never claim one
//! twice; the send job moves a queued row to a final status once.

use chrono::{DateTime, Utc};
use tokio_postgres::{GenericClient, Row};
use uuid::Uuid;

use super::sql::{Sql, get, p, parse_req};
use super::{Page, PageRequest, Scope, StoreError};
use crate::domain::follow_up::{FollowUpContent, message_id_of};
use crate::domain::sequence::{FollowUpStatus, RunEndReason, Template};
use crate::domain::{Channel, FollowUp, NewFollowUp};

const COLUMNS: &str = "f.id, f.lead_id, f.customer_id, f.run_id, r.sequence_id, f.message_type, f.step, f.status,
    f.scheduled_time, f.content, f.content_kind, f.subject, f.queued_at, f.sent_at, f.finished_at,
    f.provider_message_id, f.reason, f.created_at";
const FROM: &str = "follow_ups f LEFT JOIN sequence_runs r ON r.id = f.run_id";

fn from_row(row: &Row) -> Result<FollowUp, StoreError> {
    let kind: String = get(row, "content_kind")?;
    let content = match kind.as_str() {
        "personalised" => FollowUpContent::Personalised,
        _ => FollowUpContent::Template(parse_req(row, "content", Template::parse)?),
    };
    let id = get(row, "id")?;
    Ok(FollowUp {
        id,
        lead_id: get(row, "lead_id")?,
        customer_id: get(row, "customer_id")?,
        run_id: get(row, "run_id")?,
        sequence_id: get(row, "sequence_id")?,
        step: get(row, "step")?,
        channel: parse_req(row, "message_type", str::parse::<Channel>)?,
        status: parse_req(row, "status", str::parse::<FollowUpStatus>)?,
        scheduled_time: get(row, "scheduled_time")?,
        personalised: content == FollowUpContent::Personalised,
        content,
        subject: get(row, "subject")?,
        queued_at: get(row, "queued_at")?,
        sent_at: get(row, "sent_at")?,
        finished_at: get(row, "finished_at")?,
        provider_message_id: get(row, "provider_message_id")?,
        message_id: message_id_of(id),
        reason: get(row, "reason")?,
        created_at: get(row, "created_at")?,
    })
}

/// Plans a follow-up; `Conflict` when its run already has that step.
pub async fn insert(c: &impl GenericClient, f: &NewFollowUp, now: DateTime<Utc>) -> Result<FollowUp, StoreError> {
    let id = Uuid::now_v7();
    c.query_typed(
        "INSERT INTO follow_ups (id, lead_id, customer_id, run_id, message_type, step, scheduled_time, content,
             content_kind, subject, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        &[
            p(&id),
            p(&f.lead_id),
            p(&f.customer_id),
            p(&f.run_id),
            p(&f.channel.as_str()),
            p(&f.step),
            p(&f.scheduled_time),
            p(&f.content.text()),
            p(&f.content.kind()),
            p(&f.subject),
            p(&now),
        ],
    )
    .await?;
    get_by_id(c, id).await
}

pub async fn get_by_id(c: &impl GenericClient, id: Uuid) -> Result<FollowUp, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE f.id = $1");
    let rows = c.query_typed(&sql, &[p(&id)]).await?;
    rows.first().map(from_row).ok_or(StoreError::NotFound("follow-up"))?
}

/// The row, locked for this transaction.
pub async fn lock(c: &impl GenericClient, id: Uuid) -> Result<FollowUp, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE f.id = $1 FOR UPDATE OF f");
    let rows = c.query_typed(&sql, &[p(&id)]).await?;
    rows.first().map(from_row).ok_or(StoreError::NotFound("follow-up"))?
}

/// The lead's follow-ups in step order.
pub async fn for_lead(c: &impl GenericClient, lead_id: Uuid) -> Result<Vec<FollowUp>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE f.lead_id = $1 ORDER BY f.scheduled_time, f.id");
    c.query_typed(&sql, &[p(&lead_id)]).await?.iter().map(from_row).collect()
}

#[derive(Debug, Clone, Default)]
pub struct FollowUpFilter {
    pub lead_id: Option<Uuid>,
    pub status: Option<FollowUpStatus>,
    pub sequence_id: Option<Uuid>,
    pub due_after: Option<DateTime<Utc>>,
    pub due_before: Option<DateTime<Utc>>,
}

/// Follow-ups by due time, soonest first.
pub async fn list(
    c: &impl GenericClient,
    f: &FollowUpFilter,
    page: &PageRequest,
) -> Result<Page<FollowUp>, StoreError> {
    let scope = Scope::of("follow_ups", &(f.lead_id, f.status, f.sequence_id, f.due_after, f.due_before));
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM {FROM} WHERE true"));
    sql.and("f.lead_id", "=", f.lead_id)
        .and("f.status", "=", f.status.map(FollowUpStatus::as_str))
        .and("r.sequence_id", "=", f.sequence_id)
        .and("f.scheduled_time", ">=", f.due_after)
        .and("f.scheduled_time", "<", f.due_before);
    if let Some((at, id)) = page.after::<(DateTime<Utc>, Uuid)>(&scope).map_err(|_| StoreError::InvalidCursor)? {
        sql.push(" AND (f.scheduled_time, f.id) > (").bind(at).push(", ").bind(id).push(")");
    }
    sql.push(" ORDER BY f.scheduled_time, f.id LIMIT ").bind(page.fetch());
    let items = sql.query(c).await?.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_fetched(items, page, &scope, |f| (f.scheduled_time, f.id)))
}

/// How many follow-ups on `channel` were queued since `since` (the send cap's window).
pub async fn queued_since(c: &impl GenericClient, channel: Channel, since: DateTime<Utc>) -> Result<i64, StoreError> {
    let rows = c
        .query_typed(
            "SELECT count(*) AS n FROM follow_ups WHERE message_type = $1 AND queued_at > $2",
            &[p(&channel.as_str()), p(&since)],
        )
        .await?;
    rows.first().map(|r| get(r, "n")).ok_or(StoreError::NotFound("count"))?
}

/// Moves up to `limit` due, pending follow-ups on `channel` whose run is still active to
/// `queued` and returns their ids, soonest due first; rows another transaction holds
/// are skipped.
pub async fn claim_due(
    c: &impl GenericClient,
    channel: Channel,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Uuid>, StoreError> {
    let rows = c
        .query_typed(
            "UPDATE follow_ups SET status = 'queued', queued_at = $1
             WHERE id IN (
                 SELECT f.id FROM follow_ups f LEFT JOIN sequence_runs r ON r.id = f.run_id
                 WHERE f.status = 'pending' AND f.scheduled_time <= $1 AND f.message_type = $2
                   AND (f.run_id IS NULL OR r.ended_at IS NULL)
                 ORDER BY f.scheduled_time LIMIT $3 FOR UPDATE OF f SKIP LOCKED)
             RETURNING id",
            &[p(&now), p(&channel.as_str()), p(&limit)],
        )
        .await?;
    rows.iter().map(|r| get(r, "id")).collect()
}

/// Queued follow-ups whose job has not finished them by `older_than` (lost, or failed
/// for good): stamped queued again now and returned, so their job is sent again.
pub async fn reclaim_stuck(
    c: &impl GenericClient,
    older_than: DateTime<Utc>,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Uuid>, StoreError> {
    let rows = c
        .query_typed(
            "UPDATE follow_ups SET queued_at = $2
             WHERE id IN (SELECT id FROM follow_ups WHERE status = 'queued' AND queued_at < $1
                          ORDER BY queued_at LIMIT $3 FOR UPDATE SKIP LOCKED)
             RETURNING id",
            &[p(&older_than), p(&now), p(&limit)],
        )
        .await?;
    rows.iter().map(|r| get(r, "id")).collect()
}

/// How a follow-up ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Sent { provider_message_id: Option<String> },
    Failed { reason: String },
    Skipped { reason: String },
    Cancelled { reason: String },
}

impl Outcome {
    pub fn status(&self) -> FollowUpStatus {
        match self {
            Outcome::Sent { .. } => FollowUpStatus::Sent,
            Outcome::Failed { .. } => FollowUpStatus::Failed,
            Outcome::Skipped { .. } => FollowUpStatus::Skipped,
            Outcome::Cancelled { .. } => FollowUpStatus::Cancelled,
        }
    }
}

/// Records how a pending or queued follow-up ended; false when it had ended already.
pub async fn finish(
    c: &impl GenericClient,
    id: Uuid,
    outcome: &Outcome,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let (provider_id, reason) = match outcome {
        Outcome::Sent { provider_message_id } => (provider_message_id.clone(), None),
        Outcome::Failed { reason } | Outcome::Skipped { reason } | Outcome::Cancelled { reason } => {
            (None, Some(reason.clone()))
        }
    };
    let sent = matches!(outcome, Outcome::Sent { .. });
    let rows = c
        .query_typed(
            "UPDATE follow_ups SET status = $2, sent = $3, sent_at = CASE WHEN $3 THEN $4 END, finished_at = $4,
                 cancelled_at = CASE WHEN $2 = 'cancelled' THEN $4 END, provider_message_id = $5, reason = $6
             WHERE id = $1 AND status IN ('pending', 'queued') RETURNING id",
            &[p(&id), p(&outcome.status().as_str()), p(&sent), p(&now), p(&provider_id), p(&reason)],
        )
        .await?;
    Ok(!rows.is_empty())
}

/// Puts a queued follow-up back to wait for `at` (its send window opens then).
pub async fn postpone(c: &impl GenericClient, id: Uuid, at: DateTime<Utc>) -> Result<bool, StoreError> {
    let rows = c
        .query_typed(
            "UPDATE follow_ups SET status = 'pending', scheduled_time = $2, queued_at = NULL
             WHERE id = $1 AND status IN ('pending', 'queued') RETURNING id",
            &[p(&id), p(&at)],
        )
        .await?;
    Ok(!rows.is_empty())
}

/// The stop rules' facts Postgres holds (a reply is read from the conversation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredFacts {
    pub lead_status: crate::domain::LeadStatus,
    /// Opted out of any channel, by either of the customer's addresses.
    pub opted_out: bool,
    /// A booking made after `since`, or an upcoming active one.
    pub booked: bool,
}

/// The customer opted out on any channel. Shared by the per-row and set-based checks.
const OPTED_OUT: &str = "EXISTS (SELECT 1 FROM opt_outs o
    WHERE (o.channel = 'sms' AND o.address = cu.phone) OR (o.channel = 'email' AND o.address = cu.email))";
/// The customer booked after `$since`, or holds an upcoming booking.
const BOOKED: &str = "EXISTS (SELECT 1 FROM bookings b WHERE b.customer_id = cu.id
    AND b.status IN ('scheduled', 'confirmed', 'completed') AND (b.created_at > $3 OR b.scheduled_time > $4))";

pub async fn stored_facts(
    c: &impl GenericClient,
    lead_id: Uuid,
    customer_id: Uuid,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<StoredFacts, StoreError> {
    let sql = format!(
        "SELECT l.status, {OPTED_OUT} AS opted_out, {BOOKED} AS booked
         FROM leads l JOIN customers cu ON cu.id = $2 WHERE l.id = $1"
    );
    let rows = c.query_typed(&sql, &[p(&lead_id), p(&customer_id), p(&since), p(&now)]).await?;
    let row = rows.first().ok_or(StoreError::NotFound("lead"))?;
    Ok(StoredFacts {
        lead_status: parse_req(row, "status", str::parse::<crate::domain::LeadStatus>)?,
        opted_out: get(row, "opted_out")?,
        booked: get(row, "booked")?,
    })
}

/// The claim-time check, set-based: ends the active runs with a follow-up due by `now`
/// whose customer opted out, whose lead was won or lost, who booked since enrolling, or
/// whose address for the due step is suppressed (bounced, dead), and cancels their
/// follow-ups. Returns the runs ended.
pub async fn end_stopped_due_runs(
    c: &impl GenericClient,
    now: DateTime<Utc>,
) -> Result<Vec<crate::domain::sequence::SequenceRun>, StoreError> {
    // `$3`/`$4` of BOOKED: the run's enrollment and now.
    let booked = BOOKED.replace("$3", "r.enrolled_at").replace("$4", "$1");
    let sql = format!(
        "WITH due AS (SELECT DISTINCT run_id, message_type FROM follow_ups
                      WHERE status = 'pending' AND scheduled_time <= $1 AND run_id IS NOT NULL),
              verdict AS (
                 SELECT r.id, CASE WHEN {OPTED_OUT} THEN 'opted_out'
                                   WHEN l.status = 'won' THEN 'won'
                                   WHEN l.status = 'lost' THEN 'lost'
                                   WHEN {booked} AND sq.trigger <> 'manual' THEN 'booked'
                                   WHEN EXISTS (SELECT 1 FROM suppressions s WHERE s.channel = due.message_type
                                        AND s.address = CASE due.message_type WHEN 'sms' THEN cu.phone ELSE cu.email END)
                                   THEN 'undeliverable' END AS reason
                 FROM sequence_runs r JOIN due ON due.run_id = r.id JOIN sequences sq ON sq.id = r.sequence_id
                 JOIN leads l ON l.id = r.lead_id JOIN customers cu ON cu.id = r.customer_id
                 WHERE r.ended_at IS NULL)
         SELECT DISTINCT id, reason FROM verdict WHERE reason IS NOT NULL LIMIT $2"
    );
    let rows = c.query_typed(&sql, &[p(&now), p(&1000_i64)]).await?;
    let mut ended = Vec::new();
    for row in rows {
        let id: Uuid = get(&row, "id")?;
        let reason: RunEndReason = parse_req(&row, "reason", str::parse::<RunEndReason>)?;
        // Re-derived per run so the reason recorded is the one holding now (a suppressed
        // address is a fact of the step's channel, which the run-wide facts do not hold).
        let reason = match reason {
            RunEndReason::Undeliverable => Some(reason),
            RunEndReason::Completed
            | RunEndReason::Replied
            | RunEndReason::Booked
            | RunEndReason::OptedOut
            | RunEndReason::Won
            | RunEndReason::Lost
            | RunEndReason::Staff
            | RunEndReason::SequenceChanged => {
                let run = super::sequences::get_run(c, id).await?;
                let manual = super::sequences::get_by_id(c, run.sequence_id).await?.spec.trigger
                    == crate::domain::sequence::SequenceTrigger::Manual;
                let facts = stored_facts(c, run.lead_id, run.customer_id, run.enrolled_at, now).await?;
                crate::domain::sequence::StopFacts {
                    lead_status: Some(facts.lead_status),
                    opted_out: facts.opted_out,
                    // A manual sequence may be meant for booked customers (staff chose it).
                    booked: facts.booked && !manual,
                    ..Default::default()
                }
                .stop_reason()
            }
        };
        if let Some(reason) = reason {
            let runs = super::sequences::end_runs(c, super::sequences::RunScope::Run(id), reason, now).await?;
            ended.extend(runs);
        }
    }
    Ok(ended)
}

/// Serialises claims of one channel until the transaction ends.
pub async fn lock_channel(c: &impl GenericClient, channel: Channel) -> Result<(), StoreError> {
    let key = format!("follow_up_claim:{channel}");
    c.query_typed("SELECT pg_advisory_xact_lock(hashtext($1))::text", &[p(&key)]).await?;
    Ok(())
}
