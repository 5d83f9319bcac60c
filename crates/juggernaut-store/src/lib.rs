//! The storage boundary. [`Store`] is the one trait every backend implements (SQLite embedded,
//! PostgreSQL shared); [`conformance`] is the one suite every backend must pass. Nothing here knows
//! SQL: the backends own that, with the same file names and one operation per file.

pub mod api;
pub mod conformance;
pub mod coordination;
pub mod entry;
pub mod error;
pub mod store;
pub mod url;

pub use api::*;
pub use coordination::{
    BadSchedule, Coordination, LeaderInfo, LostWorker, Schedules, WorkerRecord, WorkerRegistration,
};
pub use error::StoreError;
pub use store::Store;
