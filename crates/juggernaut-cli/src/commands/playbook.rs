//! `juggernaut playbook list|check`: what the planner will plan with, and whether each file
//! passes its checks. Touches no database.

use super::Ctx;
use crate::cli::PlaybookCommand;
use crate::exit::BadInput;
use crate::output::{self, clean};
use juggernaut_planner::{Playbook, PlaybookError, Playbooks};
use serde::Serialize;

/// One playbook as listed.
#[derive(Serialize)]
struct Row {
    name: String,
    file: String,
    priority: i32,
    rule: String,
    tasks: usize,
    description: String,
}

fn row(b: &Playbook) -> Row {
    Row {
        name: b.name.clone(),
        file: b.path.display().to_string(),
        priority: b.priority,
        rule: b.rule(),
        tasks: b.size(),
        description: b.description.clone(),
    }
}

/// Runs a playbook subcommand.
pub fn run(ctx: &Ctx, cmd: PlaybookCommand) -> anyhow::Result<()> {
    let catalog = ctx.wiring()?.registry;
    let dir = &ctx.config.planner.playbooks_dir;
    match cmd {
        PlaybookCommand::List => {
            let books = Playbooks::load(dir, &catalog);
            if ctx.json {
                return output::json(&books.books.iter().map(row).collect::<Vec<_>>());
            }
            let rows: Vec<Vec<String>> = books
                .books
                .iter()
                .map(row)
                .map(|r| {
                    vec![
                        r.name,
                        r.priority.to_string(),
                        r.rule,
                        r.tasks.to_string(),
                        r.description,
                    ]
                })
                .map(|r| r.iter().map(|c| clean(c).into_owned()).collect())
                .collect();
            if rows.is_empty() {
                println!("no playbooks in {}", clean(&dir.display().to_string()));
            } else {
                println!(
                    "{}",
                    output::table(
                        &["NAME", "PRIORITY", "MATCH", "TASKS", "DESCRIPTION"],
                        &rows
                    )
                );
            }
            for e in &books.errors {
                eprintln!("invalid: {}", clean(&e.to_string()));
            }
            Ok(())
        }
        PlaybookCommand::Check { files } => {
            let (good, bad): (Vec<Playbook>, Vec<PlaybookError>) = if files.is_empty() {
                let books = Playbooks::load(dir, &catalog);
                (books.books, books.errors)
            } else {
                let mut good = Vec::new();
                let mut bad = Vec::new();
                for f in &files {
                    match Playbook::load(f, &catalog) {
                        Ok(b) => good.push(b),
                        Err(e) => bad.push(e),
                    }
                }
                (good, bad)
            };
            for b in &good {
                println!(
                    "ok: {} ({} tasks; {})",
                    clean(&b.path.display().to_string()),
                    b.size(),
                    clean(&b.rule())
                );
            }
            for e in &bad {
                for p in &e.problems {
                    eprintln!("{}: {}", clean(&e.file), clean(p));
                }
            }
            if bad.is_empty() {
                Ok(())
            } else {
                Err(BadInput(format!(
                    "{} of {} playbooks have problems",
                    bad.len(),
                    bad.len() + good.len()
                ))
                .into())
            }
        }
    }
}
