//! Computing and refreshing the per-day rollups. A day is always recomputed whole from
//! the records (never patched with deltas), so recomputing is idempotent and a refresh
//! that runs twice, or races a summary filling a missing day, stores the same numbers.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::domain::Direction;
use crate::domain::analytics::calendar::{MAX_RANGE_DAYS, day_bounds, day_of, days_between};
use crate::domain::analytics::{DayRollup, StoredDay};
use crate::services::ServiceResult;
use crate::store::mongo::{Mongo, RefreshState};
use crate::store::{Db, analytics as pg};

/// How far before the last refresh an incremental one looks again: a message or lead
/// change stamped before that refresh may have been committed just after it (an open
/// transaction, another host's clock), and must not be missed.
pub const LOOK_BACK: Duration = Duration::minutes(5);

/// What one refresh did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RefreshReport {
    /// No watermark yet: every day with data (up to a year back) was computed.
    pub full: bool,
    pub days: usize,
}

/// Computes one business day of `zone` from the records as they are now.
pub(super) async fn compute_day(
    db: &Db,
    mongo: &Mongo,
    zone: chrono_tz::Tz,
    date: NaiveDate,
) -> ServiceResult<DayRollup> {
    let (start, end) = day_bounds(zone, date);
    let store = mongo.analytics();
    let mut leads = {
        let conn = db.conn().await?;
        pg::leads_created_between(&*conn, start, end).await?
    };
    if !leads.is_empty() {
        let ids: Vec<Uuid> = leads.iter().map(|l| l.id).collect();
        let first_inbound = store.first_inbound(&ids).await?;
        for lead in &mut leads {
            lead.first_inbound = first_inbound.get(&lead.id).copied();
        }
        // A reply counts from the lead's first message, or from its creation when staff
        // opened it without one.
        let since_of = |l: &crate::domain::analytics::LeadFacts| l.first_inbound.unwrap_or(l.created_at);
        let since = leads.iter().map(since_of).min().unwrap_or(start);
        let customers: Vec<Uuid> = leads.iter().map(|l| l.customer_id).collect::<BTreeSet<_>>().into_iter().collect();
        let mut replies: HashMap<Uuid, Vec<DateTime<Utc>>> = HashMap::new();
        for (customer, at) in store.outbound_since(&customers, since).await? {
            replies.entry(customer).or_default().push(at);
        }
        for lead in &mut leads {
            let since = since_of(lead);
            // Each customer's times are in order: the first at or after `since` is the reply.
            lead.first_reply =
                replies.get(&lead.customer_id).and_then(|times| times.iter().find(|t| **t >= since).copied());
        }
    }
    let mut day = DayRollup {
        inbound: store.count_messages(Direction::Inbound, start, end).await?,
        replies: store.count_messages(Direction::Outbound, start, end).await?,
        ..DayRollup::default()
    };
    for lead in &leads {
        day.add_lead(lead);
    }
    Ok(day)
}

/// Computes and stores these days as of `now` (the time the computation started).
pub(super) async fn compute_and_store(
    db: &Db,
    mongo: &Mongo,
    zone: crate::domain::TimeZone,
    dates: &[NaiveDate],
    now: DateTime<Utc>,
) -> ServiceResult<Vec<StoredDay>> {
    let mut out = Vec::with_capacity(dates.len());
    for date in dates {
        let rollup = compute_day(db, mongo, zone.tz(), *date).await?;
        let day = StoredDay { date: *date, rollup, computed_at: now };
        mongo.analytics().put_day(zone.name(), &day).await?;
        out.push(day);
    }
    Ok(out)
}

/// Brings the rollups of the business zone up to `now`. The first run computes every
/// day that has data (a year back at most; older days are computed when asked for);
/// later runs recompute only the days that changes since the last run touched: the day
/// a message was stored on, the creation days of its customer's leads, and the creation
/// day of every lead changed.
/// When the first lead or message came, if any did: no day before it holds anything.
pub(super) async fn first_activity(db: &Db, mongo: &Mongo) -> ServiceResult<Option<DateTime<Utc>>> {
    let first_lead = {
        let conn = db.conn().await?;
        pg::first_lead_at(&*conn).await?
    };
    Ok([first_lead, mongo.analytics().first_message_at().await?].into_iter().flatten().min())
}

pub async fn refresh(db: &Db, mongo: &Mongo, now: DateTime<Utc>) -> ServiceResult<RefreshReport> {
    let zone = crate::services::settings::get(db).await?.time_zone;
    let tz = zone.tz();
    let store = mongo.analytics();
    let state = store.refresh_state(zone.name()).await?;
    let report = match state {
        None => {
            let first = first_activity(db, mongo).await?;
            let floor = now - Duration::days(MAX_RANGE_DAYS);
            let mut dates =
                first.map(|f| days_between(tz, f.max(floor), now + Duration::milliseconds(1))).unwrap_or_default();
            // A full refresh can outlast its host (a year of days in a Lambda), so it
            // first makes every day missing and records its watermark: a day it does not
            // reach stays missing, and a summary computes it when asked, never reading a
            // day computed on demand before this run from data since changed. Newest
            // days first: those are the ones asked for most.
            store.clear_days(zone.name()).await?;
            store.set_refresh_state(zone.name(), RefreshState { watermark: now, refreshed_at: now }).await?;
            dates.reverse();
            compute_and_store(db, mongo, zone, &dates, now).await?;
            RefreshReport { full: true, days: dates.len() }
        }
        Some(s) => {
            let dates = changed_days(db, mongo, tz, s.watermark - LOOK_BACK).await?;
            compute_and_store(db, mongo, zone, &dates, now).await?;
            // Only once every changed day is stored: a failed run is repeated whole.
            store.set_refresh_state(zone.name(), RefreshState { watermark: now, refreshed_at: now }).await?;
            RefreshReport { full: false, days: dates.len() }
        }
    };
    Ok(report)
}

/// The business days whose rollups changes at or after `since` may have moved.
async fn changed_days(
    db: &Db,
    mongo: &Mongo,
    tz: chrono_tz::Tz,
    since: DateTime<Utc>,
) -> ServiceResult<Vec<NaiveDate>> {
    let messages = mongo.analytics().stored_since(since).await?;
    let mut days: BTreeSet<NaiveDate> = messages.iter().map(|(at, _)| day_of(tz, *at)).collect();
    let customers: Vec<Uuid> = messages.iter().map(|(_, c)| *c).collect::<BTreeSet<_>>().into_iter().collect();
    let conn = db.conn().await?;
    if !customers.is_empty() {
        let created = pg::created_at_of_customer_leads(&*conn, &customers).await?;
        days.extend(created.into_iter().map(|at| day_of(tz, at)));
    }
    days.extend(pg::created_at_of_changed(&*conn, since).await?.into_iter().map(|at| day_of(tz, at)));
    Ok(days.into_iter().collect())
}
