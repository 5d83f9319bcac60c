//! Exit codes (SPEC §3a): 0 success, 1 a failure of the work, 2 bad usage or bad input.

use juggernaut_app::AppError;
use juggernaut_core::DomainError;
use juggernaut_engine::EngineError;
use juggernaut_handler::RegistryError;
use juggernaut_store::StoreError;

/// The work failed.
pub const FAILURE: u8 = 1;
/// The input or usage was wrong.
pub const BAD_INPUT: u8 = 2;

/// An input error found by the CLI itself (a malformed flag value).
#[derive(Debug)]
pub struct BadInput(pub String);

impl std::fmt::Display for BadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadInput {}

/// The exit code for an error.
pub fn code_for(e: &anyhow::Error) -> u8 {
    for cause in e.chain() {
        if cause.is::<BadInput>() || cause.is::<DomainError>() || cause.is::<RegistryError>() {
            return BAD_INPUT;
        }
        if let Some(a) = cause.downcast_ref::<AppError>() {
            return if a.is_bad_input() { BAD_INPUT } else { FAILURE };
        }
        if let Some(s) = cause.downcast_ref::<StoreError>() {
            return if s.is_bad_input() { BAD_INPUT } else { FAILURE };
        }
        if let Some(s) = cause.downcast_ref::<EngineError>() {
            return if s.is_bad_input() { BAD_INPUT } else { FAILURE };
        }
    }
    FAILURE
}
