//! Integration tests against the real local stack. `scripts/test.sh` starts Postgres,
//! SecantusDB and moto and exports DATABASE_URL, MONGODB_URI and AWS_ENDPOINT_URL.
//! Every test gets its own Postgres database and Mongo database, dropped afterwards.

mod common;

mod abandoned;
mod access;
mod analytics;
mod auto_replies;
mod aws;
mod bookings;
mod conversations_api;
mod cors;
mod crm;
mod defects;
mod defects_inputs;
mod email_modes;
mod follow_ups;
mod google_calendar;
mod health;
mod inbound;
mod jwks;
mod lambda;
mod leads_api;
mod local_server;
mod messages_api;
mod migrations;
mod openai;
mod openai_booking;
mod openai_follow_up;
mod openapi;
mod outbound_webhooks;
mod outbox;
mod readme;
mod replies;
mod routing;
mod salesforce;
mod store;
mod stripe;
mod suppressions;
mod tasks_api;
mod web_dashboard;
mod workers;
