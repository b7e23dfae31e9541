//! MongoDB documents: conversation history (`messages`), domain events (`events`) and
//! analytics rollups (`analytics_daily`, `analytics_state`).
//! Ids are UUID strings (v7, so their order is creation order); times are BSON dates.

mod analytics;
mod events;
mod inbox;
mod messages;

use std::time::Duration;

use mongodb::bson::doc;
use mongodb::options::{ClientOptions, IndexOptions};
use mongodb::{Client, Database, IndexModel};

pub use analytics::{AnalyticsStore, RefreshState};
pub use events::{EventRecord, EventStore};
pub use inbox::ConversationTail;
pub use messages::{Inserted, MessageFilter, MessageStore, SendClaim};

use super::StoreError;

/// A handle on the Leadflow database. Cheap to clone; connects lazily.
#[derive(Clone)]
pub struct Mongo {
    db: Database,
}

impl Mongo {
    pub async fn connect(uri: &str, database: &str, max_pool: u32) -> Result<Self, StoreError> {
        let mut options = ClientOptions::parse(uri).await?;
        options.app_name = Some("leadflow".into());
        options.server_selection_timeout.get_or_insert(Duration::from_secs(5));
        options.connect_timeout.get_or_insert(Duration::from_secs(5));
        options.max_pool_size = Some(max_pool.max(1));
        let client = Client::with_options(options)?;
        Ok(Self { db: client.database(database) })
    }

    pub fn database(&self) -> &Database {
        &self.db
    }

    pub fn messages(&self) -> MessageStore {
        MessageStore::new(&self.db)
    }

    pub fn events(&self) -> EventStore {
        EventStore::new(&self.db)
    }

    pub fn analytics(&self) -> AnalyticsStore {
        AnalyticsStore::new(&self.db)
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.run_command(doc! { "ping": 1 }).await?;
        Ok(())
    }

    /// Creates the indexes the queries rely on; creating an existing index is a no-op.
    pub async fn ensure_indexes(&self) -> Result<(), StoreError> {
        let messages = self.db.collection::<mongodb::bson::Document>("messages");
        messages
            .create_indexes([
                IndexModel::builder()
                    .keys(doc! { "customer_id": 1, "created_at": -1 })
                    .options(IndexOptions::builder().name("customer_history".to_string()).build())
                    .build(),
                IndexModel::builder()
                    .keys(doc! { "provider_message_id": 1 })
                    .options(
                        IndexOptions::builder()
                            .name("provider_message_id_unique".to_string())
                            .unique(true)
                            .sparse(true)
                            .build(),
                    )
                    .build(),
                IndexModel::builder()
                    .keys(doc! { "processed": 1, "direction": 1, "created_at": 1 })
                    .options(IndexOptions::builder().name("unprocessed".to_string()).build())
                    .build(),
                // The analytics rollups: messages by day, and each lead's first inbound.
                IndexModel::builder()
                    .keys(doc! { "created_at": 1 })
                    .options(IndexOptions::builder().name("stored_at".to_string()).build())
                    .build(),
                IndexModel::builder()
                    .keys(doc! { "lead_id": 1, "direction": 1, "created_at": 1 })
                    .options(IndexOptions::builder().name("lead_messages".to_string()).build())
                    .build(),
            ])
            .await?;
        let events = self.db.collection::<mongodb::bson::Document>("events");
        events
            .create_indexes([
                IndexModel::builder()
                    .keys(doc! { "subject_id": 1, "occurred_at": -1 })
                    .options(IndexOptions::builder().name("subject_events".to_string()).build())
                    .build(),
                IndexModel::builder()
                    .keys(doc! { "type": 1, "occurred_at": -1 })
                    .options(IndexOptions::builder().name("type_events".to_string()).build())
                    .build(),
            ])
            .await?;
        Ok(())
    }
}

pub(crate) fn to_bson_time(t: chrono::DateTime<chrono::Utc>) -> mongodb::bson::DateTime {
    mongodb::bson::DateTime::from_millis(t.timestamp_millis())
}

pub(crate) fn from_bson_time(t: mongodb::bson::DateTime) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or_default()
}

pub(crate) fn is_duplicate_key(e: &mongodb::error::Error) -> bool {
    use mongodb::error::{ErrorKind, WriteFailure};
    match e.kind.as_ref() {
        ErrorKind::Write(WriteFailure::WriteError(w)) => w.code == 11000,
        ErrorKind::InsertMany(m) => m.write_errors.as_ref().is_some_and(|ws| ws.iter().any(|w| w.code == 11000)),
        ErrorKind::Command(c) => c.code == 11000,
        _ => false,
    }
}
