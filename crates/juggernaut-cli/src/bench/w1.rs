//! W1, throughput: enqueue N no-op tasks in batches, then time workers of total concurrency 16
//! in this process until all N are completed through the normal path (lease, handler, verifier,
//! fenced completion, audit event).

use super::report::Line;
use super::target::Target;
use crate::cli::BenchArgs;
use juggernaut_core::{NewTask, TaskKind, TaskStatus};
use juggernaut_engine::{Dispatcher, DispatcherConfig};
use juggernaut_handler::context::Handles;
use juggernaut_store::TaskFilter;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Tasks per enqueue call.
const ENQUEUE_BATCH: u64 = 1000;

/// Runs W1 and prints its two lines.
pub async fn run(target: &Target, args: &BenchArgs) -> anyhow::Result<()> {
    let n = args.n;
    let enqueue_rate = enqueue(target, n).await?;
    println!(
        "{}",
        Line {
            workload: "W1-enqueue",
            n,
            jobs_per_s: Some(enqueue_rate),
            ..Default::default()
        }
        .render(target.backend)
    );
    let elapsed = drain(target, args.concurrency, n).await?;
    let done = TaskFilter {
        statuses: vec![TaskStatus::Completed],
        ..Default::default()
    };
    let completed = target.store.count(&done).await?;
    anyhow::ensure!(completed == n, "W1: {completed} of {n} tasks completed");
    println!(
        "{}",
        Line {
            workload: "W1",
            n,
            jobs_per_s: Some(n as f64 / elapsed.as_secs_f64()),
            ..Default::default()
        }
        .render(target.backend)
    );
    Ok(())
}

/// Enqueues `n` no-op tasks in batches; returns tasks per second.
pub async fn enqueue(target: &Target, n: u64) -> anyhow::Result<f64> {
    let kind = TaskKind::new("noop")?;
    let started = Instant::now();
    let mut left = n;
    while left > 0 {
        let size = left.min(ENQUEUE_BATCH);
        let batch: Vec<NewTask> = (0..size).map(|_| NewTask::new(kind.clone())).collect();
        target.store.enqueue_batch(batch).await?;
        left -= size;
    }
    Ok(n as f64 / started.elapsed().as_secs_f64())
}

/// Starts a dispatcher and returns the time until `n` completions were accepted.
pub async fn drain(target: &Target, concurrency: u32, n: u64) -> anyhow::Result<Duration> {
    let registry = crate::db::registry()?;
    let mut config = DispatcherConfig::new("bench-w1".into(), registry.all_kinds());
    config.concurrency = concurrency;
    let queue: std::sync::Arc<dyn juggernaut_store::Queue> = target.store.clone();
    let handles = Handles::over(target.store.clone());
    let dispatcher = Dispatcher::new(queue, handles, registry, config);
    let events = dispatcher.events();
    let stop = CancellationToken::new();
    let started = Instant::now();
    let handle = tokio::spawn(dispatcher.run(stop.clone()));
    let mut last_progress = (0, Instant::now());
    while events.count("task_completed") < n {
        tokio::time::sleep(Duration::from_millis(2)).await;
        let done = events.count("task_completed");
        if done > last_progress.0 {
            last_progress = (done, Instant::now());
        } else if last_progress.1.elapsed() > Duration::from_secs(60) || handle.is_finished() {
            stop.cancel();
            anyhow::bail!("W1 stalled at {done} of {n} completions");
        }
    }
    let elapsed = started.elapsed();
    stop.cancel();
    handle.await??;
    Ok(elapsed)
}
