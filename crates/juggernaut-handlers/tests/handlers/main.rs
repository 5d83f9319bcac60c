//! The built-in tool-calling handlers run for real: a dispatcher over a fresh SQLite store, the
//! real tools (files, shell, SQL on a data file, HTTP and webhooks to local servers), tasks
//! enqueued, claimed and verified as in production; and inputs refused at enqueue.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod analysis;
mod experiment_step;
mod http;
mod notify;
mod report;
mod shell;
mod support;
mod workflow;
