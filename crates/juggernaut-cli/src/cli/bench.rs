//! `juggernaut bench`'s flags.

use super::{MAX_BENCH_TASKS, ranged};
use clap::{Args, ValueEnum};

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
    /// Workloads, comma-separated: W1, W2, W3, SWEEP (W1 at each `--sweep-n`, in this
    /// process and then through `--sweep-workers` worker processes), P1 (goals planned by a
    /// playbook), P1-llm (goals planned through a local fake LLM server) and A1 (`GET /api/tasks`
    /// pages against `--a1-n` tasks).
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
    /// P1 goal count.
    #[arg(long, default_value_t = 1000, value_parser = ranged::<u64>(1, 100_000))]
    pub p1_n: u64,
    /// P1-llm goal count.
    #[arg(long, default_value_t = 100, value_parser = ranged::<u64>(1, 10_000))]
    pub p1_llm_n: u64,
    /// A1 task count (bulk-enqueued before the server starts).
    #[arg(long, default_value_t = 1_000_000, value_parser = ranged::<u64>(1, MAX_BENCH_TASKS))]
    pub a1_n: u64,
    /// A1 concurrent HTTP clients.
    #[arg(long, default_value_t = 16, value_parser = ranged::<u32>(1, 1024))]
    pub a1_clients: u32,
    /// A1 requests in all (the run stops at this count or after `--a1-secs`, whichever is first).
    #[arg(long, default_value_t = 1_000_000, value_parser = ranged::<u64>(1, 100_000_000))]
    pub a1_requests: u64,
    /// A1 longest run of requests, in seconds.
    #[arg(long, default_value_t = 20, value_parser = ranged::<u64>(1, 3600))]
    pub a1_secs: u64,
    /// SWEEP worker processes for the lines with `workers=`.
    #[arg(long, default_value_t = 4, value_parser = ranged::<u32>(1, 64))]
    pub sweep_workers: u32,
    /// SWEEP slots per worker process.
    #[arg(long, default_value_t = 8, value_parser = ranged::<u32>(1, 1024))]
    pub sweep_worker_concurrency: u32,
}
