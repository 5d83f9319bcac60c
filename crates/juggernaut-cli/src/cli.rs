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
    /// Task slots in this process (1-1024).
    #[arg(long, env = "JUGGERNAUT_CONCURRENCY", value_parser = ranged::<u32>(1, 1024))]
    pub concurrency: Option<u32>,
    /// Allow a listen address that is not loopback. The HTTP listener has no authentication yet:
    /// anyone who can reach the address can read /metrics and /readyz.
    #[arg(long)]
    pub insecure_listen: bool,
}

/// `juggernaut up`
#[derive(Debug, Args)]
pub struct UpArgs {
    /// HTTP listen address (default 127.0.0.1:7777; loopback only unless --insecure-listen).
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
    /// Workloads, comma-separated: W1, W2, W3, and SWEEP (W1 at each `--sweep-n`, in this
    /// process and then through `--sweep-workers` worker processes).
    #[arg(long, value_delimiter = ',', default_value = "W1,W2,W3")]
    pub workloads: Vec<String>,
    /// W1 task count.
    #[arg(long, default_value_t = 50_000, value_parser = ranged::<u64>(1, MAX_BENCH_TASKS))]
    pub n: u64,
    /// Worker concurrency (the only setting the workloads vary).
    #[arg(long, default_value_t = 16, value_parser = ranged::<u32>(1, 1024))]
    pub concurrency: u32,
    /// W2 task count.
    #[arg(long, default_value_t = 500, value_parser = ranged::<u64>(1, 100_000))]
    pub w2_n: u64,
    /// W3 task count.
    #[arg(long, default_value_t = 20_000, value_parser = ranged::<u64>(1, MAX_BENCH_TASKS))]
    pub w3_n: u64,
    /// W3 worker processes (the concurrency is split among them).
    #[arg(long, default_value_t = 4, value_parser = ranged::<u32>(1, 64))]
    pub w3_workers: u32,
    /// W3 interval between SIGKILLs, in milliseconds.
    #[arg(long, default_value_t = 2000, value_parser = ranged::<u64>(1, 3_600_000))]
    pub w3_kill_every_ms: u64,
    /// W2 interval between enqueues, in milliseconds.
    #[arg(long, default_value_t = 20, value_parser = ranged::<u64>(1, 60_000))]
    pub w2_interval_ms: u64,
    /// SWEEP backlog sizes, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "50000,200000,1000000", value_parser = ranged::<u64>(1, MAX_BENCH_TASKS))]
    pub sweep_n: Vec<u64>,
    /// SWEEP worker processes for the lines with `workers=`.
    #[arg(long, default_value_t = 4, value_parser = ranged::<u32>(1, 64))]
    pub sweep_workers: u32,
    /// SWEEP slots per worker process.
    #[arg(long, default_value_t = 8, value_parser = ranged::<u32>(1, 1024))]
    pub sweep_worker_concurrency: u32,
}

/// Longest `--delay-secs`: ten years.
pub const MAX_DELAY_SECS: u64 = 315_360_000;
/// Most attempts a task may have.
pub const MAX_ATTEMPTS: u32 = juggernaut_core::task::MAX_ATTEMPTS_LIMIT;
/// Most tasks a benchmark run may enqueue.
pub const MAX_BENCH_TASKS: u64 = 10_000_000;

/// A parser for whole numbers in `min..=max` whose errors state the range (clap prints them with
/// the flag's name and exits 2). Negative input reaches it (`allow_negative_numbers`), so `-5`
/// is told it is below the range rather than taken for a flag.
pub fn ranged<T>(
    min: impl Into<i128>,
    max: impl Into<i128>,
) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync + 'static
where
    T: TryFrom<i128>,
{
    let (min, max) = (min.into(), max.into());
    move |text: &str| {
        let n: i128 = text
            .trim()
            .parse()
            .map_err(|_| format!("`{text}` is not a whole number (use {min} to {max})"))?;
        if n < min || n > max {
            return Err(format!("{n} is out of range: use {min} to {max}"));
        }
        T::try_from(n).map_err(|_| format!("{n} is out of range: use {min} to {max}"))
    }
}

/// A parser for ids: whole numbers from 1.
pub fn id_parser() -> impl Fn(&str) -> Result<i64, String> + Clone + Send + Sync + 'static {
    ranged::<i64>(1, i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn ranges_are_stated() {
        let p = ranged::<u64>(0, MAX_DELAY_SECS);
        assert_eq!(p("5"), Ok(5));
        assert_eq!(
            p("-5").unwrap_err(),
            "-5 is out of range: use 0 to 315360000"
        );
        assert!(
            p("18446744073709551615")
                .unwrap_err()
                .contains("out of range")
        );
        assert!(p("1e3").unwrap_err().contains("not a whole number"));
        assert!(
            p("99999999999999999999999999999999999999999")
                .unwrap_err()
                .contains("not a whole number")
        );
        assert_eq!(
            id_parser()("0").unwrap_err(),
            format!("0 is out of range: use 1 to {}", i64::MAX)
        );
    }
}
