//! The command line, declared in one place: every flag and subcommand with its help.

mod approval;
mod audit;
mod bench;
mod escalation;
mod experiment;
mod goal;
mod learning;
mod parse;
mod playbook;
mod report;
mod token;

pub use approval::{ApprovalCommand, ApproveArgs, RejectArgs};
pub use audit::AuditArgs;
pub use bench::{BenchArgs, BenchBackend};
pub use escalation::EscalationCommand;
pub use experiment::{ExperimentAddArgs, ExperimentCommand};
pub use goal::{GoalArgs, GoalChange, GoalCommand, GoalEditArgs};
pub use learning::LearningCommand;
pub use parse::{MAX_ATTEMPTS, MAX_BENCH_TASKS, MAX_DELAY_SECS, id_parser, ranged};
pub use playbook::PlaybookCommand;
pub use report::{ReportArgs, ReportFormat};
pub use token::{CreateTokenArgs, TokenCommand};

use clap::{Args, Parser, Subcommand};

/// The default database: an SQLite file under the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://./.juggernaut/juggernaut.db";

/// Juggernaut: an autonomous, goal-driven operations engine.
#[derive(Debug, Parser)]
#[command(name = "juggernaut", version, about, propagate_version = true)]
pub struct Cli {
    /// Database URL: `sqlite://PATH` (default ./.juggernaut/juggernaut.db) or `postgres://...`.
    #[arg(
        long,
        global = true,
        env = "JUGGERNAUT_DATABASE_URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// Print JSON instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    /// Configuration file (default: ./juggernaut.toml if present). Read by every command.
    #[arg(long, global = true, env = "JUGGERNAUT_CONFIG")]
    pub config: Option<std::path::PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending schema migrations.
    Migrate,
    /// Enqueue, list, inspect, cancel and retry tasks.
    #[command(subcommand)]
    Task(TaskCommand),
    /// The dead-letter queue: tasks out of attempts.
    #[command(subcommand)]
    Dlq(DlqCommand),
    /// Tasks waiting for a person's approval.
    #[command(subcommand)]
    Approval(ApprovalCommand),
    /// Approve a task waiting for approval: it goes back to the queue and runs.
    Approve(ApproveArgs),
    /// Reject a task waiting for approval: it is cancelled (its dependents are blocked).
    Reject(RejectArgs),
    /// Escalations for a person (stuck tasks, failures, dead letters, approvals, budgets, goals
    /// at risk): list and acknowledge.
    #[command(subcommand)]
    Escalation(EscalationCommand),
    /// Experiments: variants compared on a conversion metric until a stopping rule decides
    /// (add, list, show, stop).
    #[command(subcommand)]
    Experiment(ExperimentCommand),
    /// Learnings: what each task's end taught (what worked, error fingerprints, tags); the most
    /// relevant go into planner and agent prompts (list, show, edit, retire).
    #[command(subcommand)]
    Learning(LearningCommand),
    /// API tokens for the HTTP API (roles admin, operator, approver, viewer): create, list,
    /// revoke.
    #[command(subcommand)]
    Token(TokenCommand),
    /// The audit log (append-only), newest first: filter by task, actor, kind and time.
    Audit(AuditArgs),
    /// The executive report (goals and forecasts, work done with evidence, spend against
    /// budget, failures, pending approvals, experiments, learnings) as Markdown or HTML with
    /// charts: printed, written to a file, and stored when asked.
    Report(ReportArgs),
    /// Run the benchmark workloads (../shared/bench/WORKLOADS.md) and print one line each.
    Bench(BenchArgs),
    /// Run the engine: every role, the HTTP listener (/healthz, /readyz, /metrics).
    Up(UpArgs),
    /// Run a worker process with the given roles (shares the work of `up` on PostgreSQL), or
    /// `worker list` the registered workers.
    Worker(WorkerArgs),
    /// Workers, leader, queue counts by status, and why each loop is idle.
    Status,
    /// Cron schedules.
    #[command(subcommand)]
    Schedule(ScheduleCommand),
    /// Business goals: add, list, show, pause, resume, cancel, plans and progress.
    #[command(subcommand)]
    Goal(GoalCommand),
    /// Playbooks: the standard procedures goals are planned with.
    #[command(subcommand)]
    Playbook(PlaybookCommand),
    /// Make a demo workspace (a plumbing company's sample data, goals, playbooks, schedules)
    /// and run the engine on it until the goals' first plans are done.
    Demo(DemoArgs),
    /// Check the configuration, database, LLM, sandbox, tools, data sources and playbooks; say
    /// what is missing and how to fix it.
    Doctor,
}

/// `juggernaut demo`
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The folder to make (an earlier demo's folder is replaced; any other is refused).
    #[arg(long, default_value = "juggernaut-demo")]
    pub dir: std::path::PathBuf,
    /// Give up after this many seconds (1-3600).
    #[arg(long, default_value_t = 110, value_parser = ranged::<u64>(1, 3600))]
    pub timeout_secs: u64,
}

impl DemoArgs {
    /// The time limit.
    pub fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.timeout_secs)
    }
}

/// Settings shared by `up` and `worker`.
#[derive(Debug, Args)]
pub struct EngineArgs {
    /// Task slots in this process (1-1024).
    #[arg(long, env = "JUGGERNAUT_CONCURRENCY", value_parser = ranged::<u32>(1, 1024))]
    pub concurrency: Option<u32>,
    /// Listen on an address that is not loopback even though no API token exists. /healthz,
    /// /readyz and /metrics are public; every /api call still needs a token.
    #[arg(long)]
    pub insecure_listen: bool,
}

/// `juggernaut up`
#[derive(Debug, Args)]
pub struct UpArgs {
    /// HTTP listen address (default 127.0.0.1:7777). Another address needs an active API token
    /// (`juggernaut token create --role admin`) or --insecure-listen.
    #[arg(long, env = "JUGGERNAUT_LISTEN")]
    pub listen: Option<String>,
    /// Engine settings.
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// `juggernaut worker`
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct WorkerArgs {
    /// `list`: show registered workers.
    #[command(subcommand)]
    pub command: Option<WorkerCommand>,
    /// Roles, comma-separated (executor, strategist, analyst, orchestrator, watchdog).
    #[arg(
        long,
        default_value = "executor,strategist,analyst,orchestrator,watchdog"
    )]
    pub roles: String,
    /// HTTP listen address for this worker's /healthz and /metrics (default: none).
    #[arg(long)]
    pub listen: Option<String>,
    /// Engine settings.
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// `juggernaut worker list`
#[derive(Debug, Subcommand)]
pub enum WorkerCommand {
    /// Registered workers with their state, slots, and in-flight tasks.
    List,
}

/// `juggernaut schedule ...`
#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// List schedules.
    List,
    /// Add a schedule.
    Add {
        /// Unique name.
        name: String,
        /// Cron expression: 5 fields, or 6 with seconds first.
        #[arg(long)]
        cron: String,
        /// Task kind; must have a handler.
        #[arg(long)]
        kind: String,
        /// Task title (default: the schedule's name).
        #[arg(long)]
        title: Option<String>,
        /// Task input as JSON.
        #[arg(long, default_value = "{}")]
        input: String,
        /// Task priority.
        #[arg(long, default_value_t = 0, allow_negative_numbers = true, value_parser = ranged::<i32>(i32::MIN, i32::MAX))]
        priority: i32,
        /// Task attempts (1-100).
        #[arg(long, default_value_t = juggernaut_core::task::DEFAULT_MAX_ATTEMPTS, allow_negative_numbers = true, value_parser = ranged::<u32>(1, MAX_ATTEMPTS))]
        max_attempts: u32,
    },
    /// Remove a schedule by name.
    Remove {
        /// Name.
        name: String,
    },
}

/// `juggernaut task ...`
#[derive(Debug, Subcommand)]
pub enum TaskCommand {
    /// Enqueue a task.
    Enqueue(EnqueueArgs),
    /// List tasks, newest first.
    List(ListArgs),
    /// Show one task with its dependencies and audit events.
    Show {
        /// Task id.
        #[arg(value_parser = id_parser(), allow_negative_numbers = true)]
        id: i64,
    },
    /// Cancel a live task.
    Cancel {
        /// Task id.
        #[arg(value_parser = id_parser(), allow_negative_numbers = true)]
        id: i64,
        /// Why, for the audit log.
        #[arg(long, default_value = "cancelled from the CLI")]
        reason: String,
    },
    /// Send a dead, failed or cancelled task back to the queue with fresh attempts.
    Retry {
        /// Task id.
        #[arg(value_parser = id_parser(), allow_negative_numbers = true)]
        id: i64,
    },
}

/// `juggernaut task enqueue`
#[derive(Debug, Args)]
pub struct EnqueueArgs {
    /// Task kind; must have a handler.
    #[arg(required_unless_present = "from")]
    pub kind: Option<String>,
    /// Enqueue many tasks instead: a JSON Lines file (`-` for standard input), one task object
    /// per line with `kind` and optionally `title`, `input`, `goal`, `priority`, `delay_secs`,
    /// `max_attempts`, `dedupe_key`, `depends_on`. Sent in batches of 1,000 lines; a batch with
    /// a bad line is refused whole, naming its bad lines.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["kind", "title", "input", "goal", "priority", "delay_secs", "max_attempts", "dedupe_key", "depends_on"])]
    pub from: Option<String>,
    /// One line for humans (default: the kind).
    #[arg(long)]
    pub title: Option<String>,
    /// Handler input: JSON text, `@FILE` to read it from a file, or `-` for standard input (at
    /// most 1 MiB once serialized).
    #[arg(long, default_value = "{}", allow_hyphen_values = true)]
    pub input: String,
    /// Goal id.
    #[arg(long, value_parser = id_parser(), allow_negative_numbers = true)]
    pub goal: Option<i64>,
    /// Priority; higher runs first.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true, value_parser = ranged::<i32>(i32::MIN, i32::MAX))]
    pub priority: i32,
    /// Do not run before this many seconds from now (0 to 315360000, ten years).
    #[arg(long, allow_negative_numbers = true, value_parser = ranged::<u64>(0, MAX_DELAY_SECS))]
    pub delay_secs: Option<u64>,
    /// Attempts before dead-lettering (1-100).
    #[arg(long, default_value_t = juggernaut_core::task::DEFAULT_MAX_ATTEMPTS, allow_negative_numbers = true, value_parser = ranged::<u32>(1, MAX_ATTEMPTS))]
    pub max_attempts: u32,
    /// At most one live task per key.
    #[arg(long)]
    pub dedupe_key: Option<String>,
    /// Ids of tasks that must complete first (repeatable).
    #[arg(long = "depends-on", value_parser = id_parser(), allow_negative_numbers = true)]
    pub depends_on: Vec<i64>,
}

/// `juggernaut task list`
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only these statuses (repeatable).
    #[arg(long)]
    pub status: Vec<String>,
    /// Only these kinds (repeatable; each must have a handler).
    #[arg(long)]
    pub kind: Vec<String>,
    /// Only this goal.
    #[arg(long, value_parser = id_parser(), allow_negative_numbers = true)]
    pub goal: Option<i64>,
    /// Page size (1-1000).
    #[arg(long, default_value_t = 50, allow_negative_numbers = true, value_parser = ranged::<u32>(1, 1000))]
    pub limit: u32,
    /// Start below this task id (the previous page's cursor).
    #[arg(long, value_parser = id_parser(), allow_negative_numbers = true)]
    pub cursor: Option<i64>,
}

/// `juggernaut dlq ...`
#[derive(Debug, Subcommand)]
pub enum DlqCommand {
    /// List dead tasks.
    List {
        /// Page size (1-1000).
        #[arg(long, default_value_t = 50, allow_negative_numbers = true, value_parser = ranged::<u32>(1, 1000))]
        limit: u32,
        /// Start below this task id.
        #[arg(long, value_parser = id_parser(), allow_negative_numbers = true)]
        cursor: Option<i64>,
    },
    /// Requeue dead tasks by id.
    Requeue {
        /// Task ids.
        #[arg(required = true, value_parser = id_parser(), allow_negative_numbers = true)]
        ids: Vec<i64>,
    },
}
