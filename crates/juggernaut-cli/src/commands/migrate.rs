//! `juggernaut migrate`: apply pending schema migrations and report the version.

use super::Ctx;
use crate::db::{self, Access};
use crate::output;
use juggernaut_store::StoreOptions;
use juggernaut_store::url::redact;

/// Migrates the database (creating the SQLite file if needed).
pub async fn run(ctx: &Ctx) -> anyhow::Result<()> {
    let store = db::connect(&ctx.url, Access::Create, StoreOptions::default()).await?;
    let report = store.migrate().await;
    store.close().await;
    let report = report?;
    if ctx.json {
        return output::json(&report);
    }
    match report.applied.as_slice() {
        [] => println!(
            "{}: schema up to date at version {}",
            output::clean(&redact(&ctx.url)),
            report.version
        ),
        applied => println!(
            "{}: applied {:?}; schema at version {}",
            output::clean(&redact(&ctx.url)),
            applied,
            report.version
        ),
    }
    Ok(())
}
