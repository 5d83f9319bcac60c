//! Data sources against real counterparts: a SQLite file in a temporary folder, a fresh
//! PostgreSQL database with a role that can only read, and an HTTP server on loopback; metric
//! reads and the `sql_query` tool.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod http;
mod postgres;
mod sql_query;
mod sqlite;
