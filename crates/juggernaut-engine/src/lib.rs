//! Juggernaut's runtime. [`Handler`] is the one trait every task kind implements; [`Registry`]
//! is the one explicit list of them; [`verifier`] decides whether a handler's evidence proves its
//! work; [`Dispatcher`] claims tasks for local slots, runs them, keeps their leases alive, and
//! completes or fails them with fencing.

pub mod dispatcher;
pub mod error;
pub mod events;
pub mod handler;
pub mod handlers;
pub mod idle;
pub mod node;
pub mod registry;
pub mod verifier;

pub use dispatcher::{DispatchStats, Dispatcher, DispatcherConfig};
pub use error::EngineError;
pub use handler::{Handler, HandlerError, Outcome, TaskContext};
pub use node::{LeaderConfig, Node, NodeConfig};
pub use registry::Registry;
