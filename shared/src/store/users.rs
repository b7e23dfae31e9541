//! Staff users and their refresh tokens (sessions).

use chrono::{DateTime, Utc};
use tokio_postgres::{GenericClient, Row};
use uuid::Uuid;

use super::StoreError;
use super::sql::{get, p, parse_req};
use crate::domain::Email;
use crate::domain::text::ShortText;
use crate::domain::user::{NewUser, User};

const COLUMNS: &str = "id, email, name, role, agent_id, disabled, last_login_at, created_at, updated_at";

fn from_row(row: &Row) -> Result<User, StoreError> {
    Ok(User {
        id: get(row, "id")?,
        email: parse_req(row, "email", Email::parse)?,
        name: parse_req(row, "name", ShortText::parse)?,
        role: parse_req(row, "role", str::parse)?,
        agent_id: get(row, "agent_id")?,
        disabled: get(row, "disabled")?,
        last_login_at: get(row, "last_login_at")?,
        created_at: get(row, "created_at")?,
        updated_at: get(row, "updated_at")?,
    })
}

pub async fn insert(c: &impl GenericClient, u: &NewUser, password_hash: &str) -> Result<User, StoreError> {
    let sql = format!(
        "INSERT INTO users (id, email, name, role, agent_id, password_hash) VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING {COLUMNS}"
    );
    let (email, name, role) = (u.email.as_str(), u.name.as_str(), u.role.as_str());
    let rows = c
        .query_typed(&sql, &[p(&Uuid::now_v7()), p(&email), p(&name), p(&role), p(&u.agent_id), p(&password_hash)])
        .await?;
    rows.first().map(from_row).ok_or(StoreError::NotFound("user"))?
}

pub async fn get_user(c: &impl GenericClient, id: Uuid) -> Result<User, StoreError> {
    let rows = c.query_typed(&format!("SELECT {COLUMNS} FROM users WHERE id = $1"), &[p(&id)]).await?;
    rows.first().map(from_row).ok_or(StoreError::NotFound("user"))?
}

/// The user, locked for the transaction. Every change to a user's sessions or record
/// takes this lock first, so a refresh and a revocation (or two admins' edits) of one
/// user happen one after the other and neither works from a stale read.
pub async fn lock_user(c: &impl GenericClient, id: Uuid) -> Result<User, StoreError> {
    let rows = c.query_typed(&format!("SELECT {COLUMNS} FROM users WHERE id = $1 FOR UPDATE"), &[p(&id)]).await?;
    rows.first().map(from_row).ok_or(StoreError::NotFound("user"))?
}

/// The user a refresh token belongs to, without locking (see [`lock_user`]).
pub async fn session_user(c: &impl GenericClient, token_hash: &[u8]) -> Result<Option<Uuid>, StoreError> {
    let rows = c.query_typed("SELECT user_id FROM refresh_tokens WHERE token_hash = $1", &[p(&token_hash)]).await?;
    rows.first().map(|r| get(r, "user_id")).transpose()
}

/// The user with `email` and their password hash, for a sign-in.
pub async fn find_for_login(c: &impl GenericClient, email: &Email) -> Result<Option<(User, String)>, StoreError> {
    let sql = format!("SELECT {COLUMNS}, password_hash FROM users WHERE email = $1");
    let rows = c.query_typed(&sql, &[p(&email.as_str())]).await?;
    rows.first().map(|r| Ok((from_row(r)?, get(r, "password_hash")?))).transpose()
}

pub async fn list(c: &impl GenericClient) -> Result<Vec<User>, StoreError> {
    let rows = c.query_typed(&format!("SELECT {COLUMNS} FROM users ORDER BY created_at, id"), &[]).await?;
    rows.iter().map(from_row).collect()
}

/// Writes the editable fields; `password_hash` only when given.
pub async fn save(c: &impl GenericClient, u: &User, password_hash: Option<&str>) -> Result<User, StoreError> {
    let sql = format!(
        "UPDATE users SET name = $2, role = $3, agent_id = $4, disabled = $5,
             password_hash = COALESCE($6, password_hash), updated_at = now()
         WHERE id = $1 RETURNING {COLUMNS}"
    );
    let (name, role) = (u.name.as_str(), u.role.as_str());
    let rows =
        c.query_typed(&sql, &[p(&u.id), p(&name), p(&role), p(&u.agent_id), p(&u.disabled), p(&password_hash)]).await?;
    rows.first().map(from_row).ok_or(StoreError::NotFound("user"))?
}

pub async fn delete(c: &impl GenericClient, id: Uuid) -> Result<bool, StoreError> {
    Ok(c.query_typed("DELETE FROM users WHERE id = $1 RETURNING id", &[p(&id)]).await?.len() == 1)
}

/// Serialises changes to who is an admin, so two admins demoting each other at once
/// cannot leave none; then counts the enabled admins other than `except`.
pub async fn lock_and_count_other_admins(c: &impl GenericClient, except: Uuid) -> Result<i64, StoreError> {
    c.query_typed("SELECT pg_advisory_xact_lock(hashtext('users:admins')::bigint)", &[]).await?;
    let rows = c
        .query_typed(
            "SELECT count(*) AS n FROM users WHERE role = 'admin' AND NOT disabled AND id <> $1",
            &[p(&except)],
        )
        .await?;
    rows.first().map_or(Ok(0), |r| get(r, "n"))
}

pub async fn record_login(c: &impl GenericClient, id: Uuid, at: DateTime<Utc>) -> Result<(), StoreError> {
    c.query_typed("UPDATE users SET last_login_at = $2 WHERE id = $1", &[p(&id), p(&at)]).await?;
    Ok(())
}

/// A refresh token's row, locked for the transaction.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: Uuid,
    pub family_id: Uuid,
    pub user_id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub spent_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

pub async fn insert_session(
    c: &impl GenericClient,
    family_id: Uuid,
    user_id: Uuid,
    token_hash: &[u8],
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    c.query_typed(
        "INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, expires_at) VALUES ($1, $2, $3, $4, $5)",
        &[p(&Uuid::now_v7()), p(&family_id), p(&user_id), p(&token_hash), p(&expires_at)],
    )
    .await?;
    Ok(())
}

pub async fn lock_session(c: &impl GenericClient, token_hash: &[u8]) -> Result<Option<Session>, StoreError> {
    let rows = c
        .query_typed(
            "SELECT id, family_id, user_id, expires_at, spent_at, revoked_at FROM refresh_tokens
             WHERE token_hash = $1 FOR UPDATE",
            &[p(&token_hash)],
        )
        .await?;
    rows.first()
        .map(|r| {
            Ok(Session {
                id: get(r, "id")?,
                family_id: get(r, "family_id")?,
                user_id: get(r, "user_id")?,
                expires_at: get(r, "expires_at")?,
                spent_at: get(r, "spent_at")?,
                revoked_at: get(r, "revoked_at")?,
            })
        })
        .transpose()
}

pub async fn spend_session(c: &impl GenericClient, id: Uuid, at: DateTime<Utc>) -> Result<(), StoreError> {
    c.query_typed("UPDATE refresh_tokens SET spent_at = $2 WHERE id = $1", &[p(&id), p(&at)]).await?;
    Ok(())
}

pub async fn revoke_family(c: &impl GenericClient, family_id: Uuid, at: DateTime<Utc>) -> Result<u64, StoreError> {
    let rows = c
        .query_typed(
            "UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL RETURNING id",
            &[p(&family_id), p(&at)],
        )
        .await?;
    Ok(rows.len() as u64)
}

/// Ends every session of a user (disabled, role changed, password changed).
pub async fn revoke_all_sessions(c: &impl GenericClient, user_id: Uuid, at: DateTime<Utc>) -> Result<(), StoreError> {
    c.query_typed(
        "UPDATE refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
        &[p(&user_id), p(&at)],
    )
    .await?;
    Ok(())
}

/// Deletes the refresh tokens of sign-ins that have expired; returns how many.
pub async fn prune_sessions(c: &impl GenericClient, now: DateTime<Utc>) -> Result<u64, StoreError> {
    let rows = c.query_typed("DELETE FROM refresh_tokens WHERE expires_at <= $1 RETURNING id", &[p(&now)]).await?;
    Ok(rows.len() as u64)
}
