//! The [`Handler`] trait: how one task kind runs, what it takes, and what proves it ran.

use crate::context::TaskContext;
use crate::gate::Reach;
use crate::input::InputSpec;
use crate::outcome::{Done, HandlerError, Outcome};
use async_trait::async_trait;
use juggernaut_core::RiskLevel;
use std::time::Duration;

/// How long a verification may take unless the kind says otherwise.
pub const VERIFY_TIMEOUT: Duration = Duration::from_secs(30);

/// One task kind's behaviour. Implementations live one per file in the handlers crate and are
/// listed in its `builtin()`.
#[async_trait]
pub trait Handler: Send + Sync + 'static {
    /// The canonical kind this handler serves.
    fn kind(&self) -> &'static str;

    /// Other names that route to this handler (explicit aliases).
    fn aliases(&self) -> &'static [&'static str] {
        &[]
    }

    /// One line for humans: what the kind does.
    fn description(&self) -> &'static str;

    /// The input it takes: a JSON schema and the check every enqueue of the kind passes.
    fn input(&self) -> InputSpec;

    /// Does the work.
    async fn run(&self, ctx: &TaskContext) -> Result<Outcome, HandlerError>;

    /// Checks that a done outcome's evidence proves this kind's work for this attempt (the
    /// shape checks common to all kinds run first). May look outside (re-read a file, ask the
    /// API whether the pull request exists); bounded by [`Handler::verify_timeout`].
    async fn verify(&self, ctx: &TaskContext, done: &Done) -> Result<(), String>;

    /// How long [`Handler::verify`] may take before the attempt fails.
    fn verify_timeout(&self) -> Duration {
        VERIFY_TIMEOUT
    }

    /// Whether [`Handler::verify`] does I/O (asks an API, reads files): then the task shows
    /// `verifying` while it runs. A check of the outcome alone (the run record) is instant and
    /// leaves the task `running`.
    fn verifies_outside(&self) -> bool {
        false
    }

    /// How risky the kind's own work is, before its tools and money count (the gate's `kind`
    /// factor).
    fn risk(&self) -> RiskLevel {
        RiskLevel::Low
    }

    /// What a task of this kind with `input` may do: the permissions its tool calls may use, the
    /// tools it names, the money it may spend. The gate scores it before the task runs, and the
    /// run's tool calls are held to it. Read it leniently: an input the kind would refuse never
    /// runs anyway.
    fn reach(&self, input: &serde_json::Value) -> Reach {
        let _ = input;
        Reach::default()
    }
}
