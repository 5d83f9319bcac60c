//! The network tools against real servers on 127.0.0.1 (axum, and a small SMTP sink), each
//! started by its test and stopped with the test's runtime.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod fetch;
mod http;
mod notify;
mod search;
mod support;
