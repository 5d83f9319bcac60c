//! The queue's cases, by area: enqueueing, dependencies, the life cycle, fencing, concurrency,
//! hand-backs, and the richer outcomes (children, external waits, approvals).

pub mod concurrency;
pub mod deps;
pub mod enqueue;
pub mod fencing;
pub mod handback;
pub mod lifecycle;
pub mod outcomes;
