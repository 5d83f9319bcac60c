//! SWEEP, the W1 backlog sweep of WORKLOADS.md: W1 at each backlog size (`--sweep-n`), drained
//! by this process (`--concurrency` slots), then by `--sweep-workers` worker processes of
//! `--sweep-worker-concurrency` slots each (the line adds `workers=`). A queue's cost per task
//! should not grow with its backlog.

use super::report::Line;
use super::target::Target;
use super::{w1, w3};
use crate::cli::BenchArgs;
use juggernaut_core::TaskStatus;
use juggernaut_store::url::Backend;
use juggernaut_store::{PageRequest, TaskFilter};
use std::time::{Duration, Instant};

/// Longest a drain through worker processes may take before it reports what is missing.
const DEADLINE: Duration = Duration::from_secs(1800);

/// Runs the sweep on `backend`, each run on a fresh database.
pub async fn run(backend: Backend, pg_admin: &str, args: &BenchArgs) -> anyhow::Result<()> {
    for &n in &args.sweep_n {
        let target = Target::fresh(backend, pg_admin).await?;
        let outcome = in_process(&target, args, n).await;
        target.dispose().await;
        outcome?;
        let target = Target::fresh(backend, pg_admin).await?;
        let outcome = through_workers(&target, args, n).await;
        target.dispose().await;
        outcome?;
    }
    Ok(())
}

async fn in_process(target: &Target, args: &BenchArgs, n: u64) -> anyhow::Result<()> {
    let enqueue_rate = w1::enqueue(target, n).await?;
    let elapsed = w1::drain(target, args.concurrency, n).await?;
    print(target, "W1-enqueue", n, enqueue_rate, Vec::new());
    print(
        target,
        "W1",
        n,
        n as f64 / elapsed.as_secs_f64(),
        Vec::new(),
    );
    Ok(())
}

async fn through_workers(target: &Target, args: &BenchArgs, n: u64) -> anyhow::Result<()> {
    w1::enqueue(target, n).await?;
    let live = TaskFilter {
        statuses: vec![TaskStatus::Pending, TaskStatus::Ready, TaskStatus::Running],
        ..Default::default()
    };
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..args.sweep_workers {
        workers.push(w3::spawn(&target.url, args.sweep_worker_concurrency)?);
    }
    // Whether any task is left is one short index range per status; a count would read the whole
    // backlog on every poll and take the database's time from the workers being measured.
    let first_live = PageRequest {
        before: None,
        limit: 1,
    };
    loop {
        let done = target.store.list(&live, first_live).await?.items.is_empty();
        if done || started.elapsed() > DEADLINE {
            break;
        }
        // Poll at about 1% of the time so far: precise for short runs, light for long ones.
        let pause =
            (started.elapsed() / 100).clamp(Duration::from_millis(20), Duration::from_millis(500));
        tokio::time::sleep(pause).await;
    }
    let elapsed = started.elapsed();
    for w in &mut workers {
        let _ = w.start_kill();
        let _ = w.wait().await;
    }
    let left = target.store.count(&live).await?;
    anyhow::ensure!(
        left == 0,
        "SWEEP: {left} of {n} tasks not completed through worker processes"
    );
    let extra = vec![
        ("workers".to_owned(), args.sweep_workers.to_string()),
        (
            "concurrency_each".to_owned(),
            args.sweep_worker_concurrency.to_string(),
        ),
    ];
    print(target, "W1", n, n as f64 / elapsed.as_secs_f64(), extra);
    Ok(())
}

fn print(target: &Target, workload: &'static str, n: u64, rate: f64, extra: Vec<(String, String)>) {
    let line = Line {
        workload,
        n,
        jobs_per_s: Some(rate),
        extra,
        ..Default::default()
    };
    println!("{}", line.render(target.backend));
}
