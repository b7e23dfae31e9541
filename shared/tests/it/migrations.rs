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

/// Issue 8, item 11: a start with nothing to apply says nothing (it printed
/// `NOTICE: relation "schema_migrations" already exists` every time).
#[tokio::test]
async fn a_start_with_nothing_to_apply_raises_no_notice() {
    let stack = TestStack::empty().await;
    let (mut client, mut connection) =
        tokio_postgres::connect(&stack.database_url(), tokio_postgres::NoTls).await.unwrap();
    let (notices_tx, mut notices) = tokio::sync::mpsc::unbounded_channel();
    let driver = tokio::spawn(async move {
        while let Some(message) = std::future::poll_fn(|cx| connection.poll_message(cx)).await {
            if let Ok(tokio_postgres::AsyncMessage::Notice(notice)) = message {
                let _ = notices_tx.send(notice.message().to_owned());
            }
        }
    });
    assert_eq!(migrate::apply(&mut client).await.unwrap().len(), MIGRATIONS.len());
    while notices.try_recv().is_ok() {} // the migrations' own DDL may speak on the first run
    assert!(migrate::apply(&mut client).await.unwrap().is_empty());
    client.simple_query("SELECT 1").await.unwrap(); // every notice of the run has arrived
    let said: Vec<String> = std::iter::from_fn(|| notices.try_recv().ok()).collect();
    assert!(said.is_empty(), "notices on a start with nothing to apply: {said:?}");
    drop(client);
    driver.await.unwrap();
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
