//! Integration tests against the real local stack. `scripts/test.sh` starts Postgres,
//! SecantusDB and moto and exports DATABASE_URL, MONGODB_URI and AWS_ENDPOINT_URL.
//! Every test gets its own Postgres database and Mongo database, dropped afterwards.

mod common;

mod crm;
mod health;
mod lambda;
mod migrations;
mod store;
