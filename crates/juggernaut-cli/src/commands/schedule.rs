//! `juggernaut schedule list/add/remove`.

use super::Ctx;
use crate::cli::ScheduleCommand;
use crate::db::{self, Access};
use crate::exit::BadInput;
use crate::input;
use crate::output::{self, clean};
use juggernaut_core::schedule::NewSchedule;
use juggernaut_engine::Registry;
use juggernaut_store::{Schedules, Store};

/// Runs a schedule subcommand.
pub async fn run(ctx: &Ctx, cmd: ScheduleCommand) -> anyhow::Result<()> {
    match cmd {
        ScheduleCommand::Add {
            name,
            cron,
            kind,
            title,
            input,
            priority,
            max_attempts,
        } => {
            let registry = Registry::builtin().map_err(anyhow::Error::msg)?;
            let s = NewSchedule {
                title: title.unwrap_or_else(|| name.clone()),
                name,
                cron,
                kind: registry.check(&kind)?,
                input: input::json_value(&input)?,
                priority,
                max_attempts,
            };
            s.validate(chrono::Utc::now())?;
            with_store(ctx, Access::Create, |store| async move {
                let added = store.add_schedule(s, "cli").await?;
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
            with_store(ctx, Access::Existing, |store| async move {
                if !store.remove_schedule(&name, "cli").await? {
                    let msg = format!("no schedule named `{}`", clean(&name));
                    return Err(BadInput(msg).into());
                }
                println!("removed schedule `{}`", clean(&name));
                Ok(())
            })
            .await
        }
        ScheduleCommand::List => {
            with_store(ctx, Access::ReadOnly, |store| async move {
                print_list(&store.list_schedules().await?, ctx.json)
            })
            .await
        }
    }
}

/// Opens the store with `access`, runs `f` on it, and closes it whatever happened.
async fn with_store<F, Fut>(ctx: &Ctx, access: Access, f: F) -> anyhow::Result<()>
where
    F: FnOnce(std::sync::Arc<dyn Store>) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let store = db::open(&ctx.url, access).await?;
    let result = f(store.clone()).await;
    store.close().await;
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
