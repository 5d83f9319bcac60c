//! `juggernaut escalation list` and `ack`'s flags: open escalations (or all), and a person's
//! acknowledgement, recorded as `--as` (else `JUGGERNAUT_ACTOR`, else the OS user, else `cli`).

use super::approval::Identity;
use super::{id_parser, ranged};
use clap::Subcommand;

/// `juggernaut escalation ...`
#[derive(Debug, Subcommand)]
pub enum EscalationCommand {
    /// Escalations newest first (open ones unless --all): id, level, kind, count, last raised,
    /// acknowledged, message.
    List {
        /// Acknowledged ones too.
        #[arg(long)]
        all: bool,
        /// Page size (1-1000).
        #[arg(long, default_value_t = 50, allow_negative_numbers = true, value_parser = ranged::<u32>(1, 1000))]
        limit: u32,
        /// Start below this escalation id (the previous page's cursor).
        #[arg(long, value_parser = id_parser(), allow_negative_numbers = true)]
        cursor: Option<i64>,
    },
    /// Acknowledge an open escalation: a person has seen it (raising its key again opens a new
    /// one).
    Ack {
        /// Escalation id (must be open).
        #[arg(value_parser = id_parser(), allow_negative_numbers = true)]
        id: i64,
        /// What you did or found, for the audit log (optional; at most 2000 bytes).
        #[arg(long, default_value = "")]
        note: String,
        /// Who acknowledges.
        #[command(flatten)]
        identity: Identity,
    },
}
