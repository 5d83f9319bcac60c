//! `juggernaut goal ...`'s flags.

use super::{id_parser, ranged};
use clap::{Args, Subcommand};

/// `juggernaut goal ...`
#[derive(Debug, Subcommand)]
pub enum GoalCommand {
    /// Add a goal (active at once; the planner plans it).
    Add(Box<GoalArgs>),
    /// List goals, newest first.
    List {
        /// Only these statuses (repeatable: active, paused, achieved, missed, cancelled).
        #[arg(long)]
        status: Vec<String>,
        /// Only goals with this tag.
        #[arg(long)]
        tag: Option<String>,
        /// Page size (1-1000).
        #[arg(long, default_value_t = 50, allow_negative_numbers = true, value_parser = ranged::<u32>(1, 1000))]
        limit: u32,
    },
    /// One goal: progress, current plan, open tasks, and why nothing is happening if nothing is.
    Show {
        /// Goal id.
        #[arg(value_parser = id_parser(), allow_negative_numbers = true)]
        id: i64,
    },
    /// Hold a goal: it is not planned while paused.
    Pause(GoalChange),
    /// Let a paused goal be planned again.
    Resume(GoalChange),
    /// Abandon a goal.
    Cancel(GoalChange),
    /// Change some of an active or paused goal's fields; the planner looks at it again.
    Edit(GoalEditArgs),
    /// Ask the planner to plan an active goal again (after its open tasks end).
    Replan(GoalChange),
    /// The goal's current plan (`--diff`: what changed since the previous version).
    Plan {
        /// Goal id.
        #[arg(value_parser = id_parser(), allow_negative_numbers = true)]
        id: i64,
        /// Show what changed from the previous plan.
        #[arg(long)]
        diff: bool,
    },
    /// The goal's metric readings, oldest first.
    Progress {
        /// Goal id.
        #[arg(value_parser = id_parser(), allow_negative_numbers = true)]
        id: i64,
        /// Most readings (the newest), 1-10000.
        #[arg(long, default_value_t = 100, value_parser = ranged::<u32>(1, 10_000))]
        limit: u32,
    },
    /// Record a reading by hand (a goal whose target it meets is achieved).
    SetProgress {
        /// Goal id.
        #[arg(value_parser = id_parser(), allow_negative_numbers = true)]
        id: i64,
        /// The value.
        #[arg(allow_negative_numbers = true)]
        value: f64,
    },
}

/// `juggernaut goal pause|resume|cancel ID`
#[derive(Debug, Args)]
pub struct GoalChange {
    /// Goal id.
    #[arg(value_parser = id_parser(), allow_negative_numbers = true)]
    pub id: i64,
    /// Why, for the audit log.
    #[arg(long, default_value = "from the CLI")]
    pub reason: String,
}

/// `juggernaut goal add`
#[derive(Debug, Args)]
pub struct GoalArgs {
    /// The goal, in one line ("Reach $50k monthly revenue").
    pub title: String,
    /// More about it (planners read it).
    #[arg(long, default_value = "")]
    pub description: String,
    /// The metric: a read-only SQL query returning one number, on `--source`.
    #[arg(long, requires = "source", conflicts_with_all = ["metric_url"])]
    pub metric_sql: Option<String>,
    /// The data source (named in the configuration's [sources]) `--metric-sql` runs on.
    #[arg(long)]
    pub source: Option<String>,
    /// The metric: a number at `--metric-pointer` in the JSON this URL returns.
    #[arg(long)]
    pub metric_url: Option<String>,
    /// The JSON pointer of `--metric-url`'s value (`/data/total`).
    #[arg(long, default_value = "", requires = "metric_url")]
    pub metric_pointer: String,
    /// The value that achieves the goal (without a metric flag, readings come from
    /// `goal set-progress`).
    #[arg(long, allow_negative_numbers = true)]
    pub target: Option<f64>,
    /// The target's unit (USD, leads).
    #[arg(long, default_value = "")]
    pub unit: String,
    /// The deadline, YYYY-MM-DD (end of that day, UTC) or an RFC 3339 time.
    #[arg(long)]
    pub deadline: Option<String>,
    /// Most money the goal may spend, in USD.
    #[arg(long)]
    pub budget_usd: Option<f64>,
    /// Most tasks the goal may have.
    #[arg(long, value_parser = ranged::<u32>(1, 1_000_000))]
    pub max_tasks: Option<u32>,
    /// Tags (repeatable); playbooks match on them.
    #[arg(long)]
    pub tag: Vec<String>,
    /// The parent goal's id.
    #[arg(long, value_parser = id_parser(), allow_negative_numbers = true)]
    pub parent: Option<i64>,
}

/// `juggernaut goal edit ID`: only the flags given change.
#[derive(Debug, Args)]
pub struct GoalEditArgs {
    /// Goal id.
    #[arg(value_parser = id_parser(), allow_negative_numbers = true)]
    pub id: i64,
    /// New title.
    #[arg(long)]
    pub title: Option<String>,
    /// New description.
    #[arg(long)]
    pub description: Option<String>,
    /// New target value (keeps the metric; a goal without one gets readings by hand).
    #[arg(long, allow_negative_numbers = true, conflicts_with = "no_target")]
    pub target: Option<f64>,
    /// New unit of the target.
    #[arg(long, conflicts_with = "no_target")]
    pub unit: Option<String>,
    /// Remove the target.
    #[arg(long)]
    pub no_target: bool,
    /// New deadline, YYYY-MM-DD (end of that day, UTC) or an RFC 3339 time.
    #[arg(long, conflicts_with = "no_deadline")]
    pub deadline: Option<String>,
    /// Remove the deadline.
    #[arg(long)]
    pub no_deadline: bool,
    /// New money budget in USD.
    #[arg(long)]
    pub budget_usd: Option<f64>,
    /// New most tasks.
    #[arg(long, value_parser = ranged::<u32>(1, 1_000_000))]
    pub max_tasks: Option<u32>,
    /// New tags (repeatable; replace the tags).
    #[arg(long)]
    pub tag: Vec<String>,
}
