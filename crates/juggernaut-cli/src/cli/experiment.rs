//! `juggernaut experiment add|list|show|stop`'s flags: an experiment from flags or a spec file
//! (`--file spec.toml|spec.json`, which may also give the follow-up templates), a page of them,
//! one with its points and conclusion, and a person's stop with a reason.

use super::approval::Identity;
use super::{id_parser, ranged};
use clap::{Args, Subcommand};

/// `juggernaut experiment ...`
#[derive(Debug, Subcommand)]
pub enum ExperimentCommand {
    /// Start an experiment: from --file, or from the flags.
    Add(ExperimentAddArgs),
    /// Experiments newest first: id, status, iteration, name, verdict, winner.
    List {
        /// Only this status: running, concluded or stopped.
        #[arg(long)]
        status: Option<String>,
        /// Page size (1-1000).
        #[arg(long, default_value_t = 50, allow_negative_numbers = true, value_parser = ranged::<u32>(1, 1000))]
        limit: u32,
        /// Start below this experiment id (the previous page's cursor).
        #[arg(long, value_parser = id_parser(), allow_negative_numbers = true)]
        cursor: Option<i64>,
    },
    /// One experiment: its spec, latest points per variant and conclusion.
    Show {
        /// Experiment id.
        #[arg(value_parser = id_parser(), allow_negative_numbers = true)]
        id: i64,
    },
    /// Stop a running experiment (no conclusion, no follow-up tasks).
    Stop {
        /// Experiment id.
        #[arg(value_parser = id_parser(), allow_negative_numbers = true)]
        id: i64,
        /// Why, for the audit log (1-2000 bytes).
        #[arg(long)]
        reason: String,
        /// Who stops it.
        #[command(flatten)]
        identity: Identity,
    },
}

/// `juggernaut experiment add`
#[derive(Debug, Args)]
pub struct ExperimentAddArgs {
    /// A spec file (`.toml` or `.json`) with every field; no other spec flag may be given.
    #[arg(long, conflicts_with_all = ["name", "hypothesis", "goal", "control", "variants", "source", "query"])]
    pub file: Option<std::path::PathBuf>,
    /// Its name.
    #[arg(long)]
    pub name: Option<String>,
    /// What it tests.
    #[arg(long)]
    pub hypothesis: Option<String>,
    /// The goal it serves.
    #[arg(long, value_parser = id_parser(), allow_negative_numbers = true)]
    pub goal: Option<i64>,
    /// The control variant, as NAME or NAME:WEIGHT.
    #[arg(long)]
    pub control: Option<String>,
    /// A treatment variant, as NAME or NAME:WEIGHT (repeat for more).
    #[arg(long = "variant")]
    pub variants: Vec<String>,
    /// The data source the metric query runs on.
    #[arg(long)]
    pub source: Option<String>,
    /// Read-only SQL returning one row `successes, trials`, naming the variant as {{variant}}.
    #[arg(long)]
    pub query: Option<String>,
    /// Trials each variant needs before the rule is looked at.
    #[arg(long, default_value_t = 100, value_parser = ranged::<u64>(1, 1_000_000_000))]
    pub min_sample: u64,
    /// The longest it runs, in seconds; then it is inconclusive.
    #[arg(long, default_value_t = 14 * 86_400, value_parser = ranged::<u64>(60, 366 * 86_400))]
    pub max_duration_secs: u64,
    /// Seconds between iterations.
    #[arg(long, default_value_t = 3600, value_parser = ranged::<u64>(10, 7 * 86_400))]
    pub interval_secs: u64,
    /// The stopping rule's error rate (above 0, at most 0.2).
    #[arg(long, default_value_t = 0.05)]
    pub alpha: f64,
    /// The largest acceptable expected loss, in conversion rate (above 0, below 1).
    #[arg(long, default_value_t = 0.005)]
    pub max_loss: f64,
    /// Who starts it.
    #[command(flatten)]
    pub identity: Identity,
}
