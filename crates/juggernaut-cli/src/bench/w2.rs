//! W2, pickup latency: with idle workers running, enqueue tasks one at a time at a fixed interval
//! and measure from the enqueue's commit (when the enqueue call returned) to the handler's start
//! (which the no-op handler records in its result).

use super::report::{Line, percentile};
use super::target::Target;
use crate::cli::BenchArgs;
use juggernaut_core::{NewTask, TaskKind};
use juggernaut_engine::{Dispatcher, DispatcherConfig};
use juggernaut_handler::context::Handles;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Runs W2 and prints its line.
pub async fn run(target: &Target, args: &BenchArgs) -> anyhow::Result<()> {
    let registry = crate::db::registry()?;
    let mut config = DispatcherConfig::new("bench-w2".into(), registry.all_kinds());
    config.concurrency = args.concurrency;
    let queue: std::sync::Arc<dyn juggernaut_store::Queue> = target.store.clone();
    let handles = Handles::over(target.store.clone());
    let dispatcher = Dispatcher::new(queue, handles, registry, config);
    let events = dispatcher.events();
    let stop = CancellationToken::new();
    let handle = tokio::spawn(dispatcher.run(stop.clone()));
    tokio::time::sleep(Duration::from_millis(500)).await;

    let kind = TaskKind::new("noop")?;
    let mut committed = Vec::with_capacity(args.w2_n as usize);
    let mut tick = tokio::time::interval(Duration::from_millis(args.w2_interval_ms));
    for seq in 0..args.w2_n {
        tick.tick().await;
        let mut t = NewTask::new(kind.clone());
        t.input = serde_json::json!({ "seq": seq, "enqueued_at_us": chrono::Utc::now().timestamp_micros() });
        let e = target.store.enqueue(t).await?;
        committed.push((e.task.id, chrono::Utc::now().timestamp_micros()));
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while events.count("task_completed") < args.w2_n {
        anyhow::ensure!(
            Instant::now() < deadline,
            "W2: not all tasks completed within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    stop.cancel();
    handle.await??;

    let mut latencies = Vec::with_capacity(committed.len());
    for (id, commit_us) in committed {
        let task = target
            .store
            .get(id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("W2: task {id} vanished"))?;
        let started = task
            .result
            .as_ref()
            .and_then(|r| r["started_at_us"].as_i64())
            .ok_or_else(|| anyhow::anyhow!("W2: task {id} has no start time"))?;
        latencies.push((started - commit_us).max(0) as f64 / 1000.0);
    }
    latencies.sort_by(f64::total_cmp);
    let line = Line {
        workload: "W2",
        n: args.w2_n,
        p50_ms: percentile(&latencies, 50.0),
        p95_ms: percentile(&latencies, 95.0),
        p99_ms: percentile(&latencies, 99.0),
        ..Default::default()
    };
    println!("{}", line.render(target.backend));
    Ok(())
}
