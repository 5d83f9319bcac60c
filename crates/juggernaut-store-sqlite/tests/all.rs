//! Integration tests of the SQLite store: the shared conformance suite on a real file per test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use juggernaut_testkit::sqlite_fixture;

juggernaut_store::conformance_suite!(sqlite_fixture);
