//! W3, crash recovery: W1 with N tasks across worker processes (`juggernaut worker`, total
//! concurrency split evenly); every 2 s (`--w3-kill-every-ms`) one process is killed with SIGKILL and a new one started in
//! its place. `lost` counts tasks not completed at the end; `duplicated` counts completions the
//! store accepted beyond one per task (from the audit log). Both must be 0.

use super::report::Line;
use super::target::Target;
use crate::cli::BenchArgs;
use juggernaut_core::{EventKind, NewTask, TaskKind, TaskStatus};
use juggernaut_store::TaskFilter;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// Longest a W3 run may take before it reports what is missing.
const DEADLINE: Duration = Duration::from_secs(180);

/// Runs W3 and prints its line.
pub async fn run(target: &Target, args: &BenchArgs) -> anyhow::Result<()> {
    let n = args.w3_n;
    let kind = TaskKind::new("noop")?;
    let mut left = n;
    while left > 0 {
        let size = left.min(1000);
        target
            .store
            .enqueue_batch((0..size).map(|_| NewTask::new(kind.clone())).collect())
            .await?;
        left -= size;
    }
    let per_worker = (args.concurrency / args.w3_workers.max(1)).max(1);
    let mut workers = Vec::new();
    for _ in 0..args.w3_workers {
        workers.push(spawn(&target.url, per_worker)?);
    }
    let started = Instant::now();
    let every = Duration::from_millis(args.w3_kill_every_ms.max(1));
    let (mut kills, mut next_kill, mut victim) = (0u32, Instant::now() + every, 0usize);
    let done_filter = TaskFilter {
        statuses: vec![TaskStatus::Completed],
        ..Default::default()
    };
    let completed = loop {
        let done = target.store.count(&done_filter).await?;
        if done >= n || started.elapsed() > DEADLINE {
            break done;
        }
        if Instant::now() >= next_kill {
            let slot = victim % workers.len();
            workers[slot].start_kill()?;
            let _ = workers[slot].wait().await;
            workers[slot] = spawn(&target.url, per_worker)?;
            kills += 1;
            victim += 1;
            next_kill += every;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let elapsed = started.elapsed();
    for w in &mut workers {
        let _ = w.start_kill();
        let _ = w.wait().await;
    }
    let accepted = target.store.count_events(EventKind::TaskCompleted).await?;
    let line = Line {
        workload: "W3",
        n,
        jobs_per_s: Some(n as f64 / elapsed.as_secs_f64()),
        extra: vec![
            ("lost".into(), n.saturating_sub(completed).to_string()),
            (
                "duplicated".into(),
                accepted.saturating_sub(completed).to_string(),
            ),
            ("kills".into(), kills.to_string()),
            ("workers".into(), args.w3_workers.to_string()),
        ],
        ..Default::default()
    };
    println!("{}", line.render(target.backend));
    Ok(())
}

/// Starts one `juggernaut worker` process on `url`.
pub fn spawn(url: &str, concurrency: u32) -> anyhow::Result<Child> {
    let exe = std::env::current_exe()?;
    let child = Command::new(exe)
        .args([
            "worker",
            "--roles",
            "executor,watchdog",
            "--concurrency",
            &concurrency.to_string(),
        ])
        .env("JUGGERNAUT_DATABASE_URL", url)
        .env_remove("JUGGERNAUT_CONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    Ok(child)
}
