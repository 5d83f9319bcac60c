//! `juggernaut dlq ...`: the dead-letter queue.

use super::Ctx;
use crate::cli::DlqCommand;
use crate::db::{self, Access};
use crate::exit::BadInput;
use crate::output;
use juggernaut_core::{TaskId, TaskStatus};
use juggernaut_store::{PageRequest, Store, StoreError, TaskFilter};

/// Runs a dlq subcommand.
pub async fn run(ctx: &Ctx, cmd: DlqCommand) -> anyhow::Result<()> {
    let access = match cmd {
        DlqCommand::List { .. } => Access::ReadOnly,
        DlqCommand::Requeue { .. } => Access::Existing,
    };
    let store = db::open(&ctx.url, access).await?;
    let result = match cmd {
        DlqCommand::List { limit, cursor } => {
            let dead = TaskFilter {
                statuses: vec![TaskStatus::Dead],
                ..Default::default()
            };
            let page = PageRequest {
                before: cursor.map(TaskId),
                limit,
            };
            match store.list(&dead, page).await {
                Ok(page) => output::tasks(&page.items, ctx.json, page.next_cursor),
                Err(e) => Err(e.into()),
            }
        }
        DlqCommand::Requeue { ids } => requeue(&*store, &ids, ctx.json).await,
    };
    store.close().await;
    result
}

async fn requeue(store: &dyn Store, ids: &[i64], as_json: bool) -> anyhow::Result<()> {
    let mut done = Vec::new();
    for id in ids {
        let id = TaskId(*id);
        let task = store.get(id).await?.ok_or(StoreError::NotFound(id))?;
        if task.status != TaskStatus::Dead {
            return Err(BadInput(not_dead(id, task.status)).into());
        }
        done.push(store.requeue(id, "cli").await?);
    }
    if as_json {
        return output::json(&done);
    }
    for t in &done {
        println!("requeued: task {} is now {}", t.id, t.status);
    }
    Ok(())
}

/// Why a task that is not dead cannot be requeued from the dead-letter queue, and what can.
fn not_dead(id: TaskId, status: TaskStatus) -> String {
    let head =
        format!("task {id} is {status}, not dead: only dead tasks are in the dead-letter queue");
    match status {
        TaskStatus::Failed | TaskStatus::Cancelled => {
            format!("{head}; `juggernaut task retry {id}` requeues a {status} task")
        }
        _ => head,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hint_names_a_command_only_when_it_would_work() {
        assert!(not_dead(TaskId(4), TaskStatus::Failed).contains("task retry 4"));
        assert!(not_dead(TaskId(4), TaskStatus::Cancelled).contains("task retry 4"));
        let done = not_dead(TaskId(4), TaskStatus::Completed);
        assert!(done.contains("is completed, not dead"), "{done}");
        assert!(!done.contains("task retry"), "{done}");
    }
}
