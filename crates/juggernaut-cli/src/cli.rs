//! The command line, declared in one place: every flag and subcommand with its help.

use clap::{Args, Parser, Subcommand, ValueEnum};

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
}

/// Settings shared by `up` and `worker`.
#[derive(Debug, Args)]
pub struct EngineArgs {
    /// Configuration file (default: ./juggernaut.toml if present).
    #[arg(long, env = "JUGGERNAUT_CONFIG")]
    pub config: Option<std::path::PathBuf>,
    /// Task slots in this process.
    #[arg(long, env = "JUGGERNAUT_CONCURRENCY")]
    pub concurrency: Option<u32>,
}

/// `juggernaut up`
#[derive(Debug, Args)]
pub struct UpArgs {
    /// HTTP listen address (default 127.0.0.1:7777).
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
        #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
        priority: i32,
        /// Task attempts.
        #[arg(long, default_value_t = juggernaut_core::task::DEFAULT_MAX_ATTEMPTS)]
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
        id: i64,
    },
    /// Cancel a live task.
    Cancel {
        /// Task id.
        id: i64,
        /// Why, for the audit log.
        #[arg(long, default_value = "cancelled from the CLI")]
        reason: String,
    },
    /// Send a dead, failed or cancelled task back to the queue with fresh attempts.
    Retry {
        /// Task id.
        id: i64,
    },
}

/// `juggernaut task enqueue`
#[derive(Debug, Args)]
pub struct EnqueueArgs {
    /// Task kind; must have a handler.
    pub kind: String,
    /// One line for humans (default: the kind).
    #[arg(long)]
    pub title: Option<String>,
    /// Handler input as JSON.
    #[arg(long, default_value = "{}")]
    pub input: String,
    /// Goal id.
    #[arg(long)]
    pub goal: Option<i64>,
    /// Priority; higher runs first.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    pub priority: i32,
    /// Do not run before this many seconds from now.
    #[arg(long)]
    pub delay_secs: Option<u64>,
    /// Attempts before dead-lettering.
    #[arg(long, default_value_t = juggernaut_core::task::DEFAULT_MAX_ATTEMPTS)]
    pub max_attempts: u32,
    /// At most one live task per key.
    #[arg(long)]
    pub dedupe_key: Option<String>,
    /// Ids of tasks that must complete first (repeatable).
    #[arg(long = "depends-on")]
    pub depends_on: Vec<i64>,
}

/// `juggernaut task list`
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only these statuses (repeatable).
    #[arg(long)]
    pub status: Vec<String>,
    /// Only these kinds (repeatable).
    #[arg(long)]
    pub kind: Vec<String>,
    /// Only this goal.
    #[arg(long)]
    pub goal: Option<i64>,
    /// Page size (1-1000).
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    /// Start below this task id (the previous page's cursor).
    #[arg(long)]
    pub cursor: Option<i64>,
}

/// `juggernaut dlq ...`
#[derive(Debug, Subcommand)]
pub enum DlqCommand {
    /// List dead tasks.
    List {
        /// Page size.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Start below this task id.
        #[arg(long)]
        cursor: Option<i64>,
    },
    /// Requeue dead tasks by id.
    Requeue {
        /// Task ids.
        #[arg(required = true)]
        ids: Vec<i64>,
    },
}

/// Which backends the benchmark runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BenchBackend {
    /// Embedded SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
    /// Both.
    All,
}

/// `juggernaut bench`
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Backends to measure. PostgreSQL uses `--database-url` (or `postgres://postgres@127.0.0.1:5432/postgres`)
    /// to create a fresh database per run.
    #[arg(long, value_enum, default_value = "all")]
    pub backend: BenchBackend,
    /// Workloads, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "W1,W2,W3")]
    pub workloads: Vec<String>,
    /// W1 task count.
    #[arg(long, default_value_t = 50_000)]
    pub n: u64,
    /// Worker concurrency (the only setting the workloads vary).
    #[arg(long, default_value_t = 16)]
    pub concurrency: u32,
    /// W2 task count.
    #[arg(long, default_value_t = 500)]
    pub w2_n: u64,
    /// W3 task count.
    #[arg(long, default_value_t = 20_000)]
    pub w3_n: u64,
    /// W3 worker processes (the concurrency is split among them).
    #[arg(long, default_value_t = 4)]
    pub w3_workers: u32,
    /// W3 interval between SIGKILLs, in milliseconds.
    #[arg(long, default_value_t = 2000)]
    pub w3_kill_every_ms: u64,
    /// W2 interval between enqueues, in milliseconds.
    #[arg(long, default_value_t = 20)]
    pub w2_interval_ms: u64,
}
