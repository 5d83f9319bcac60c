//! `juggernaut schedule list/add/remove`.

use super::Ctx;
use crate::cli::ScheduleCommand;
use crate::db::Access;
use crate::input;
use crate::output::{self, clean};
use juggernaut_app::App;
use juggernaut_core::schedule::NewSchedule;
use juggernaut_store::Schedules;

/// Runs a schedule subcommand.
pub async fn run(ctx: &Ctx, cmd: ScheduleCommand) -> anyhow::Result<()> {
    match cmd {
        ScheduleCommand::Add {
            name,
            cron,
            kind: kind_name,
            title,
            input,
            priority,
            max_attempts,
        } => {
            let registry = ctx.wiring()?.registry;
            let s = NewSchedule {
                title: title.unwrap_or_else(|| name.clone()),
                name,
                cron,
                kind: registry.check(&kind_name)?,
                input: input::json_value(&input)?,
                priority,
                max_attempts,
            };
            juggernaut_app::check_schedule(&registry, &s)?;
            with_app(ctx, Access::Create, |app| async move {
                let added = app.add_schedule(s, "cli").await?;
                if ctx.json {
                    return output::json(&added);
                }
                println!(
                    "added schedule `{}`: next fire at {}",
                    clean(&added.name),
                    added.next_fire_at.to_rfc3339()
                );
                Ok(())
            })
            .await
        }
        ScheduleCommand::Remove { name } => {
            with_app(ctx, Access::Existing, |app| async move {
                app.remove_schedule(&name, "cli").await?;
                println!("removed schedule `{}`", clean(&name));
                Ok(())
            })
            .await
        }
        ScheduleCommand::List => {
            with_app(ctx, Access::ReadOnly, |app| async move {
                print_list(&app.schedules().await?, ctx.json)
            })
            .await
        }
    }
}

/// Opens the application with `access`, runs `f` on it, and closes the store whatever happened.
async fn with_app<F, Fut>(ctx: &Ctx, access: Access, f: F) -> anyhow::Result<()>
where
    F: FnOnce(App) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let app = ctx.app(access).await?;
    let result = f(app.clone()).await;
    app.store().close().await;
    result
}

/// Prints every schedule; those that cannot fire say why.
fn print_list(all: &Schedules, as_json: bool) -> anyhow::Result<()> {
    if as_json {
        let mut items: Vec<serde_json::Value> = all
            .valid
            .iter()
            .map(serde_json::to_value)
            .collect::<Result<_, _>>()?;
        for bad in &all.invalid {
            items.push(serde_json::json!({"id": bad.id, "name": bad.name, "invalid": bad.reason}));
        }
        return output::json(&items);
    }
    if all.valid.is_empty() && all.invalid.is_empty() {
        println!("no schedules");
        return Ok(());
    }
    let mut rows: Vec<Vec<String>> = all
        .valid
        .iter()
        .map(|s| {
            vec![
                s.name.clone(),
                s.cron.clone(),
                s.kind.to_string(),
                s.next_fire_at.to_rfc3339(),
                s.last_task_id.map_or("-".into(), |t| t.to_string()),
            ]
        })
        .collect();
    for bad in &all.invalid {
        let why = format!("INVALID, skipped: {}", bad.reason);
        rows.push(vec![
            bad.name.clone(),
            "-".into(),
            "-".into(),
            why,
            "-".into(),
        ]);
    }
    println!(
        "{}",
        output::table(&["NAME", "CRON", "KIND", "NEXT FIRE", "LAST TASK"], &rows)
    );
    Ok(())
}
