//! Per-test databases on the shared local servers.

use std::str::FromStr;

use leadflow::store::mongo::Mongo;
use leadflow::store::{Db, DbOptions, migrate};
use uuid::Uuid;

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the tests through scripts/test.sh, which starts the local stack")
    })
}

pub(super) fn admin_url() -> String {
    env("DATABASE_URL")
}

pub(super) fn mongodb_uri() -> String {
    env("MONGODB_URI")
}

/// A Postgres database and a Mongo database that exist for one test.
pub(crate) struct TestStack {
    pub pg_name: String,
    pub mongo_name: String,
    pub db: Db,
    pub mongo: Mongo,
}

async fn admin_client() -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(&admin_url(), tokio_postgres::NoTls)
        .await
        .expect("connect to the Postgres of DATABASE_URL");
    tokio::spawn(async move {
        let _ = conn.await;
    });
    client
}

impl TestStack {
    /// Creates both databases and applies the schema.
    pub(crate) async fn new() -> Self {
        let stack = Self::empty().await;
        migrate::run(&stack.db).await.expect("migrations apply to a fresh database");
        stack.mongo.ensure_indexes().await.expect("mongo indexes");
        stack
    }

    /// Creates both databases, with no schema.
    pub(crate) async fn empty() -> Self {
        let id = Uuid::new_v4().simple().to_string();
        let pg_name = format!("lf_test_{id}");
        let mongo_name = format!("lf_test_{}", &id[..16]);
        admin_client().await.batch_execute(&format!("CREATE DATABASE {pg_name}")).await.expect("create test database");
        let mut config = tokio_postgres::Config::from_str(&admin_url()).expect("DATABASE_URL");
        config.dbname(&pg_name);
        let db = Db::from_config(config, &DbOptions { pool_size: 4, ..DbOptions::default() }).expect("pool");
        let mongo = Mongo::connect(&mongodb_uri(), &mongo_name, 4).await.expect("mongo client");
        Self { pg_name, mongo_name, db, mongo }
    }

    pub(crate) fn database_url(&self) -> String {
        let admin = admin_url();
        match admin.rsplit_once('/') {
            Some((base, _)) => format!("{base}/{}", self.pg_name),
            None => admin,
        }
    }
}

impl Drop for TestStack {
    fn drop(&mut self) {
        let pg_name = self.pg_name.clone();
        let mongo_name = self.mongo_name.clone();
        // Drop may run on the test's single-threaded runtime, which this blocks: clean up
        // on a thread with its own runtime and its own clients.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            rt.block_on(async move {
                if let Ok(mongo) = Mongo::connect(&mongodb_uri(), &mongo_name, 1).await {
                    let _ = mongo.database().drop().await;
                }
                if let Ok((client, conn)) = tokio_postgres::connect(&admin_url(), tokio_postgres::NoTls).await {
                    tokio::spawn(async move {
                        let _ = conn.await;
                    });
                    let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)")).await;
                }
            });
        })
        .join();
    }
}
