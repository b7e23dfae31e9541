//! One item per key and window (`pk = rate#<key>#<window start>`), incremented with a
//! conditional update that refuses once the limit is reached.

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use chrono::Utc;

use super::{RateLimitError, RateLimiter, Window, outcome, window_start};

#[derive(Clone)]
pub struct DynamoRateLimiter {
    client: Client,
    table: String,
}

impl DynamoRateLimiter {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }
}

#[async_trait::async_trait]
impl RateLimiter for DynamoRateLimiter {
    async fn hit(&self, key: &str, limit: u32, window: Duration) -> Result<Window, RateLimitError> {
        let now = Utc::now().timestamp();
        let start = window_start(now, window);
        let expires = start + i64::try_from(window.as_secs()).unwrap_or(0) + 60;
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(format!("rate#{key}#{}#{start}", window.as_secs())))
            .update_expression("ADD hits :one SET expires_at = :expires")
            .condition_expression("attribute_not_exists(hits) OR hits < :limit")
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .expression_attribute_values(":limit", AttributeValue::N(limit.to_string()))
            .expression_attribute_values(":expires", AttributeValue::N(expires.to_string()))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await;
        match result {
            Ok(out) => {
                let hits = out
                    .attributes()
                    .and_then(|a| a.get("hits"))
                    .and_then(|v| v.as_n().ok())
                    .and_then(|n| n.parse::<u32>().ok())
                    .unwrap_or(limit);
                Ok(outcome(true, hits, limit, start, window, now))
            }
            Err(e)
                if e.as_service_error().is_some_and(
                    aws_sdk_dynamodb::operation::update_item::UpdateItemError::is_conditional_check_failed_exception,
                ) =>
            {
                Ok(outcome(false, limit, limit, start, window, now))
            }
            Err(e) => Err(RateLimitError(DisplayErrorContext(e).to_string())),
        }
    }
}
