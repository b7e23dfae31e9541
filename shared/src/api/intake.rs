//! Idempotent intake shared by the receive route and the provider webhooks: one record per
//! provider message id; a redelivery gets the first answer, a concurrent one a 409.

use serde_json::{Value, json};

use super::error::ApiError;
use crate::app::AppState;
use crate::channels::InboundMessage;
use crate::idempotency::Begin;
use crate::intake::{Accepted, IntakeError, accept};

impl From<IntakeError> for ApiError {
    fn from(e: IntakeError) -> Self {
        match e {
            IntakeError::NoContact => ApiError::validation("customer.email", "an email or a phone is required"),
            IntakeError::Store(s) => s.into(),
        }
    }
}

/// Accepts `inbound`, once per `key` (when the provider gave an id). Returns the response
/// body: the saved one for a redelivery.
pub async fn accept_once(
    state: &AppState,
    key: Option<String>,
    payload_hash: &str,
    deadline: chrono::DateTime<chrono::Utc>,
    inbound: InboundMessage,
    respond: impl FnOnce(&Accepted) -> Value,
) -> Result<Value, ApiError> {
    let Some(key) = key else {
        let accepted = accept(state, inbound, chrono::Utc::now()).await?;
        return Ok(respond(&accepted));
    };
    let begun = state
        .idempotency
        .begin(&key, payload_hash, deadline)
        .await
        .map_err(|e| ApiError::unavailable(e.to_string()))?;
    match begun {
        Begin::Completed(saved) => Ok(saved),
        Begin::InProgress => Err(ApiError::conflict("this message is being received right now; retry shortly")),
        Begin::PayloadMismatch => {
            Err(ApiError::validation("external_id", "external_id was already used for a different message"))
        }
        Begin::Proceed => match accept(state, inbound, chrono::Utc::now()).await {
            Ok(accepted) => {
                let body = respond(&accepted);
                if let Err(e) = state.idempotency.complete(&key, &body).await {
                    tracing::warn!(%key, error = %e, "could not save the idempotent response");
                }
                Ok(body)
            }
            Err(e) => {
                let _ = state.idempotency.release(&key).await;
                Err(e.into())
            }
        },
    }
}

pub fn accepted_json(a: &Accepted) -> Value {
    json!({"message_id": a.message_id, "customer_id": a.customer_id, "lead_id": a.lead_id})
}
