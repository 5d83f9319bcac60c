//! `juggernaut learning list|show|edit|retire`: what terminal tasks taught (the learner captures
//! them; the most relevant go into planner and agent prompts), a person's edit of a learning's
//! summary and tags, and retiring one so that no prompt shows it again.

use super::Ctx;
use crate::cli::LearningCommand;
use crate::db::Access;
use crate::output;
use juggernaut_app::LearningQuery;
use juggernaut_core::learning::{Learning, LearningEdit, LearningId};

/// Runs `learning ...`.
pub async fn run(ctx: &Ctx, cmd: LearningCommand) -> anyhow::Result<()> {
    match cmd {
        LearningCommand::List {
            kind,
            outcome,
            tag,
            all,
            limit,
            before,
        } => {
            let q = LearningQuery {
                kind,
                outcome,
                tag,
                all,
                before: before.map(LearningId),
                limit,
            };
            list(ctx, q).await
        }
        LearningCommand::Show { id } => {
            let app = ctx.app(Access::ReadOnly).await?;
            let result = app.learning(LearningId(id)).await;
            app.store().close().await;
            print_one(ctx, &result?)
        }
        LearningCommand::Edit {
            id,
            summary,
            tags,
            identity,
        } => {
            let tags = tags.map(|t| split_tags(&t));
            let edit = LearningEdit { summary, tags };
            let app = ctx.app(Access::Existing).await?;
            let actor = identity.name();
            let result = app.edit_learning(LearningId(id), edit, &actor).await;
            app.store().close().await;
            print_one(ctx, &result?)
        }
        LearningCommand::Retire { id, undo, identity } => {
            let app = ctx.app(Access::Existing).await?;
            let actor = identity.name();
            let result = app.retire_learning(LearningId(id), !undo, &actor).await;
            app.store().close().await;
            print_one(ctx, &result?)
        }
    }
}

/// `a, b,,c` → `["a", "b", "c"]`; an empty string clears.
fn split_tags(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

async fn list(ctx: &Ctx, q: LearningQuery) -> anyhow::Result<()> {
    let app = ctx.app(Access::ReadOnly).await?;
    let result = app.learnings(q).await;
    app.store().close().await;
    let page = result?;
    if ctx.json {
        return output::json(&page.items);
    }
    if page.items.is_empty() {
        println!("no learnings");
        return Ok(());
    }
    let headers = [
        "ID",
        "KIND",
        "OUTCOME",
        "COUNT",
        "LAST SEEN",
        "TAGS",
        "STATE",
        "TITLE",
    ];
    let rows: Vec<Vec<String>> = page.items.iter().map(row).collect();
    println!("{}", output::table(&headers, &rows));
    if let Some(c) = page.next_cursor {
        println!("more: --before {c}");
    }
    Ok(())
}

/// One table row (the table prints every cell through [`output::clean`]).
fn row(l: &Learning) -> Vec<String> {
    vec![
        l.id.to_string(),
        l.kind.clone(),
        l.outcome.to_string(),
        l.count.to_string(),
        l.last_seen.format("%Y-%m-%d %H:%M:%S").to_string(),
        l.tags.join(","),
        state(l),
        l.title.clone(),
    ]
}

fn state(l: &Learning) -> String {
    match (&l.retired_at, &l.edited_by) {
        (Some(_), _) => "retired".into(),
        (None, Some(by)) => format!("edited by {by}"),
        (None, None) => "live".into(),
    }
}

fn print_one(ctx: &Ctx, l: &Learning) -> anyhow::Result<()> {
    if ctx.json {
        return output::json(l);
    }
    let c = |t: &str| output::clean(t).into_owned();
    println!("learning {} ({}): {}", l.id, state(l), c(&l.title));
    println!("  kind:        {}", c(&l.kind));
    println!("  outcome:     {} ({} time(s))", l.outcome, l.count);
    println!("  fingerprint: {}", l.fingerprint);
    println!("  tags:        {}", c(&l.tags.join(", ")));
    println!("  tools:       {}", c(&l.tools.join(", ")));
    println!(
        "  first seen:  {}",
        l.first_seen.format("%Y-%m-%d %H:%M:%S UTC")
    );
    println!(
        "  last seen:   {}",
        l.last_seen.format("%Y-%m-%d %H:%M:%S UTC")
    );
    if let Some(t) = l.last_task {
        println!("  last task:   {t}");
    }
    if let Some(g) = l.goal_id {
        println!("  goal:        {g}");
    }
    if let (Some(at), Some(by)) = (&l.retired_at, &l.retired_by) {
        println!(
            "  retired:     {} by {}",
            at.format("%Y-%m-%d %H:%M"),
            c(by)
        );
    }
    println!("  summary:     {}", c(&l.summary));
    if let Some(e) = &l.error {
        println!("  error:       {}", c(e));
    }
    Ok(())
}
