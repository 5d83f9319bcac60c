//! P1, planning: N active goals on a fresh store, then an engine (leader with the planner loop,
//! `plan` served on `--concurrency` slots) is started and timed until every goal has a stored
//! plan with its tasks enqueued. `P1` plans 1,000 goals with a playbook; `P1-llm` plans 100
//! goals no playbook matches through the LLM planner against a local fake OpenAI-compatible
//! server ([`super::fake_llm`]). Default product settings otherwise (the planner looks every
//! 2 s and asks for at most 500 plans a pass); the line says so.

use super::report::{Line, percentile};
use super::target::Target;
use crate::cli::BenchArgs;
use juggernaut_core::plan::PLAN_KIND;
use juggernaut_core::worker::Role;
use juggernaut_core::{GoalId, NewGoal, PlanCoverage, TaskStatus};
use juggernaut_engine::node::{PlannerConfig, Planning, worker_name};
use juggernaut_engine::{Node, NodeConfig};
use juggernaut_handler::{Handler, Registry};
use juggernaut_llm::{Client, Prices, Provider};
use juggernaut_planner::{Coverage, LlmPlanner, PlanHandler, Playbooks, PromptTemplate};
use juggernaut_store::{Limits, TaskFilter};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

const BOOK: &str = r#"
description = "benchmark goals"
[match]
tags = ["bench"]
[[tasks]]
key = "prepare"
kind = "noop"
title = "Prepare {{ goal.title }}"
[[tasks]]
key = "review"
kind = "noop"
title = "Review {{ goal.title }}"
depends_on = ["prepare"]
"#;

/// Runs P1 (playbooks) or P1-llm and prints its line.
pub async fn run(target: &Target, args: &BenchArgs, llm: bool) -> anyhow::Result<()> {
    let (n, workload) = if llm {
        (args.p1_llm_n, "P1-llm")
    } else {
        (args.p1_n, "P1")
    };
    let dir = tempfile::tempdir()?;
    std::fs::write(dir.path().join("bench.toml"), BOOK)?;
    let mut ids = Vec::with_capacity(n as usize);
    for i in 0..n {
        let tags = if llm {
            vec![]
        } else {
            vec!["bench".to_owned()]
        };
        let goal = NewGoal {
            tags,
            ..NewGoal::titled(&format!("Benchmark goal {i}"))
        };
        ids.push(target.store.add_goal(goal, "bench").await?.id);
    }
    let fake = if llm {
        Some(super::fake_llm::start().await?)
    } else {
        None
    };
    let (registry, coverage) = wiring(dir.path(), fake.as_ref().map(|f| f.base_url.clone()))?;
    let elapsed = plan_all(target, args.concurrency, registry, coverage, n).await?;
    let started = elapsed.0;
    let mut times = Vec::with_capacity(ids.len());
    for id in &ids {
        times.push(time_to_plan(target, *id, started).await?);
    }
    times.sort_by(f64::total_cmp);
    let d = PlannerConfig::default();
    println!(
        "{}",
        Line {
            workload,
            n,
            jobs_per_s: Some(n as f64 / elapsed.1.as_secs_f64()),
            p50_ms: percentile(&times, 50.0),
            p99_ms: percentile(&times, 99.0),
            extra: vec![
                (
                    "planner_interval_ms".into(),
                    d.interval.as_millis().to_string()
                ),
                ("planner_batch".into(), d.batch.to_string()),
            ],
            ..Default::default()
        }
        .render(target.backend)
    );
    Ok(())
}

/// The registry with `plan` (playbooks in `books`; the LLM planner on `llm_url` if given) and
/// what can be planned.
fn wiring(
    books: &std::path::Path,
    llm_url: Option<String>,
) -> anyhow::Result<(Registry, Arc<dyn PlanCoverage>)> {
    let catalog = crate::db::registry()?;
    let playbooks = Arc::new(Playbooks::load(books, &catalog));
    anyhow::ensure!(
        playbooks.errors.is_empty(),
        "P1 playbook: {:?}",
        playbooks.errors
    );
    let mut plan = PlanHandler::new(playbooks.clone(), catalog, PlannerConfig::default().backoff);
    let mut described = None;
    if let Some(url) = llm_url {
        let client = Client::new(Provider::new("bench-fake", &url, "bench-model"))?;
        let planner = LlmPlanner::new(
            client,
            Prices::default(),
            Limits::default(),
            PromptTemplate::builtin(),
        );
        described = Some(planner.describe());
        plan = plan.with_llm(Arc::new(planner));
    }
    let mut handlers = juggernaut_handlers::builtin(&juggernaut_handlers::Deps::default());
    handlers.push(Arc::new(plan) as Arc<dyn Handler>);
    let coverage = Arc::new(Coverage::new(playbooks, described));
    Ok((Registry::new(handlers)?, coverage))
}

/// Starts a node serving `plan` and waits until `n` plan tasks completed; returns the start
/// time and the time taken.
async fn plan_all(
    target: &Target,
    concurrency: u32,
    registry: Registry,
    coverage: Arc<dyn PlanCoverage>,
    n: u64,
) -> anyhow::Result<(chrono::DateTime<chrono::Utc>, Duration)> {
    let host = "bench".to_owned();
    let cfg = NodeConfig::new(
        worker_name(&host),
        host,
        vec![Role::Strategist],
        &registry,
        &[PLAN_KIND.to_owned()],
        concurrency,
    );
    let planning = Planning {
        config: PlannerConfig::default(),
        coverage,
    };
    let node = Node::new(target.store.clone(), registry, cfg).with_planning(planning);
    let stop = CancellationToken::new();
    let (wall, started) = (chrono::Utc::now(), Instant::now());
    let handle = tokio::spawn(node.run(stop.clone()));
    let done = TaskFilter {
        statuses: vec![TaskStatus::Completed],
        kinds: vec![juggernaut_core::TaskKind::new(PLAN_KIND)?],
        ..Default::default()
    };
    let failed = TaskFilter {
        statuses: vec![TaskStatus::Failed, TaskStatus::Dead],
        ..done.clone()
    };
    let mut progress = (0, Instant::now());
    loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let planned = target.store.count(&done).await?;
        if planned >= n {
            break;
        }
        let bad = target.store.count(&failed).await?;
        if planned > progress.0 {
            progress = (planned, Instant::now());
        } else if bad > 0 || progress.1.elapsed() > Duration::from_secs(60) || handle.is_finished()
        {
            stop.cancel();
            anyhow::bail!("P1 stalled at {planned} of {n} plans ({bad} plan tasks failed)");
        }
    }
    let elapsed = started.elapsed();
    stop.cancel();
    handle.await??;
    Ok((wall, elapsed))
}

/// Milliseconds from `started` until `goal`'s first plan was stored.
async fn time_to_plan(
    target: &Target,
    goal: GoalId,
    started: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<f64> {
    let plan = target
        .store
        .plan(goal, 1)
        .await?
        .ok_or_else(|| anyhow::anyhow!("goal {goal} has no plan"))?;
    anyhow::ensure!(!plan.task_ids.is_empty(), "goal {goal}'s plan has no tasks");
    Ok((plan.created_at - started).num_microseconds().unwrap_or(0) as f64 / 1000.0)
}
