//! Persistence. Postgres (tokio-postgres over a deadpool pool) is the system of record;
//! MongoDB keeps conversation history and domain events.
//!
//! Statements: every query goes through `query_typed` (the unnamed-statement extended
//! protocol, one round trip, parameter types given by us). No named prepared statements
//! are created, so a connection is never pinned behind RDS Proxy or PgBouncer in
//! transaction mode; the price is that Postgres plans each query anew, which at this
//! product's query sizes costs microseconds.

mod error;
mod page;
mod pg;
mod sql;

pub mod analytics;
pub mod api_keys;
pub mod booking_offers;
pub mod booking_reminders;
pub mod bookings;
pub mod conversations;
pub mod customers;
pub mod follow_ups;
pub mod inbox;
pub mod leads;
pub mod migrate;
pub mod mongo;
pub mod opt_outs;
pub mod outbox;
pub mod payments;
pub mod provider_status;
pub mod qualifications;
pub mod sequences;
pub mod settings;
pub mod suppressions;
pub mod tasks;
pub mod teams;
pub mod users;
pub mod webhook_deliveries;
pub mod webhook_endpoints;

pub use error::StoreError;
pub use page::{Cursor, Page, PageRequest, Scope};
pub use pg::{Db, DbOptions};
