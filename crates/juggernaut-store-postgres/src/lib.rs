//! The PostgreSQL backend of the storage API ([`juggernaut_store::Store`]): one database shared
//! by many worker processes on many machines. Claims take rows with `FOR NO KEY UPDATE SKIP
//! LOCKED`, so claimers never wait on each other; times come from the database clock, so machines
//! agree on expiry; hot paths (claim, complete, enqueue, heartbeat) are one statement each, with
//! their audit events written by data-modifying CTEs in that same statement. Idle workers are
//! woken by `LISTEN/NOTIFY`. Every capability (`capability/`) is safe to call from several
//! processes at once. The file names match the SQLite backend's, one operation per file.

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
mod options;
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
mod upkeep;
mod verify;
mod workers;

pub use migrate::{MIGRATOR, create_database, drop_database};
pub use store::PostgresStore;
