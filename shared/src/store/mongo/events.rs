//! The `events` collection: the audit trail of domain events.

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::bson::doc;
use mongodb::{Collection, Database};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{from_bson_time, is_duplicate_key, to_bson_time};
use crate::store::StoreError;

/// A domain event as recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventRecord {
    pub id: Uuid,
    /// `lead.created`, `task.assigned`, ...
    pub event_type: String,
    /// The entity the event is about.
    pub subject_id: Uuid,
    pub data: serde_json::Value,
    pub occurred_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize)]
struct EventDoc {
    #[serde(rename = "_id")]
    id: String,
    #[serde(rename = "type")]
    event_type: String,
    subject_id: String,
    data: mongodb::bson::Bson,
    occurred_at: mongodb::bson::DateTime,
}

#[derive(Clone)]
pub struct EventStore {
    coll: Collection<EventDoc>,
}

impl EventStore {
    pub(super) fn new(db: &Database) -> Self {
        Self { coll: db.collection("events") }
    }

    /// Records the event; recording the same event id twice keeps one.
    pub async fn record(&self, e: &EventRecord) -> Result<(), StoreError> {
        let data = mongodb::bson::to_bson(&e.data).map_err(|err| StoreError::Corrupt(err.to_string()))?;
        let d = EventDoc {
            id: e.id.to_string(),
            event_type: e.event_type.clone(),
            subject_id: e.subject_id.to_string(),
            data,
            occurred_at: to_bson_time(e.occurred_at),
        };
        match self.coll.insert_one(d).await {
            Ok(_) => Ok(()),
            Err(err) if is_duplicate_key(&err) => Ok(()),
            Err(err) => Err(err.into()),
        }
    }

    /// Events about one entity, newest first.
    pub async fn for_subject(&self, subject_id: Uuid, limit: i64) -> Result<Vec<EventRecord>, StoreError> {
        self.newest(doc! { "subject_id": subject_id.to_string() }, limit).await
    }

    /// The latest events of one type, newest first (the `type_events` index).
    pub async fn of_type(&self, event_type: &str, limit: i64) -> Result<Vec<EventRecord>, StoreError> {
        self.newest(doc! { "type": event_type }, limit).await
    }

    async fn newest(&self, filter: mongodb::bson::Document, limit: i64) -> Result<Vec<EventRecord>, StoreError> {
        let docs: Vec<EventDoc> = self
            .coll
            .find(filter)
            .sort(doc! { "occurred_at": -1, "_id": -1 })
            .limit(limit)
            .await?
            .try_collect()
            .await?;
        docs.into_iter()
            .map(|d| {
                Ok(EventRecord {
                    id: Uuid::parse_str(&d.id).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    event_type: d.event_type,
                    subject_id: Uuid::parse_str(&d.subject_id).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    data: serde_json::to_value(&d.data).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    occurred_at: from_bson_time(d.occurred_at),
                })
            })
            .collect()
    }
}

impl From<&crate::domain::EventEnvelope> for EventRecord {
    fn from(e: &crate::domain::EventEnvelope) -> Self {
        Self {
            id: e.id,
            event_type: e.detail_type().to_owned(),
            subject_id: e.subject_id(),
            data: e.event.data(),
            occurred_at: e.occurred_at,
        }
    }
}
