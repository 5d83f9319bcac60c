//! `juggernaut escalation list` and `ack`: what the escalator raised for a person to look at,
//! and the person's acknowledgement (recorded in the audit log with who and the note).

use super::Ctx;
use crate::cli::EscalationCommand;
use crate::db::Access;
use crate::output;
use juggernaut_core::{Escalation, EscalationId};

/// Runs `escalation ...`.
pub async fn run(ctx: &Ctx, cmd: EscalationCommand) -> anyhow::Result<()> {
    match cmd {
        EscalationCommand::List { all, limit, cursor } => list(ctx, all, limit, cursor).await,
        EscalationCommand::Ack { id, note, identity } => {
            let app = ctx.app(Access::Existing).await?;
            let actor = identity.name();
            let result = app.ack_escalation(EscalationId(id), &actor, &note).await;
            app.store().close().await;
            let e = result?;
            if ctx.json {
                return output::json(&e);
            }
            println!(
                "acknowledged by {}: escalation {} ({} {}, raised {} time(s))",
                output::clean(&actor),
                e.id,
                e.level,
                e.kind,
                e.count
            );
            Ok(())
        }
    }
}

async fn list(ctx: &Ctx, all: bool, limit: u32, cursor: Option<i64>) -> anyhow::Result<()> {
    let app = ctx.app(Access::ReadOnly).await?;
    let result = app.escalations(all, cursor.map(EscalationId), limit).await;
    app.store().close().await;
    let page = result?;
    if ctx.json {
        // SPEC §3a: a list prints a JSON array; the next page starts below the last id.
        return output::json(&page.items);
    }
    if page.items.is_empty() {
        println!(
            "{}",
            if all {
                "no escalations"
            } else {
                "no open escalations"
            }
        );
        return Ok(());
    }
    let headers = [
        "ID",
        "LEVEL",
        "KIND",
        "COUNT",
        "LAST RAISED",
        "ACKED",
        "MESSAGE",
    ];
    let rows: Vec<Vec<String>> = page.items.iter().map(row).collect();
    println!("{}", output::table(&headers, &rows));
    if let Some(c) = page.next_cursor {
        println!("more: --cursor {c}");
    }
    Ok(())
}

/// One table row (the table prints every cell through [`output::clean`]).
fn row(e: &Escalation) -> Vec<String> {
    let acked = match (&e.acked_at, &e.acked_by) {
        (Some(at), by) => format!(
            "{} by {}",
            at.format("%Y-%m-%d %H:%M"),
            by.as_deref().unwrap_or("?")
        ),
        (None, _) => "open".to_owned(),
    };
    vec![
        e.id.to_string(),
        e.level.to_string(),
        e.kind.to_string(),
        e.count.to_string(),
        e.last_at.format("%Y-%m-%d %H:%M:%S").to_string(),
        acked,
        e.message.clone(),
    ]
}
