//! `juggernaut approval list`, `approve` and `reject`'s flags, and who the decision is recorded
//! as (`--as`, else `JUGGERNAUT_ACTOR`, else the OS user, else `cli`).

use super::{id_parser, ranged};
use clap::{Args, Subcommand};

/// The actor recorded when no identity is given.
pub const DEFAULT_ACTOR: &str = "cli";

/// `juggernaut approval ...`
#[derive(Debug, Subcommand)]
pub enum ApprovalCommand {
    /// Tasks waiting for a person's approval, newest first: id, kind, risk, reason, since, title.
    List {
        /// Page size (1-1000).
        #[arg(long, default_value_t = 50, allow_negative_numbers = true, value_parser = ranged::<u32>(1, 1000))]
        limit: u32,
        /// Start below this task id (the previous page's cursor).
        #[arg(long, value_parser = id_parser(), allow_negative_numbers = true)]
        cursor: Option<i64>,
    },
}

/// `juggernaut approve TASK`
#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// Task id (must be waiting_approval).
    #[arg(value_parser = id_parser(), allow_negative_numbers = true)]
    pub id: i64,
    /// Why, for the audit log (optional; at most 2000 bytes).
    #[arg(long, default_value = "")]
    pub reason: String,
    /// Who decides.
    #[command(flatten)]
    pub identity: Identity,
}

/// `juggernaut reject TASK --reason R`
#[derive(Debug, Args)]
pub struct RejectArgs {
    /// Task id (must be waiting_approval).
    #[arg(value_parser = id_parser(), allow_negative_numbers = true)]
    pub id: i64,
    /// Why, for the audit log (required, non-empty; at most 2000 bytes).
    #[arg(long)]
    pub reason: String,
    /// Who decides.
    #[command(flatten)]
    pub identity: Identity,
}

/// Who a decision is recorded as.
#[derive(Debug, Args)]
pub struct Identity {
    /// Your name in the audit log (default: $JUGGERNAUT_ACTOR, else the OS user, else `cli`).
    #[arg(long = "as", value_name = "NAME", env = "JUGGERNAUT_ACTOR")]
    pub actor: Option<String>,
    /// The OS user, the fallback identity.
    #[arg(long = "os-user", env = "USER", hide = true)]
    pub os_user: Option<String>,
}

impl Identity {
    /// The first non-blank of `--as`, `JUGGERNAUT_ACTOR`, `USER`, else [`DEFAULT_ACTOR`].
    pub fn name(&self) -> String {
        [&self.actor, &self.os_user]
            .into_iter()
            .flatten()
            .map(|s| s.trim())
            .find(|s| !s.is_empty())
            .unwrap_or(DEFAULT_ACTOR)
            .to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_identity_falls_back_to_the_os_user_then_cli() {
        let id = |actor: Option<&str>, user: Option<&str>| {
            Identity {
                actor: actor.map(Into::into),
                os_user: user.map(Into::into),
            }
            .name()
        };
        assert_eq!(id(Some("alice"), Some("root")), "alice");
        assert_eq!(id(Some(" "), Some("root")), "root");
        assert_eq!(id(None, None), "cli");
    }
}
