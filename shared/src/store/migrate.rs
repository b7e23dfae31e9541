//! Schema migrations: the numbered files of `infra/migrations`, compiled in, applied in
//! order inside one transaction under an advisory lock, and recorded with a checksum.
//! Re-running applies nothing; an edited, already-applied file is refused.

use sha2::{Digest, Sha256};

use super::sql::p;
use super::{Db, StoreError};

pub struct Migration {
    pub version: i32,
    pub name: &'static str,
    pub sql: &'static str,
}

macro_rules! migration {
    ($version:literal, $file:literal) => {
        Migration { version: $version, name: $file, sql: include_str!(concat!("../../../infra/migrations/", $file)) }
    };
}

/// Every migration, oldest first. A test checks this matches the directory.
pub const MIGRATIONS: &[Migration] = &[
    migration!(1, "0001_init.sql"),
    migration!(2, "0002_conversations.sql"),
    migration!(3, "0003_qualifications.sql"),
    migration!(4, "0004_outbox.sql"),
    migration!(5, "0005_bookings.sql"),
    migration!(6, "0006_follow_ups.sql"),
    migration!(7, "0007_suppressions.sql"),
    migration!(8, "0008_reply_quality.sql"),
    migration!(9, "0009_access.sql"),
    migration!(10, "0010_webhooks.sql"),
    migration!(11, "0011_deposits.sql"),
    migration!(12, "0012_inbox.sql"),
    migration!(13, "0013_analytics.sql"),
    migration!(14, "0014_deposit_requeues.sql"),
];

const LOCK_KEY: i64 = 0x4c45_4144_464c_4f57; // "LEADFLOW"

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("migration {0} was changed after it was applied; add a new migration instead")]
    Changed(String),
    #[error("migration {name} failed: {source}")]
    Failed { name: String, source: StoreError },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn checksum(sql: &str) -> String {
    hex::encode(Sha256::digest(sql.as_bytes()))
}

/// Applies pending migrations; returns the names of those applied now.
pub async fn run(db: &Db) -> Result<Vec<&'static str>, MigrateError> {
    let mut conn = db.conn().await?;
    apply(&mut conn).await
}

/// [`run`] on a connection of the caller's.
pub async fn apply(client: &mut tokio_postgres::Client) -> Result<Vec<&'static str>, MigrateError> {
    let tx = client.transaction().await.map_err(StoreError::from)?;
    tx.query_typed("SELECT pg_advisory_xact_lock($1)", &[p(&LOCK_KEY)]).await.map_err(StoreError::from)?;
    // Created only when absent: `IF NOT EXISTS` would make every start log a NOTICE
    // saying the table exists, which reads like a problem and is not one.
    let exists = tx
        .query_typed("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])
        .await
        .map_err(StoreError::from)?
        .first()
        .is_some_and(|row| row.get::<_, bool>(0));
    if !exists {
        tx.batch_execute(
            "CREATE TABLE schema_migrations (
            version    integer PRIMARY KEY,
            name       text NOT NULL,
            checksum   text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )",
        )
        .await
        .map_err(StoreError::from)?;
    }
    let rows =
        tx.query_typed("SELECT version, checksum FROM schema_migrations", &[]).await.map_err(StoreError::from)?;
    let applied: Vec<(i32, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();

    let mut now_applied = Vec::new();
    for m in MIGRATIONS {
        let sum = checksum(m.sql);
        if let Some((_, existing)) = applied.iter().find(|(v, _)| *v == m.version) {
            if *existing != sum {
                return Err(MigrateError::Changed(m.name.to_owned()));
            }
            continue;
        }
        tx.batch_execute(m.sql)
            .await
            .map_err(|e| MigrateError::Failed { name: m.name.to_owned(), source: e.into() })?;
        tx.query_typed(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
            &[p(&m.version), p(&m.name), p(&sum)],
        )
        .await
        .map_err(StoreError::from)?;
        now_applied.push(m.name);
    }
    tx.commit().await.map_err(StoreError::from)?;
    Ok(now_applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_is_listed_in_order() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../infra/migrations");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        files.sort();
        let listed: Vec<&str> = MIGRATIONS.iter().map(|m| m.name).collect();
        assert_eq!(files, listed);
        // Versions only increase; applying is by version, so a number that lands after a
        // later one (branches merged out of order) is still applied.
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert!(i == 0 || m.version > MIGRATIONS[i - 1].version, "{} is out of order", m.name);
            assert!(m.name.starts_with(&format!("{:04}_", m.version)));
        }
    }
}
