//! Leadflow: an AI front desk for a business's inbound leads.
//!
//! `domain` is pure; `store` keeps it in Postgres and MongoDB; `api` exposes it over
//! HTTP; `app` wires everything once per execution environment.

pub mod ai;
pub mod api;
pub mod app;
pub mod auth;
pub mod bus;
pub mod channels;
pub mod cli;
pub mod config;
pub mod domain;
pub mod idempotency;
pub mod integrations;
pub mod provider_log;
pub mod queue;
pub mod ratelimit;
pub mod server;
pub mod services;
pub mod store;
pub mod telemetry;
pub mod workers;
