//! `GET /api/analytics/summary`: speed to lead, leads by channel, the funnel and daily
//! rows, read from per-day rollups in MongoDB (see `rollup`) so a summary costs a few
//! reads whatever the message count; bookings this week and leads needing a person are
//! counted live, being cheap indexed counts that must not lag.

pub mod rollup;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::{ServiceError, ServiceResult};
use crate::domain::analytics::calendar::{day_of, day_start, week_of};
use crate::domain::analytics::{Bound, ByChannel, DayRollup, Funnel, Histogram, Latency, Range, StoredDay};
use crate::store::mongo::Mongo;
use crate::store::{Db, analytics as pg};

pub use rollup::{RefreshReport, refresh};

/// The ports the summary reads.
pub struct Analytics<'a> {
    pub db: &'a Db,
    pub mongo: &'a Mongo,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SpeedToLead {
    /// Leads created on the business day holding now.
    pub today: Latency,
    /// Leads created on the business days of the range.
    pub range: Latency,
}

/// One business day of the range.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DailyRow {
    pub date: NaiveDate,
    /// Leads created that day.
    pub leads: u64,
    /// Messages from customers stored that day.
    pub inbound: u64,
    /// Messages to customers (AI or staff) stored that day.
    pub replies: u64,
    /// Median speed to lead of the leads created that day; null without any.
    pub median_seconds: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Summary {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    #[schema(value_type = String, example = "America/New_York")]
    pub time_zone: crate::domain::TimeZone,
    pub speed_to_lead: SpeedToLead,
    /// Leads created in the range by the channel they came in on.
    pub leads_by_channel: ByChannel,
    /// Leads created in the range that reached at least each stage.
    pub funnel: Funnel,
    /// Scheduled, confirmed and held bookings starting this business week (Monday to Sunday).
    pub bookings_this_week: u64,
    /// Open leads waiting for a person now.
    pub needs_human: u64,
    pub daily: Vec<DailyRow>,
    /// The rollups reflect every change made before this instant.
    pub refreshed_at: DateTime<Utc>,
}

impl Analytics<'_> {
    pub async fn summary(&self, from: Option<Bound>, to: Option<Bound>, now: DateTime<Utc>) -> ServiceResult<Summary> {
        let zone = super::settings::get(self.db).await?.time_zone;
        let tz = zone.tz();
        let range = Range::resolve(zone, from, to, now)
            .map_err(|e| ServiceError::BadRequest { field: Some(e.field), message: e.message })?;
        let dates = range.days(tz);
        let today = day_of(tz, now);
        let mut wanted = dates.clone();
        if !wanted.contains(&today) {
            wanted.push(today);
        }
        let days = self.days(zone, &wanted, now).await?;
        let state = self.mongo.analytics().refresh_state(zone.name()).await?;

        let of = |date: NaiveDate| days.iter().find(|d| d.date == date).map(|d| &d.rollup);
        let mut total = DayRollup::default();
        let mut daily = Vec::with_capacity(dates.len());
        for date in &dates {
            let day = of(*date).cloned().unwrap_or_default();
            total.merge(&day);
            daily.push(DailyRow {
                date: *date,
                leads: day.leads,
                inbound: day.inbound,
                replies: day.replies,
                median_seconds: Latency::of(&day.latency).median_seconds,
            });
        }
        let empty = Histogram::new();
        let today_latency = Latency::of(of(today).map_or(&empty, |d| &d.latency));
        // A day is as fresh as its computation, or as the last refresh, which would have
        // recomputed it had anything in it changed.
        let since_refresh = state.map(|s| s.refreshed_at);
        let refreshed_at =
            days.iter().map(|d| since_refresh.map_or(d.computed_at, |r| r.max(d.computed_at))).min().unwrap_or(now);

        let (bookings_this_week, needs_human) = {
            let (week_start, week_end) = week_of(tz, now);
            let conn = self.db.conn().await?;
            (pg::live_bookings_between(&*conn, week_start, week_end, now).await?, pg::needs_human(&*conn).await?)
        };
        Ok(Summary {
            from: range.from,
            to: range.to,
            time_zone: zone,
            speed_to_lead: SpeedToLead { today: today_latency, range: Latency::of(&total.latency) },
            leads_by_channel: total.by_channel,
            funnel: total.funnel,
            bookings_this_week,
            needs_human,
            daily,
            refreshed_at,
        })
    }

    /// The stored rollups of these days; a day never computed is computed now and stored,
    /// except days not yet begun and days before the first lead or message, which hold nothing (and
    /// are not stored: any caller may ask for any past range, which must not cost a day's
    /// queries and a stored document per day asked).
    async fn days(
        &self,
        zone: crate::domain::TimeZone,
        dates: &[NaiveDate],
        now: DateTime<Utc>,
    ) -> ServiceResult<Vec<StoredDay>> {
        let mut days = self.mongo.analytics().days(zone.name(), dates).await?;
        let absent: Vec<NaiveDate> = dates.iter().filter(|d| !days.iter().any(|s| s.date == **d)).copied().collect();
        let first_day = if absent.is_empty() {
            None
        } else {
            rollup::first_activity(self.db, self.mongo).await?.map(|t| day_of(zone.tz(), t))
        };
        let (missing, empty): (Vec<NaiveDate>, Vec<NaiveDate>) = absent
            .into_iter()
            .partition(|d| day_start(zone.tz(), *d) <= now && first_day.is_some_and(|first| *d >= first));
        if !missing.is_empty() {
            tracing::info!(days = missing.len(), "computing analytics days never refreshed");
            days.extend(rollup::compute_and_store(self.db, self.mongo, zone, &missing, now).await?);
        }
        days.extend(empty.into_iter().map(|date| StoredDay { date, rollup: DayRollup::default(), computed_at: now }));
        Ok(days)
    }
}
