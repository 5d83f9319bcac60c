//! `juggernaut dlq ...`: the dead-letter queue.

use super::Ctx;
use crate::cli::DlqCommand;
use crate::db::Access;
use crate::output;
use juggernaut_core::TaskId;
use juggernaut_store::PageRequest;

/// Runs a dlq subcommand.
pub async fn run(ctx: &Ctx, cmd: DlqCommand) -> anyhow::Result<()> {
    let access = match cmd {
        DlqCommand::List { .. } => Access::ReadOnly,
        DlqCommand::Requeue { .. } => Access::Existing,
    };
    let app = ctx.app(access).await?;
    let result = async {
        match cmd {
            DlqCommand::List { limit, cursor } => {
                let page = PageRequest {
                    before: cursor.map(TaskId),
                    limit,
                };
                let page = app.dead_letters(page).await?;
                output::tasks(&page.items, ctx.json, page.next_cursor)
            }
            DlqCommand::Requeue { ids } => {
                let ids: Vec<TaskId> = ids.into_iter().map(TaskId).collect();
                let done = app.requeue_dead(&ids, "cli").await?;
                if ctx.json {
                    return output::json(&done);
                }
                for t in &done {
                    println!("requeued: task {} is now {}", t.id, t.status);
                }
                Ok(())
            }
        }
    }
    .await;
    app.store().close().await;
    result
}
