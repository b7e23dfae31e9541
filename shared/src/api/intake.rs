//! What the receive route and the provider webhooks share: intake that runs to
//! completion once started, and its response body.

use serde_json::{Value, json};

use super::error::ApiError;
use crate::app::AppState;
use crate::channels::InboundMessage;
use crate::domain::access::Actor;
use crate::services::actor::acting_as;
use crate::services::intake::Accepted;

/// Accepts `inbound` (once per `key`, see the intake service) on a task of its own: a
/// client that disconnects drops this handler's future, but not the intake, so the
/// message is stored, its processing queued and the idempotency record completed either
/// way, and the client's retry gets the first answer.
pub(crate) async fn accept_detached(
    state: &AppState,
    actor: Option<Actor>,
    key: Option<String>,
    payload_hash: String,
    deadline: chrono::DateTime<chrono::Utc>,
    inbound: InboundMessage,
    respond: impl FnOnce(&Accepted) -> Value + Send + 'static,
) -> Result<Value, ApiError> {
    let state = state.clone();
    let work = tokio::spawn(async move {
        let intake = state.intake();
        let accept = intake.accept_once(key, &payload_hash, deadline, inbound, respond);
        match actor {
            Some(actor) => acting_as(actor, accept).await,
            None => accept.await,
        }
    });
    match work.await {
        Ok(result) => result.map_err(ApiError::from),
        Err(e) => Err(ApiError::internal(format!("intake task failed: {e}"))),
    }
}

pub(crate) fn accepted_json(a: &Accepted) -> Value {
    json!({"message_id": a.message_id, "customer_id": a.customer_id, "lead_id": a.lead_id})
}
