//! `juggernaut approval list`, `approve` and `reject`: the tasks waiting for a person, and the
//! person's decision (recorded in the audit log with who decided and why).

use super::Ctx;
use crate::cli::{ApprovalCommand, ApproveArgs, RejectArgs};
use crate::db::Access;
use crate::output;
use juggernaut_core::{Task, TaskId, Waiting};
use juggernaut_store::PageRequest;

/// Runs `approval list`.
pub async fn list(ctx: &Ctx, cmd: ApprovalCommand) -> anyhow::Result<()> {
    let ApprovalCommand::List { limit, cursor } = cmd;
    let app = ctx.app(Access::ReadOnly).await?;
    let page = PageRequest {
        before: cursor.map(TaskId),
        limit,
    };
    let result = app.approvals(page).await;
    app.store().close().await;
    let page = result?;
    if ctx.json {
        return output::json(&page.items);
    }
    if page.items.is_empty() {
        println!("no tasks waiting for approval");
        return Ok(());
    }
    let headers = ["ID", "KIND", "RISK", "REASON", "WAITING SINCE", "TITLE"];
    let rows: Vec<Vec<String>> = page.items.iter().map(row).collect();
    println!("{}", output::table(&headers, &rows));
    if let Some(c) = page.next_cursor {
        println!("more: --cursor {c}");
    }
    Ok(())
}

/// One table row (the table prints every cell through [`output::clean`]).
fn row(t: &Task) -> Vec<String> {
    let (risk, reason) = match &t.waiting {
        Some(Waiting::Approval {
            reason,
            risk,
            assessment,
        }) => match assessment {
            Some(a) => (format!("{} {}", a.score, risk), reason.clone()),
            None => (risk.to_string(), reason.clone()),
        },
        _ => ("-".to_owned(), String::new()),
    };
    vec![
        t.id.to_string(),
        t.kind.to_string(),
        risk,
        reason,
        t.updated_at.format("%Y-%m-%d %H:%M:%S").to_string(),
        t.title.clone(),
    ]
}

/// Runs `approve`.
pub async fn approve(ctx: &Ctx, args: ApproveArgs) -> anyhow::Result<()> {
    let app = ctx.app(Access::Existing).await?;
    let actor = args.identity.name();
    let result = app.approve(TaskId(args.id), &actor, &args.reason).await;
    app.store().close().await;
    print(&result?, ctx.json, "approved", &actor)
}

/// Runs `reject`.
pub async fn reject(ctx: &Ctx, args: RejectArgs) -> anyhow::Result<()> {
    let app = ctx.app(Access::Existing).await?;
    let actor = args.identity.name();
    let result = app.reject(TaskId(args.id), &actor, &args.reason).await;
    app.store().close().await;
    print(&result?, ctx.json, "rejected", &actor)
}

fn print(t: &Task, as_json: bool, verb: &str, actor: &str) -> anyhow::Result<()> {
    if as_json {
        return output::json(t);
    }
    println!(
        "{verb} by {}: task {} is now {}",
        output::clean(actor),
        t.id,
        t.status
    );
    Ok(())
}
