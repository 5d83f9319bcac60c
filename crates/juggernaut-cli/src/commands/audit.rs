//! `juggernaut audit`: the append-only audit log, filtered by task, actor, kinds and time, newest
//! first, one page at a time. It only reads: the database must exist at this binary's schema.

use super::Ctx;
use crate::cli::AuditArgs;
use crate::db::{self, Access};
use crate::output;
use juggernaut_core::ids::EventId;
use juggernaut_core::{AuditEvent, TaskId};
use juggernaut_store::{AuditCursor, AuditFilter, AuditPage, Store};

/// Longest data summary in the table, in bytes (`--json` has the whole of it).
const SUMMARY_BYTES: usize = 80;

/// Runs `audit`.
pub async fn run(ctx: &Ctx, args: AuditArgs) -> anyhow::Result<()> {
    let store = db::open(&ctx.url, Access::ReadOnly).await?;
    let result = read(store.as_ref(), &args).await;
    store.close().await;
    let page = result?;
    if ctx.json {
        return output::json(&page.events);
    }
    if page.events.is_empty() {
        println!("no events");
        return Ok(());
    }
    let headers = ["TIME", "ID", "KIND", "TASK", "ACTOR", "CHANGE", "DATA"];
    let rows: Vec<Vec<String>> = page.events.iter().map(row).collect();
    println!("{}", output::table(&headers, &rows));
    if let Some(before) = page.next_before {
        println!("more: --before {before}");
    }
    Ok(())
}

/// The page the flags ask for; `--since` as an age counts back from the database's clock.
async fn read(store: &dyn Store, args: &AuditArgs) -> anyhow::Result<AuditPage> {
    let since = match args.since {
        Some(s) => Some(s.resolve(store.now().await?)),
        None => None,
    };
    let filter = AuditFilter {
        task_id: args.task.map(TaskId),
        actor: args.actor.clone(),
        kinds: args.kinds.clone(),
        since,
    };
    let page = AuditCursor {
        before: args.before.map(EventId),
        limit: args.limit,
    };
    Ok(store.audit(&filter, page).await?)
}

/// One table row (the table prints every cell through [`output::clean`]).
fn row(e: &AuditEvent) -> Vec<String> {
    let subject = match (e.task_id, e.goal_id) {
        (Some(t), _) => t.to_string(),
        (None, Some(g)) => format!("goal {g}"),
        (None, None) => "-".to_owned(),
    };
    let change = match (e.from_status, e.to_status) {
        (None, None) => String::new(),
        (from, to) => format!(
            "{}→{}",
            from.map_or("-".to_owned(), |s| s.to_string()),
            to.map_or("-".to_owned(), |s| s.to_string())
        ),
    };
    vec![
        e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
        e.id.to_string(),
        e.kind.to_string(),
        subject,
        e.actor.clone(),
        change,
        summary(&e.data),
    ]
}

/// The details in one short line: `key=value` pairs of an object (strings unquoted), clipped.
fn summary(data: &serde_json::Value) -> String {
    let text = match data {
        serde_json::Value::Object(map) => map
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}={s}"),
                other => format!("{k}={other}"),
            })
            .collect::<Vec<_>>()
            .join(" "),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    };
    juggernaut_core::text::clipped(&text, SUMMARY_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn summaries_are_short_pairs() {
        assert_eq!(
            summary(&json!({"reason": "no", "attempt": 2, "x": null})),
            "attempt=2 reason=no"
        );
        assert_eq!(summary(&json!({})), "");
        let long = summary(&json!({"error": "e".repeat(500)}));
        assert!(long.len() <= SUMMARY_BYTES && long.ends_with('…'), "{long}");
    }
}
