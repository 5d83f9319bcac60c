//! `juggernaut task ...`: enqueue, list, show, cancel, retry.

use crate::cli::{EnqueueArgs, ListArgs, TaskCommand};
use crate::db;
use crate::exit::BadInput;
use crate::output;
use juggernaut_core::{GoalId, NewTask, TaskId, TaskKind, TaskStatus};
use juggernaut_engine::Registry;
use juggernaut_store::{PageRequest, Store, TaskFilter};
use std::sync::Arc;

/// Runs a task subcommand.
pub async fn run(url: Option<&str>, as_json: bool, cmd: TaskCommand) -> anyhow::Result<()> {
    let registry = Registry::builtin().map_err(anyhow::Error::msg)?;
    // Validate what can be validated before touching the database.
    let new_task = match &cmd {
        TaskCommand::Enqueue(args) => Some(new_task(&registry, args)?),
        _ => None,
    };
    let filter = match &cmd {
        TaskCommand::List(args) => Some(filter(args)?),
        _ => None,
    };
    let store = db::open_migrated(url).await?;
    let result = match cmd {
        TaskCommand::Enqueue(_) => enqueue(&store, new_task, as_json).await,
        TaskCommand::List(args) => list(&store, filter.unwrap_or_default(), &args, as_json).await,
        TaskCommand::Show { id } => show(&store, TaskId(id), as_json).await,
        TaskCommand::Cancel { id, reason } => {
            let t = store.cancel(TaskId(id), "cli", &reason).await?;
            print_one(&t, as_json, "cancelled")
        }
        TaskCommand::Retry { id } => {
            let t = store.requeue(TaskId(id), "cli").await?;
            print_one(&t, as_json, "requeued")
        }
    };
    store.close().await;
    result
}

fn new_task(registry: &Registry, a: &EnqueueArgs) -> anyhow::Result<NewTask> {
    let kind: TaskKind = registry.check(&a.kind)?;
    let input: serde_json::Value = serde_json::from_str(&a.input)
        .map_err(|e| BadInput(format!("--input is not valid JSON: {e}")))?;
    let mut t = NewTask::new(kind);
    if let Some(title) = &a.title {
        t.title = title.clone();
    }
    t.input = input;
    t.goal_id = a.goal.map(GoalId);
    t.priority = a.priority;
    t.run_at = a.delay_secs.map(|s| {
        chrono::Utc::now() + chrono::Duration::seconds(i64::try_from(s).unwrap_or(i64::MAX / 1000))
    });
    t.max_attempts = a.max_attempts;
    t.dedupe_key = a.dedupe_key.clone();
    t.depends_on = a.depends_on.iter().copied().map(TaskId).collect();
    t.validate()?;
    Ok(t)
}

async fn enqueue(store: &Arc<dyn Store>, t: Option<NewTask>, as_json: bool) -> anyhow::Result<()> {
    let t = t.ok_or_else(|| anyhow::anyhow!("internal: no task to enqueue"))?;
    let e = store.enqueue(t).await?;
    if as_json {
        return output::json(&e);
    }
    let verb = if e.created {
        "enqueued"
    } else {
        "already queued (same dedupe key)"
    };
    println!(
        "{verb}: task {} ({}, {})",
        e.task.id, e.task.kind, e.task.status
    );
    Ok(())
}

/// Builds a filter, refusing unknown statuses and malformed kinds by name.
pub fn filter(a: &ListArgs) -> anyhow::Result<TaskFilter> {
    let statuses = a
        .status
        .iter()
        .map(|s| s.parse::<TaskStatus>())
        .collect::<Result<Vec<_>, _>>()?;
    let kinds = a
        .kind
        .iter()
        .map(|k| TaskKind::new(k))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(TaskFilter {
        statuses,
        kinds,
        goal_id: a.goal.map(GoalId),
    })
}

async fn list(
    store: &Arc<dyn Store>,
    f: TaskFilter,
    a: &ListArgs,
    as_json: bool,
) -> anyhow::Result<()> {
    let page = store
        .list(
            &f,
            PageRequest {
                before: a.cursor.map(TaskId),
                limit: a.limit,
            },
        )
        .await?;
    output::tasks(&page.items, as_json, page.next_cursor)
}

async fn show(store: &Arc<dyn Store>, id: TaskId, as_json: bool) -> anyhow::Result<()> {
    let task = store
        .get(id)
        .await?
        .ok_or(juggernaut_store::StoreError::NotFound(id))?;
    let deps = store.dependencies(id).await?;
    let events = store.task_events(id).await?;
    if as_json {
        return output::json(
            &serde_json::json!({"task": task, "depends_on": deps, "events": events}),
        );
    }
    println!(
        "{}",
        output::table(
            &output::TASK_HEADERS,
            &output::task_rows(std::slice::from_ref(&task))
        )
    );
    println!("\ninput: {}", task.input);
    if let Some(l) = &task.lease {
        println!(
            "lease: held by {} (token {}) until {}",
            l.holder, l.token, l.expires_at
        );
    }
    if !deps.is_empty() {
        let list: Vec<String> = deps.iter().map(|d| d.to_string()).collect();
        println!(
            "depends on: {} ({} not completed)",
            list.join(", "),
            task.pending_deps
        );
    }
    if let Some(e) = &task.last_error {
        println!("last error: {e}");
    }
    if let Some(r) = &task.result {
        println!("result: {r}");
    }
    for e in &task.evidence {
        println!("evidence: {}", serde_json::to_string(e)?);
    }
    let rows: Vec<Vec<String>> = events
        .iter()
        .map(|e| {
            vec![
                e.at.format("%Y-%m-%d %H:%M:%S%.3f").to_string(),
                e.kind.to_string(),
                format!(
                    "{} -> {}",
                    e.from_status.map_or("-", |s| s.as_str()),
                    e.to_status.map_or("-", |s| s.as_str())
                ),
                e.actor.clone(),
                e.data.to_string(),
            ]
        })
        .collect();
    println!(
        "\n{}",
        output::table(&["AT", "EVENT", "TRANSITION", "ACTOR", "DATA"], &rows)
    );
    Ok(())
}

fn print_one(t: &juggernaut_core::Task, as_json: bool, verb: &str) -> anyhow::Result<()> {
    if as_json {
        return output::json(t);
    }
    println!("{verb}: task {} is now {}", t.id, t.status);
    Ok(())
}
