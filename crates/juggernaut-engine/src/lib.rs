//! Juggernaut's runtime: the [`Dispatcher`] claims tasks for local slots, runs them through the
//! handlers of a `juggernaut_handler::Registry` and the verifier, keeps their leases alive, and
//! records what came of them with fencing; a [`Node`] is one process (worker registration,
//! heartbeats, leadership of the singleton loops); [`events`] is the one stream of what the
//! engine does, feeding logs, [`metrics`] and live subscribers; [`idle`] says why each loop is
//! quiet.

pub mod dispatcher;
pub mod error;
pub mod events;
pub mod idle;
pub mod metrics;
pub mod node;

pub use dispatcher::{Dispatcher, DispatcherConfig};
pub use error::EngineError;
pub use node::{LeaderConfig, Node, NodeConfig};
