//! `juggernaut migrate`: apply pending schema migrations and report the version.

use crate::db;
use crate::output;
use juggernaut_store::StoreOptions;
use juggernaut_store::url::redact;

/// Migrates the database.
pub async fn run(url: Option<&str>, as_json: bool) -> anyhow::Result<()> {
    let url = db::url_or_default(url);
    let store = db::open(url, StoreOptions::default()).await?;
    let report = store.migrate().await?;
    store.close().await;
    if as_json {
        return output::json(&report);
    }
    match report.applied.as_slice() {
        [] => println!(
            "{}: schema up to date at version {}",
            redact(url),
            report.version
        ),
        applied => println!(
            "{}: applied {:?}; schema at version {}",
            redact(url),
            applied,
            report.version
        ),
    }
    Ok(())
}
