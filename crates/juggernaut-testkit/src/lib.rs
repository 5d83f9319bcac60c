//! Test support shared by every crate's tests: a fresh SQLite file or a fresh PostgreSQL database
//! per test, each removed when the test's handle drops.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod sqlite;

pub use sqlite::fresh_sqlite;
