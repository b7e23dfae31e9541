//! Migrations: applied once, recorded, re-runs are no-ops, edits are refused.

use leadflow::store::migrate::{self, MIGRATIONS, MigrateError};

use crate::common::TestStack;

#[tokio::test]
async fn applies_everything_once_then_nothing() {
    let stack = TestStack::empty().await;
    let first = migrate::run(&stack.db).await.unwrap();
    assert_eq!(first.len(), MIGRATIONS.len());
    let second = migrate::run(&stack.db).await.unwrap();
    assert!(second.is_empty(), "re-running applies nothing");
    let conn = stack.db.conn().await.unwrap();
    let rows = conn.query("SELECT version FROM schema_migrations ORDER BY version", &[]).await.unwrap();
    assert_eq!(rows.len(), MIGRATIONS.len());
}

#[tokio::test]
async fn concurrent_runs_apply_each_migration_once() {
    let stack = TestStack::empty().await;
    let (a, b) = tokio::join!(migrate::run(&stack.db), migrate::run(&stack.db));
    let applied = a.unwrap().len() + b.unwrap().len();
    assert_eq!(applied, MIGRATIONS.len());
}

#[tokio::test]
async fn an_edited_applied_migration_is_refused() {
    let stack = TestStack::new().await;
    let conn = stack.db.conn().await.unwrap();
    conn.execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1", &[]).await.unwrap();
    match migrate::run(&stack.db).await {
        Err(MigrateError::Changed(name)) => assert_eq!(name, MIGRATIONS[0].name),
        other => panic!("expected a refusal, got {other:?}"),
    }
}
