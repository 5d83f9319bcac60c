//! Runs the demo: the engine in this process (every role, the configured tools), the goals and
//! schedules added, a progress bar over the goals' tasks, and a summary of what was done and
//! where the reports and the evidence are.

use super::sink::Sink;
use crate::config::Config;
use crate::db::{self, Access};
use crate::output;
use indicatif::{ProgressBar, ProgressStyle};
use juggernaut_app::App;
use juggernaut_core::experiment::ExperimentId;
use juggernaut_core::worker::Role;
use juggernaut_core::{Evidence, Goal, PlanCoverage, Task, TaskStatus, Waiting};
use juggernaut_engine::node::worker_name;
use juggernaut_engine::{Node, NodeConfig};
use juggernaut_handler::gate::Gate;
use juggernaut_store::{PageRequest, Store, TaskFilter};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Runs the engine on the demo until every goal's first plan is done or `limit` passes.
pub async fn run(
    dir: &Path,
    cfg: &Config,
    url: &str,
    sink: &Sink,
    limit: Duration,
) -> anyhow::Result<()> {
    let wiring = crate::wiring::Wiring::load(cfg)?;
    let store = db::open(url, Access::Create).await?;
    refuse_busy(store.as_ref(), url).await?;
    let (toolbox, workspaces) = crate::toolset::load(cfg, store.clone()).await?;
    let (sampling, sources) = crate::sampling::load(cfg)?;
    let app = App::new(store.clone(), wiring.registry.clone())
        .with_planning(wiring.coverage.clone() as Arc<dyn PlanCoverage>);
    let goals = super::goals::add(&app, cfg, cfg.llm.provider.is_some()).await?;
    super::goals::schedules(&app).await?;
    let leads = goals
        .iter()
        .find(|g| g.spec.tags.iter().any(|t| t == "leads"))
        .ok_or_else(|| anyhow::anyhow!("the demo has no leads goal"))?;
    let experiment = super::experiment::add(&app, leads).await?;
    println!(
        "demo workspace: {}\n  sample data: {} (technicians, customers, leads, jobs, invoices, quote form visits)\n  {} goals, {} playbooks, 2 schedules, experiment {} ({}); database {}",
        dir.display(),
        dir.join(super::files::SAMPLE_DB).display(),
        goals.len(),
        wiring.playbooks.books.len(),
        experiment.id,
        output::clean(&experiment.spec.name),
        output::clean(&juggernaut_store::url::redact(url)),
    );
    let host = "demo".to_owned();
    let kinds = cfg.kinds_of(&Role::ALL);
    let mut node_cfg = NodeConfig::new(
        worker_name(&host),
        host,
        Role::ALL.to_vec(),
        &wiring.registry,
        &kinds,
        cfg.concurrency,
    );
    node_cfg.dispatcher.poll_interval = cfg.poll;
    let node = Node::new(store.clone(), wiring.registry.clone(), node_cfg)
        .with_planning(wiring.planning(cfg))
        .with_sampling(sampling)
        .with_tools(toolbox, workspaces)
        .with_gate(Gate::new(cfg.governance.policy.clone()));
    let node = match wiring.experimenting(Duration::from_millis(500)) {
        Some(x) => node.with_experiments(x),
        None => node,
    };
    let stop = CancellationToken::new();
    let engine = tokio::spawn(node.run(stop.clone()));
    let finished = watch(&app, &goals, experiment.id, limit).await;
    stop.cancel();
    let stopped = engine.await;
    let tasks = goal_tasks(store.as_ref(), &goals).await?;
    summary(dir, &tasks, sink, cfg);
    experiment_summary(store.as_ref(), experiment.id, &tasks).await?;
    super::report::write(&app, dir, cfg.llm.limits.day_usd).await?;
    store.close().await;
    sources.close().await;
    stopped.map_err(|e| anyhow::anyhow!("the engine stopped abnormally: {e}"))??;
    finished
}

/// The demo adds goals and schedules and runs every role: on a database that already holds
/// work it would claim that work with the demo's tools, so it is refused.
async fn refuse_busy(store: &dyn Store, url: &str) -> anyhow::Result<()> {
    let tasks = store.count(&TaskFilter::default()).await?;
    let goals = store
        .list_goals(&juggernaut_store::GoalFilter::default(), 1)
        .await?;
    if tasks > 0 || !goals.is_empty() {
        store.close().await;
        return Err(crate::exit::BadInput(format!(
            "{} already holds goals or tasks: the demo runs every role and would take on that \
             work; give it an empty database (or none: it makes its own in the demo folder)",
            output::clean(&juggernaut_store::url::redact(url))
        ))
        .into());
    }
    Ok(())
}

/// Every task of the goals (their plan tasks and what those enqueued).
async fn goal_tasks(store: &dyn Store, goals: &[Goal]) -> anyhow::Result<Vec<Task>> {
    let mut all = Vec::new();
    for g in goals {
        let filter = TaskFilter {
            goal_id: Some(g.id),
            ..TaskFilter::default()
        };
        let page = store
            .list(
                &filter,
                PageRequest {
                    before: None,
                    limit: 1000,
                },
            )
            .await?;
        all.extend(page.items);
    }
    all.sort_by_key(|t| t.id);
    Ok(all)
}

/// Shows progress until every goal with a playbook (or the LLM) has a plan whose tasks all
/// ended, or the time runs out.
async fn watch(
    app: &App,
    goals: &[Goal],
    experiment: ExperimentId,
    limit: Duration,
) -> anyhow::Result<()> {
    let store = app.store().as_ref();
    let bar = ProgressBar::new(1);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} tasks done  {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let started = Instant::now();
    loop {
        let tasks = goal_tasks(store, goals).await?;
        approve_waiting(app, &bar, &tasks).await?;
        let done = tasks.iter().filter(|t| t.status.is_terminal()).count();
        let planned = planned(store, goals).await?;
        bar.set_length(tasks.len().max(1) as u64);
        bar.set_position(done as u64);
        bar.set_message(format!("{planned}/{} goals planned", goals.len()));
        let ended = super::experiment::ended(store, experiment).await?;
        if planned == goals.len() && done == tasks.len() && !tasks.is_empty() && ended {
            let failed = tasks
                .iter()
                .filter(|t| t.status != juggernaut_core::TaskStatus::Completed)
                .count();
            if failed > 0 {
                bar.abandon_with_message("done, with failures");
                return Err(anyhow::anyhow!(
                    "{failed} of the demo's {} tasks did not complete (their last errors are above)",
                    tasks.len()
                ));
            }
            bar.finish_with_message("every goal's first plan is done; the experiment concluded");
            return Ok(());
        }
        if started.elapsed() > limit {
            bar.abandon_with_message("time limit reached");
            return Err(anyhow::anyhow!(
                "the demo did not finish within {}s: {done} of {} tasks ended; `juggernaut status` in {} says why",
                limit.as_secs(),
                tasks.len(),
                "the demo folder"
            ));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Approves, on the user's behalf and saying so, the demo's tasks that wait for approval (its
/// messages go to a local sink): outside the demo a person does this with `juggernaut approve`.
async fn approve_waiting(app: &App, bar: &ProgressBar, tasks: &[Task]) -> anyhow::Result<()> {
    for t in tasks {
        if t.status != TaskStatus::WaitingApproval {
            continue;
        }
        let why = match &t.waiting {
            Some(Waiting::Approval { reason, .. }) => reason.clone(),
            _ => String::new(),
        };
        app.approve(
            t.id,
            DEMO_APPROVER,
            "the demo's messages go to a local sink",
        )
        .await?;
        let line = format!(
            "approved task {} `{}` as `{DEMO_APPROVER}` ({}); outside the demo, `juggernaut approval list` shows these and a person runs `juggernaut approve`",
            t.id,
            t.kind,
            output::clean(&why)
        );
        bar.suspend(|| println!("{line}"));
    }
    Ok(())
}

/// Who approves the demo's waiting tasks.
const DEMO_APPROVER: &str = "demo (on your behalf)";

/// How many goals have a stored plan.
async fn planned(store: &dyn Store, goals: &[Goal]) -> anyhow::Result<usize> {
    let mut n = 0;
    for g in goals {
        if store
            .get_goal(g.id)
            .await?
            .is_some_and(|g| g.plan_version > 0)
        {
            n += 1;
        }
    }
    Ok(n)
}

/// What the experiment concluded, and its follow-up tasks.
async fn experiment_summary(
    store: &dyn Store,
    id: ExperimentId,
    tasks: &[Task],
) -> anyhow::Result<()> {
    println!("\nexperiment:");
    for line in super::experiment::summary(store, id).await? {
        println!("  {}", output::clean(&line));
    }
    let prefix = format!("experiment:{id}:roll");
    for t in tasks.iter().filter(|t| {
        t.dedupe_key
            .as_deref()
            .is_some_and(|k| k.starts_with(&prefix))
    }) {
        println!(
            "  follow-up task #{} ({}, {}): {}",
            t.id,
            t.kind,
            t.status,
            output::clean(&t.title)
        );
    }
    Ok(())
}

fn summary(dir: &Path, tasks: &[Task], sink: &Sink, cfg: &Config) {
    println!("\nwhat ran:");
    for t in tasks {
        println!(
            "  #{:<4} {:<10} {:<10} {:>2} evidence  {}",
            t.id.to_string(),
            t.kind.to_string(),
            t.status.to_string(),
            t.evidence.len(),
            output::clean(&t.title)
        );
        if let Some(e) = &t.last_error {
            println!("         last error: {}", output::clean(e));
        }
    }
    let files: Vec<String> = tasks
        .iter()
        .flat_map(|t| t.evidence.iter())
        .filter_map(|e| match e {
            Evidence::File { path, .. } => Some(path.clone()),
            _ => None,
        })
        .collect();
    let root = cfg.tools.workspaces.root().to_path_buf();
    println!("\nreports and files (each hash re-checked before its task completed):");
    for f in &files {
        println!("  {}", root.join(f).display());
    }
    println!(
        "\nmessages received by the demo's webhook sink: {}",
        sink.received().len()
    );
    println!(
        "\nevidence of every task: cd {} && juggernaut task list --json\nrun it again: juggernaut demo --dir {}",
        dir.display(),
        dir.display()
    );
}
