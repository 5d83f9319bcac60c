//! The queue's cases, by area: enqueueing, dependencies, the life cycle, fencing, concurrency,
//! hand-backs, the richer outcomes (children, external waits, approvals), and `verifying`.

pub mod concurrency;
pub mod deps;
pub mod enqueue;
pub mod fencing;
pub mod handback;
pub mod lifecycle;
pub mod outcomes;
pub mod verifying;
