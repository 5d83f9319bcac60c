//! `juggernaut dlq ...`: the dead-letter queue.

use crate::cli::DlqCommand;
use crate::db;
use crate::output;
use juggernaut_core::{TaskId, TaskStatus};
use juggernaut_store::{PageRequest, TaskFilter};

/// Runs a dlq subcommand.
pub async fn run(url: Option<&str>, as_json: bool, cmd: DlqCommand) -> anyhow::Result<()> {
    let store = db::open_migrated(url).await?;
    let result = match cmd {
        DlqCommand::List { limit, cursor } => {
            let dead = TaskFilter {
                statuses: vec![TaskStatus::Dead],
                ..Default::default()
            };
            let page = store
                .list(
                    &dead,
                    PageRequest {
                        before: cursor.map(TaskId),
                        limit,
                    },
                )
                .await?;
            output::tasks(&page.items, as_json, page.next_cursor)
        }
        DlqCommand::Requeue { ids } => requeue(&*store, &ids, as_json).await,
    };
    store.close().await;
    result
}

async fn requeue(
    store: &dyn juggernaut_store::Store,
    ids: &[i64],
    as_json: bool,
) -> anyhow::Result<()> {
    let mut done = Vec::new();
    for id in ids {
        let task = store
            .get(TaskId(*id))
            .await?
            .ok_or(juggernaut_store::StoreError::NotFound(TaskId(*id)))?;
        if task.status != TaskStatus::Dead {
            return Err(crate::exit::BadInput(format!(
                "task {id} is {}, not dead: `juggernaut task retry {id}` requeues failed or cancelled tasks",
                task.status
            ))
            .into());
        }
        done.push(store.requeue(TaskId(*id), "cli").await?);
    }
    if as_json {
        return output::json(&done);
    }
    for t in &done {
        println!("requeued: task {} is now {}", t.id, t.status);
    }
    Ok(())
}
