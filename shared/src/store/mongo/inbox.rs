//! What the inbox needs of the `messages` collection for one page of conversations: each
//! customer's latest message and how many of theirs came in after the reader's mark, in
//! one aggregation.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::bson::{Bson, Document, doc};
use serde::Deserialize;
use uuid::Uuid;

use super::messages::{MessageDoc, MessageStore};
use super::to_bson_time;
use crate::domain::Message;
use crate::store::StoreError;

/// A customer's latest message and their inbound messages after the read mark.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationTail {
    pub last: Message,
    pub unread: u32,
}

#[derive(Deserialize)]
struct Grouped {
    #[serde(rename = "_id")]
    customer_id: String,
    last: MessageDoc,
    unread: i64,
}

impl MessageStore {
    /// For each customer (with the reader's read mark, if any): the latest message and
    /// the inbound messages newer than the mark. Customers without messages are absent.
    pub async fn tails(
        &self,
        marks: &[(Uuid, Option<DateTime<Utc>>)],
    ) -> Result<HashMap<Uuid, ConversationTail>, StoreError> {
        if marks.is_empty() {
            return Ok(HashMap::new());
        }
        let ids: Vec<String> = marks.iter().map(|(id, _)| id.to_string()).collect();
        // Each customer's mark, chosen by a `$switch` on the customer: one pipeline for
        // the page whatever the marks. No mark counts every inbound message.
        let branches: Vec<Document> = marks
            .iter()
            .filter_map(|(id, at)| {
                at.map(|at| doc! { "case": { "$eq": ["$customer_id", id.to_string()] }, "then": to_bson_time(at) })
            })
            .collect();
        let never = Bson::DateTime(mongodb::bson::DateTime::from_millis(0));
        let mark = if branches.is_empty() {
            never
        } else {
            Bson::Document(doc! { "$switch": { "branches": branches, "default": never } })
        };
        let unread = doc! { "$cond": [
            { "$and": [{ "$eq": ["$direction", "inbound"] }, { "$gt": ["$created_at", mark] }] }, 1, 0,
        ] };
        let pipeline = [
            doc! { "$match": { "customer_id": { "$in": ids } } },
            doc! { "$sort": { "customer_id": 1, "created_at": -1, "_id": -1 } },
            doc! { "$group": { "_id": "$customer_id", "last": { "$first": "$$ROOT" }, "unread": { "$sum": unread } } },
        ];
        let grouped: Vec<Document> = self.coll.aggregate(pipeline).await?.try_collect().await?;
        let mut tails = HashMap::with_capacity(grouped.len());
        for g in grouped {
            let g: Grouped =
                mongodb::bson::from_document(g).map_err(|e| StoreError::Corrupt(format!("inbox tail: {e}")))?;
            let customer_id = Uuid::parse_str(&g.customer_id)
                .map_err(|e| StoreError::Corrupt(format!("message customer id {}: {e}", g.customer_id)))?;
            let last = Message::try_from(g.last)?;
            tails.insert(customer_id, ConversationTail { last, unread: u32::try_from(g.unread).unwrap_or(u32::MAX) });
        }
        Ok(tails)
    }
}
