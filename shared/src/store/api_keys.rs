//! Managed API keys, found by their lookup prefix; the secret is only ever a hash here.

use chrono::{DateTime, Utc};
use tokio_postgres::{GenericClient, Row};
use uuid::Uuid;

use super::StoreError;
use super::sql::{get, p, parse_req};
use crate::domain::access::{Actor, Scope};
use crate::domain::user::{ApiKey, KeyName, NewApiKey};

const COLUMNS: &str = "id, name, prefix, scopes, created_by, created_at, last_used_at, expires_at, revoked_at";

fn from_row(row: &Row) -> Result<ApiKey, StoreError> {
    let scopes: Vec<String> = get(row, "scopes")?;
    let created_by: Option<serde_json::Value> = get(row, "created_by")?;
    Ok(ApiKey {
        id: get(row, "id")?,
        name: parse_req(row, "name", KeyName::parse)?,
        prefix: get(row, "prefix")?,
        scopes: scopes
            .iter()
            .map(|s| s.parse::<Scope>())
            .collect::<Result<_, _>>()
            .map_err(|e| StoreError::Corrupt(format!("api_keys.scopes: {e}")))?,
        created_by: created_by
            .map(serde_json::from_value::<Actor>)
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("api_keys.created_by: {e}")))?,
        created_at: get(row, "created_at")?,
        last_used_at: get(row, "last_used_at")?,
        expires_at: get(row, "expires_at")?,
        revoked_at: get(row, "revoked_at")?,
    })
}

pub async fn insert(c: &impl GenericClient, k: &NewApiKey, prefix: &str, hash: &[u8]) -> Result<ApiKey, StoreError> {
    let sql = format!(
        "INSERT INTO api_keys (id, name, prefix, key_hash, scopes, created_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
    );
    let scopes: Vec<&str> = k.scopes.iter().map(|s| s.as_str()).collect();
    let created_by = k.created_by.as_ref().map(|a| serde_json::to_value(a).unwrap_or_default());
    let rows = c
        .query_typed(
            &sql,
            &[
                p(&Uuid::now_v7()),
                p(&k.name.as_str()),
                p(&prefix),
                p(&hash),
                p(&scopes),
                p(&created_by),
                p(&k.expires_at),
            ],
        )
        .await?;
    rows.first().map(from_row).ok_or(StoreError::NotFound("API key"))?
}

/// Keys newest first, revoked ones included (they stay for the record).
pub async fn list(c: &impl GenericClient) -> Result<Vec<ApiKey>, StoreError> {
    let rows = c.query_typed(&format!("SELECT {COLUMNS} FROM api_keys ORDER BY created_at DESC, id"), &[]).await?;
    rows.iter().map(from_row).collect()
}

/// Revokes a key; the first revocation's time stands.
pub async fn revoke(c: &impl GenericClient, id: Uuid, at: DateTime<Utc>) -> Result<ApiKey, StoreError> {
    let sql = format!("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING {COLUMNS}");
    let rows = c.query_typed(&sql, &[p(&id), p(&at)]).await?;
    rows.first().map(from_row).ok_or(StoreError::NotFound("API key"))?
}

/// The unrevoked key with this lookup prefix, and its stored hash.
pub async fn find(c: &impl GenericClient, prefix: &str) -> Result<Option<(ApiKey, Vec<u8>)>, StoreError> {
    let sql = format!("SELECT {COLUMNS}, key_hash FROM api_keys WHERE prefix = $1 AND revoked_at IS NULL");
    let rows = c.query_typed(&sql, &[p(&prefix)]).await?;
    rows.first().map(|r| Ok((from_row(r)?, get(r, "key_hash")?))).transpose()
}

/// Records a use. Called on a cache miss only, so `last_used_at` is accurate to the
/// cache's lifetime without a write per request.
pub async fn touch(c: &impl GenericClient, id: Uuid, at: DateTime<Utc>) -> Result<(), StoreError> {
    c.query_typed("UPDATE api_keys SET last_used_at = $2 WHERE id = $1", &[p(&id), p(&at)]).await?;
    Ok(())
}

/// A key's name (revoked keys keep theirs), if the key exists.
pub async fn name_of(c: &impl GenericClient, id: Uuid) -> Result<Option<String>, StoreError> {
    let rows = c.query_typed("SELECT name FROM api_keys WHERE id = $1", &[p(&id)]).await?;
    rows.first().map(|r| get(r, "name")).transpose()
}
