//! `juggernaut learning list|show|edit|retire`'s flags: what terminal tasks taught (filtered by
//! kind, outcome and tag; retired ones with `--all`), one learning, a person's edit of its
//! summary and tags, and retiring it (or bringing it back with `--undo`). Changes are recorded
//! as `--as` (else `JUGGERNAUT_ACTOR`, else the OS user, else `cli`).

use super::approval::Identity;
use super::{id_parser, ranged};
use clap::Subcommand;

/// `juggernaut learning ...`
#[derive(Debug, Subcommand)]
pub enum LearningCommand {
    /// Learnings newest first (retired ones only with --all): id, kind, outcome, count, last
    /// seen, tags, title.
    List {
        /// Only this task kind.
        #[arg(long)]
        kind: Option<String>,
        /// Only this outcome: succeeded, failed, dead or cancelled.
        #[arg(long)]
        outcome: Option<String>,
        /// Only learnings with this tag.
        #[arg(long)]
        tag: Option<String>,
        /// Retired ones too.
        #[arg(long)]
        all: bool,
        /// Page size (1-1000).
        #[arg(long, default_value_t = 50, allow_negative_numbers = true, value_parser = ranged::<u32>(1, 1000))]
        limit: u32,
        /// Start below this learning id (the previous page's `more: --before N`).
        #[arg(long, value_parser = id_parser(), allow_negative_numbers = true)]
        before: Option<i64>,
    },
    /// One learning: its fingerprint, summary, error, tools, counts and who changed it.
    Show {
        /// Learning id.
        #[arg(value_parser = id_parser(), allow_negative_numbers = true)]
        id: i64,
    },
    /// Edit a learning's summary and/or tags (later captures keep your edit).
    Edit {
        /// Learning id.
        #[arg(value_parser = id_parser(), allow_negative_numbers = true)]
        id: i64,
        /// The new summary (1-2000 bytes).
        #[arg(long)]
        summary: Option<String>,
        /// The new tags, comma-separated (replacing the old; "" clears them).
        #[arg(long)]
        tags: Option<String>,
        /// Who edits.
        #[command(flatten)]
        identity: Identity,
    },
    /// Retire a learning: it stays listed with --all but no prompt shows it again.
    Retire {
        /// Learning id.
        #[arg(value_parser = id_parser(), allow_negative_numbers = true)]
        id: i64,
        /// Bring a retired learning back instead.
        #[arg(long)]
        undo: bool,
        /// Who retires.
        #[command(flatten)]
        identity: Identity,
    },
}
