//! Integration tests of the PostgreSQL store: the shared conformance suite on a fresh database
//! per test, then what only this backend has (`backend`), and each coordination operation with
//! the races between processes it must survive (`workers`, `leadership`, `handback`,
//! `schedules`, `lockstep`), and the append-only audit log (`append_only`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use juggernaut_testkit::fresh_postgres;

juggernaut_store::conformance_suite!(fresh_postgres);

mod append_only;
mod backend;
mod handback;
mod leadership;
mod lockstep;
mod schedules;
mod support;
mod workers;
