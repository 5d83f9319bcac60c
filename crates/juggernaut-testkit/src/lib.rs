//! Test support shared by every crate's tests: a fresh SQLite file or a fresh PostgreSQL database
//! per test, each removed when the test's handle drops; a fake OpenAI-compatible server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod fake_github;
pub mod fake_llm;
#[cfg(feature = "postgres")]
pub mod postgres;
pub mod sqlite;

#[cfg(feature = "postgres")]
pub use postgres::fresh_postgres;
pub use sqlite::{fresh_sqlite, fresh_sqlite_url, open_sqlite, sqlite_fixture};
