//! Idempotency records in DynamoDB, as Powertools keeps them: one item per key with
//! `status` (INPROGRESS | COMPLETED), `expires_at` (the table's TTL attribute, epoch
//! seconds), `in_progress_expiry` (epoch milliseconds), `payload_hash` and `response`.
//! The claim is one conditional PutItem; a refused claim returns the existing item.

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{Begin, DEFAULT_TTL, IdempotencyError, IdempotencyStore};

const IN_PROGRESS: &str = "INPROGRESS";
const COMPLETED: &str = "COMPLETED";

#[derive(Clone)]
pub struct DynamoIdempotency {
    client: Client,
    table: String,
}

impl DynamoIdempotency {
    /// `table` has a string partition key `pk` and TTL on `expires_at`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }

    fn pk(key: &str) -> AttributeValue {
        AttributeValue::S(format!("idempotency#{key}"))
    }
}

fn unavailable(e: impl std::error::Error) -> IdempotencyError {
    IdempotencyError::Unavailable(DisplayErrorContext(e).to_string())
}

fn text(item: &HashMap<String, AttributeValue>, name: &str) -> Option<String> {
    item.get(name).and_then(|v| v.as_s().ok()).cloned()
}

/// What a refused claim means, from the item that refused it.
fn decide(item: &HashMap<String, AttributeValue>, payload_hash: &str) -> Begin {
    let response = (text(item, "status").as_deref() == Some(COMPLETED))
        .then(|| text(item, "response").and_then(|r| serde_json::from_str(&r).ok()).unwrap_or(Value::Null));
    super::decide(text(item, "payload_hash").as_deref(), payload_hash, response)
}

#[async_trait::async_trait]
impl IdempotencyStore for DynamoIdempotency {
    async fn begin(
        &self,
        key: &str,
        payload_hash: &str,
        in_progress_until: DateTime<Utc>,
    ) -> Result<Begin, IdempotencyError> {
        let now = Utc::now();
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", Self::pk(key))
            .item("status", AttributeValue::S(IN_PROGRESS.into()))
            .item("payload_hash", AttributeValue::S(payload_hash.into()))
            .item("expires_at", AttributeValue::N((now + DEFAULT_TTL).timestamp().to_string()))
            .item("in_progress_expiry", AttributeValue::N(in_progress_until.timestamp_millis().to_string()))
            .condition_expression(
                "attribute_not_exists(pk) OR expires_at < :now \
                 OR (#status = :in_progress AND attribute_exists(in_progress_expiry) AND in_progress_expiry < :now_ms)",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":now", AttributeValue::N(now.timestamp().to_string()))
            .expression_attribute_values(":now_ms", AttributeValue::N(now.timestamp_millis().to_string()))
            .expression_attribute_values(":in_progress", AttributeValue::S(IN_PROGRESS.into()))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(_) => Ok(Begin::Proceed),
            Err(err) => {
                let service = err.as_service_error();
                if let Some(e) = service.filter(|e| e.is_conditional_check_failed_exception()) {
                    let item = match e {
                        aws_sdk_dynamodb::operation::put_item::PutItemError::ConditionalCheckFailedException(c) => {
                            c.item().cloned()
                        }
                        _ => None,
                    };
                    let item = match item {
                        Some(item) => item,
                        None => self.read(key).await?.unwrap_or_default(),
                    };
                    return Ok(decide(&item, payload_hash));
                }
                Err(unavailable(err))
            }
        }
    }

    async fn complete(&self, key: &str, response: &Value) -> Result<(), IdempotencyError> {
        let expires = (Utc::now() + DEFAULT_TTL).timestamp().to_string();
        self.client
            .update_item()
            .table_name(&self.table)
            .key("pk", Self::pk(key))
            .update_expression(
                "SET #status = :completed, #response = :response, expires_at = :expires REMOVE in_progress_expiry",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#response", "response")
            .expression_attribute_values(":completed", AttributeValue::S(COMPLETED.into()))
            .expression_attribute_values(":response", AttributeValue::S(response.to_string()))
            .expression_attribute_values(":expires", AttributeValue::N(expires))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn release(&self, key: &str) -> Result<(), IdempotencyError> {
        self.client.delete_item().table_name(&self.table).key("pk", Self::pk(key)).send().await.map_err(unavailable)?;
        Ok(())
    }
}

impl DynamoIdempotency {
    async fn read(&self, key: &str) -> Result<Option<HashMap<String, AttributeValue>>, IdempotencyError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", Self::pk(key))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        Ok(out.item)
    }
}
