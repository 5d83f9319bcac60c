//! Built-in handlers, one file each. Add a handler here and one line in
//! [`crate::registry::builtin`].

pub mod maintenance;
pub mod noop;
