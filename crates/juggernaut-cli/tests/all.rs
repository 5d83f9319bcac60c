//! Integration tests of the `juggernaut` binary: real processes on real database files.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod approvals;
mod audit;
mod bad_input;
mod bench;
mod browser;
mod cluster;
mod crash;
mod demo;
mod doctor;
mod escalations;
mod experiments;
mod gate;
mod goals;
mod hardening;
mod input;
mod learnings;
mod llm;
mod report;
mod secrets;
mod sources;
mod support;
mod tasks;
mod tokens;
mod up;
