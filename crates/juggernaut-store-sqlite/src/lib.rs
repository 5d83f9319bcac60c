//! The SQLite backend of the storage API ([`juggernaut_store::Store`]): an embedded file, no
//! server. Writes go through `BEGIN IMMEDIATE` transactions on one writer connection, so claims
//! never race; reads use a separate pool. The file names match the PostgreSQL backend's, one
//! operation per file; `capability/` implements each trait of the API.

mod approval;
mod audit;
mod audit_read;
mod block;
mod cancel;
mod capability;
mod children;
mod claim;
mod complete;
mod costs;
mod enqueue;
mod error;
mod escalation_scan;
mod escalations;
mod experiment_runs;
mod experiments;
mod external;
mod fail;
mod fence;
mod goal_edit;
mod goals;
mod heartbeat;
mod leader;
mod learning_capture;
mod learnings;
mod migrate;
mod plans;
mod promote;
mod prune;
mod read;
mod release;
mod replan;
mod reports;
mod requeue;
mod rescue;
mod row;
mod schedules;
mod store;
mod time;
mod tokens;
mod tool_calls;
mod verify;
mod workers;

pub use migrate::MIGRATOR;
pub use store::SqliteStore;
