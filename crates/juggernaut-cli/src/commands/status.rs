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
    llm_line(&ctx.config, &status.spend_today);
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

/// The LLM provider this configuration selects and today's spend against the day budget.
fn llm_line(cfg: &crate::config::Config, today: &juggernaut_store::Spend) {
    let provider = match &cfg.llm.provider {
        Some(p) => format!(
            "{} at {} (planning model {})",
            clean(&p.name),
            clean(&juggernaut_store::url::redact(&p.base_url)),
            clean(p.model_for(juggernaut_llm::Purpose::Planning))
        ),
        None => "none configured (set JUGGERNAUT_LLM_BASE_URL or OPENROUTER_API_KEY; playbooks still plan)".to_owned(),
    };
    println!("llm: {provider}");
    let budget = cfg
        .llm
        .limits
        .day_usd
        .map_or_else(|| "no day budget".to_owned(), |d| format!("of ${d:.2}"));
    println!(
        "spent today: ${:.4} {budget} ({} calls{})",
        today.settled_usd,
        today.calls,
        if today.reserved_usd > 0.0 {
            format!(", ${:.4} held", today.reserved_usd)
        } else {
            String::new()
        }
    );
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
