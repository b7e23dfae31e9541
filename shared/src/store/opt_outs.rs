//! Opt-outs by channel and address (E.164 phone, normalised e-mail).

use tokio_postgres::GenericClient;
use uuid::Uuid;

use super::StoreError;
use super::sql::p;
use crate::domain::Channel;

/// Records the opt-out; returns false when it was already recorded.
pub async fn add(
    c: &impl GenericClient,
    channel: Channel,
    address: &str,
    customer_id: Option<Uuid>,
    source: &str,
) -> Result<bool, StoreError> {
    let rows = c
        .query_typed(
            "INSERT INTO opt_outs (channel, address, customer_id, source) VALUES ($1, $2, $3, $4)
             ON CONFLICT (channel, address) DO NOTHING RETURNING address",
            &[p(&channel.as_str()), p(&address), p(&customer_id), p(&source)],
        )
        .await?;
    Ok(!rows.is_empty())
}

/// Removes the opt-out; returns false when there was none.
pub async fn remove(c: &impl GenericClient, channel: Channel, address: &str) -> Result<bool, StoreError> {
    let rows = c
        .query_typed(
            "DELETE FROM opt_outs WHERE channel = $1 AND address = $2 RETURNING address",
            &[p(&channel.as_str()), p(&address)],
        )
        .await?;
    Ok(!rows.is_empty())
}

pub async fn contains(c: &impl GenericClient, channel: Channel, address: &str) -> Result<bool, StoreError> {
    let rows = c
        .query_typed("SELECT 1 FROM opt_outs WHERE channel = $1 AND address = $2", &[p(&channel.as_str()), p(&address)])
        .await?;
    Ok(!rows.is_empty())
}
