//! Analytics rollups (`analytics_daily`, one document per business day and zone; the
//! refresh watermark in `analytics_state`) and the reads of `messages` that build them.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use futures::TryStreamExt;
use mongodb::bson::{Document, doc};
use mongodb::{Collection, Database};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{from_bson_time, is_duplicate_key, to_bson_time};
use crate::domain::analytics::{ByChannel, DayRollup, Funnel, Histogram, StoredDay};
use crate::domain::{AuthorKind, DeliveryStatus, Direction};
use crate::store::StoreError;

#[derive(Debug, Serialize, Deserialize)]
struct DayDoc {
    /// `<zone>|<date>`: a change of the business zone makes every day a new one.
    #[serde(rename = "_id")]
    id: String,
    zone: String,
    date: String,
    leads: u64,
    by_channel: ByChannel,
    funnel: Funnel,
    inbound: u64,
    replies: u64,
    latency: Histogram,
    computed_at: mongodb::bson::DateTime,
}

fn day_id(zone: &str, date: NaiveDate) -> String {
    format!("{zone}|{date}")
}

impl TryFrom<DayDoc> for StoredDay {
    type Error = StoreError;
    fn try_from(d: DayDoc) -> Result<Self, StoreError> {
        let date = NaiveDate::parse_from_str(&d.date, "%Y-%m-%d")
            .map_err(|e| StoreError::Corrupt(format!("analytics day {}: {e}", d.id)))?;
        if !d.latency.is_valid() {
            return Err(StoreError::Corrupt(format!("analytics day {}: latency histogram", d.id)));
        }
        let rollup = DayRollup {
            leads: d.leads,
            by_channel: d.by_channel,
            funnel: d.funnel,
            inbound: d.inbound,
            replies: d.replies,
            latency: d.latency,
        };
        Ok(StoredDay { date, rollup, computed_at: from_bson_time(d.computed_at) })
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct StateDoc {
    #[serde(rename = "_id")]
    id: String,
    /// Changes at or after this instant are not yet in the rollups.
    watermark: mongodb::bson::DateTime,
    refreshed_at: mongodb::bson::DateTime,
}

/// How far the rollups of a zone are refreshed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshState {
    pub watermark: DateTime<Utc>,
    pub refreshed_at: DateTime<Utc>,
}

/// A message as the rollups see it.
#[derive(Debug, Deserialize)]
struct MessageTime {
    #[serde(default)]
    customer_id: Option<String>,
    created_at: mongodb::bson::DateTime,
}

fn customer_of(m: &MessageTime) -> Result<Uuid, StoreError> {
    uuid(m.customer_id.as_deref().ok_or_else(|| StoreError::Corrupt("message without a customer".into()))?)
}

#[derive(Clone)]
pub struct AnalyticsStore {
    days: Collection<DayDoc>,
    state: Collection<StateDoc>,
    messages: Collection<MessageTime>,
}

fn uuid(raw: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(raw).map_err(|e| StoreError::Corrupt(format!("message field {raw}: {e}")))
}

impl AnalyticsStore {
    pub(super) fn new(db: &Database) -> Self {
        Self {
            days: db.collection("analytics_daily"),
            state: db.collection("analytics_state"),
            messages: db.collection("messages"),
        }
    }

    /// The stored days of `zone` among `dates` (missing ones are simply absent).
    pub async fn days(&self, zone: &str, dates: &[NaiveDate]) -> Result<Vec<StoredDay>, StoreError> {
        let ids: Vec<String> = dates.iter().map(|d| day_id(zone, *d)).collect();
        let docs: Vec<DayDoc> = self.days.find(doc! { "_id": { "$in": ids } }).await?.try_collect().await?;
        docs.into_iter().map(StoredDay::try_from).collect()
    }

    /// Stores a day unless a copy computed from later data is already there: a slow
    /// computation finishing last must not put older numbers back.
    pub async fn put_day(&self, zone: &str, day: &StoredDay) -> Result<(), StoreError> {
        let id = day_id(zone, day.date);
        let r = &day.rollup;
        let document = DayDoc {
            id: id.clone(),
            zone: zone.to_owned(),
            date: day.date.to_string(),
            leads: r.leads,
            by_channel: r.by_channel,
            funnel: r.funnel,
            inbound: r.inbound,
            replies: r.replies,
            latency: r.latency.clone(),
            computed_at: to_bson_time(day.computed_at),
        };
        let filter = doc! { "_id": id, "computed_at": { "$lte": to_bson_time(day.computed_at) } };
        match self.days.replace_one(filter, document).upsert(true).await {
            Ok(_) => Ok(()),
            // The filter missed because a newer copy exists, and the upsert hit its id.
            Err(e) if is_duplicate_key(&e) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Forgets every stored day of `zone`.
    pub async fn clear_days(&self, zone: &str) -> Result<(), StoreError> {
        self.days.delete_many(doc! { "zone": zone }).await?;
        Ok(())
    }

    pub async fn refresh_state(&self, zone: &str) -> Result<Option<RefreshState>, StoreError> {
        let found = self.state.find_one(doc! { "_id": zone }).await?;
        Ok(found.map(|s| RefreshState {
            watermark: from_bson_time(s.watermark),
            refreshed_at: from_bson_time(s.refreshed_at),
        }))
    }

    pub async fn set_refresh_state(&self, zone: &str, state: RefreshState) -> Result<(), StoreError> {
        let document = StateDoc {
            id: zone.to_owned(),
            watermark: to_bson_time(state.watermark),
            refreshed_at: to_bson_time(state.refreshed_at),
        };
        self.state.replace_one(doc! { "_id": zone }, document).upsert(true).await?;
        Ok(())
    }

    /// Messages of one direction stored in `[from, to)`.
    pub async fn count_messages(
        &self,
        direction: Direction,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let filter = doc! {
            "created_at": { "$gte": to_bson_time(from), "$lt": to_bson_time(to) },
            "direction": direction.as_str(),
        };
        Ok(self.messages.count_documents(filter).await?)
    }

    /// The first inbound message of each of these leads that has one.
    pub async fn first_inbound(&self, lead_ids: &[Uuid]) -> Result<HashMap<Uuid, DateTime<Utc>>, StoreError> {
        let ids: Vec<String> = lead_ids.iter().map(Uuid::to_string).collect();
        let pipeline = [
            doc! { "$match": { "lead_id": { "$in": ids }, "direction": Direction::Inbound.as_str() } },
            doc! { "$group": { "_id": "$lead_id", "first": { "$min": "$created_at" } } },
        ];
        let rows: Vec<Document> = self.messages.aggregate(pipeline).await?.try_collect().await?;
        rows.iter()
            .map(|r| {
                let id = r.get_str("_id").map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let first = r.get_datetime("first").map_err(|e| StoreError::Corrupt(e.to_string()))?;
                Ok((uuid(id)?, from_bson_time(*first)))
            })
            .collect()
    }

    /// Replies to these customers stored at or after `since`, as (customer, time) in time
    /// order: what the AI or a person wrote and was not refused or skipped. Notices,
    /// keyword confirmations and follow-ups are Leadflow's own, not an answer.
    pub async fn outbound_since(
        &self,
        customer_ids: &[Uuid],
        since: DateTime<Utc>,
    ) -> Result<Vec<(Uuid, DateTime<Utc>)>, StoreError> {
        let ids: Vec<String> = customer_ids.iter().map(Uuid::to_string).collect();
        let filter = doc! {
            "customer_id": { "$in": ids },
            "direction": Direction::Outbound.as_str(),
            "created_at": { "$gte": to_bson_time(since) },
            "delivery_status": { "$nin": [DeliveryStatus::Skipped.as_str(), DeliveryStatus::Failed.as_str()] },
            // Messages stored before authors were: the AI's carry its text.
            "$or": [
                { "author.kind": { "$in": [AuthorKind::Ai.as_str(), AuthorKind::Staff.as_str()] } },
                { "author": { "$exists": false }, "ai_response": { "$type": "string" } },
            ],
        };
        let rows: Vec<MessageTime> = self
            .messages
            .find(filter)
            .projection(doc! { "customer_id": 1, "created_at": 1 })
            .sort(doc! { "created_at": 1 })
            .await?
            .try_collect()
            .await?;
        rows.into_iter().map(|m| Ok((customer_of(&m)?, from_bson_time(m.created_at)))).collect()
    }

    /// Messages stored at or after `since`: when, and to or from which customer.
    pub async fn stored_since(&self, since: DateTime<Utc>) -> Result<Vec<(DateTime<Utc>, Uuid)>, StoreError> {
        let rows: Vec<MessageTime> = self
            .messages
            .find(doc! { "created_at": { "$gte": to_bson_time(since) } })
            .projection(doc! { "customer_id": 1, "created_at": 1 })
            .await?
            .try_collect()
            .await?;
        rows.into_iter().map(|m| Ok((from_bson_time(m.created_at), customer_of(&m)?))).collect()
    }

    /// When the first message was stored, if any.
    pub async fn first_message_at(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let first =
            self.messages.find_one(doc! {}).sort(doc! { "created_at": 1 }).projection(doc! { "created_at": 1 }).await?;
        Ok(first.map(|m| from_bson_time(m.created_at)))
    }
}
