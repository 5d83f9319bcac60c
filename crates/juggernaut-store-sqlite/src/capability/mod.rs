//! [`SqliteStore`](crate::SqliteStore)'s implementation of each capability of the storage API,
//! one file per capability (the same names as the trait crate's and the PostgreSQL backend's),
//! each delegating to the operation files.

mod admin;
mod costs;
mod escalations;
mod experiments;
mod goals;
mod leadership;
mod learnings;
mod queue;
mod reads;
mod reports;
mod retention;
mod schedules;
mod tokens;
mod tool_calls;
mod workers;
