//! `juggernaut schedule list/add/remove`.

use crate::cli::ScheduleCommand;
use crate::db;
use crate::exit::BadInput;
use crate::output;
use juggernaut_core::schedule::NewSchedule;
use juggernaut_engine::Registry;

/// Runs a schedule subcommand.
pub async fn run(url: Option<&str>, as_json: bool, cmd: ScheduleCommand) -> anyhow::Result<()> {
    let new = match &cmd {
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
                name: name.clone(),
                cron: cron.clone(),
                kind: registry.check(kind)?,
                title: title.clone().unwrap_or_else(|| name.clone()),
                input: serde_json::from_str(input)
                    .map_err(|e| BadInput(format!("--input is not valid JSON: {e}")))?,
                priority: *priority,
                max_attempts: *max_attempts,
            };
            s.validate(chrono::Utc::now())?;
            Some(s)
        }
        _ => None,
    };
    let store = db::open_migrated(url).await?;
    let result = match (cmd, new) {
        (ScheduleCommand::Add { .. }, Some(s)) => {
            let added = store.add_schedule(s, "cli").await?;
            if as_json {
                output::json(&added)
            } else {
                println!(
                    "added schedule `{}`: next fire at {}",
                    added.name,
                    added.next_fire_at.to_rfc3339()
                );
                Ok(())
            }
        }
        (ScheduleCommand::Remove { name }, _) => {
            if store.remove_schedule(&name, "cli").await? {
                println!("removed schedule `{name}`");
                Ok(())
            } else {
                Err(BadInput(format!("no schedule named `{name}`")).into())
            }
        }
        (_, _) => {
            let all = store.list_schedules().await?;
            if as_json {
                output::json(&all)
            } else if all.is_empty() {
                println!("no schedules");
                Ok(())
            } else {
                let rows: Vec<Vec<String>> = all
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
                println!(
                    "{}",
                    output::table(&["NAME", "CRON", "KIND", "NEXT FIRE", "LAST TASK"], &rows)
                );
                Ok(())
            }
        }
    };
    store.close().await;
    result
}
