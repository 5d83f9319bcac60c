//! The execution API. [`Handler`] is the one trait every task kind implements: it declares its
//! input as a type (validated at enqueue, described by a JSON schema for planners), runs with a
//! [`TaskContext`] of narrow handles, and returns an [`Outcome`]: done with evidence, done and
//! spawning child tasks, waiting for something outside, or asking for approval. [`Registry`] is
//! the one explicit list of handlers (kinds and aliases); [`verifier`] decides, bounded in time,
//! whether a done outcome's evidence proves the work. The built-in handlers live in their own
//! crate; the binary wires them.

pub mod context;
pub mod gate;
pub mod handler;
pub mod input;
pub mod lessons;
pub mod outcome;
pub mod registry;
pub mod verifier;

pub use context::{Housekeeping, TaskContext};
pub use handler::Handler;
pub use input::{InputError, InputSpec, TaskInput};
pub use outcome::{Done, HandlerError, Outcome};
pub use registry::{Registry, RegistryError};
