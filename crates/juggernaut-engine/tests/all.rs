//! Integration tests of the engine: real dispatchers over real stores.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod dispatcher;
mod escalator;
mod experiments;
mod forecast;
mod gate;
mod learner;
mod maintenance;
mod node;
mod planner;
mod proactive;
mod sampler;
mod verifying;
