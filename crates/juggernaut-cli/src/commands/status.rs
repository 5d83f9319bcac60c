//! `juggernaut status` and `juggernaut worker list`.

use super::Ctx;
use crate::db::Access;
use crate::output::{self, clean};
use juggernaut_store::WorkerRecord;

/// `juggernaut status`: workers, leader, counts by status, idle reasons.
pub async fn run(ctx: &Ctx) -> anyhow::Result<()> {
    let as_json = ctx.json;
    let app = ctx.app(Access::ReadOnly).await?;
    let status = app.status().await;
    app.store().close().await;
    let status = status?;
    if as_json {
        return output::json(&status);
    }
    let (leader, workers) = (&status.leader, &status.workers);
    match &leader {
        Some(l) => println!(
            "leader: {} (since {})",
            clean(&l.holder.0),
            l.acquired_at.format("%Y-%m-%d %H:%M:%S")
        ),
        None => println!("leader: none (no engine running, or leadership changing hands)"),
    }
    let line: Vec<String> = status
        .tasks
        .iter()
        .map(|(s, n)| format!("{s}={n}"))
        .collect();
    println!(
        "tasks: {}",
        if line.is_empty() {
            "none".to_owned()
        } else {
            line.join(" ")
        }
    );
    if workers.is_empty() {
        println!("workers: none registered: start one with `juggernaut up` or `juggernaut worker`");
        return Ok(());
    }
    println!("\n{}", output::table(&WORKER_HEADERS, &rows(workers)));
    for w in workers {
        if let Some(reasons) = w.idle.as_object().filter(|o| !o.is_empty()) {
            println!("\nidle on {}:", clean(&w.registration.id.0));
            for (l, r) in reasons {
                println!("  {}: {}", clean(l), clean(r.as_str().unwrap_or_default()));
            }
        }
    }
    Ok(())
}

/// `juggernaut worker list`.
pub async fn workers(ctx: &Ctx) -> anyhow::Result<()> {
    let app = ctx.app(Access::ReadOnly).await?;
    let workers = app.workers().await;
    app.store().close().await;
    let workers = workers?;
    if ctx.json {
        return output::json(&workers);
    }
    if workers.is_empty() {
        println!("no workers registered");
    } else {
        println!("{}", output::table(&WORKER_HEADERS, &rows(&workers)));
    }
    Ok(())
}

const WORKER_HEADERS: [&str; 7] = [
    "WORKER",
    "STATE",
    "ROLES",
    "SLOTS",
    "IN FLIGHT",
    "HEARTBEAT",
    "HOST",
];

fn rows(workers: &[WorkerRecord]) -> Vec<Vec<String>> {
    let now = chrono::Utc::now();
    workers
        .iter()
        .map(|w| {
            let roles: Vec<String> = w
                .registration
                .roles
                .iter()
                .map(|r| format!("{r:?}").to_lowercase())
                .collect();
            vec![
                w.registration.id.to_string(),
                format!("{:?}", w.state).to_lowercase(),
                roles.join(","),
                w.registration.concurrency.to_string(),
                w.in_flight.len().to_string(),
                format!("{}s ago", (now - w.heartbeat_at).num_seconds().max(0)),
                w.registration.host.clone(),
            ]
        })
        .collect()
}
