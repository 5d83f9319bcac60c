//! `juggernaut doctor` (SPEC §3.13): checks the configuration, database, LLM, sandbox, tools,
//! data sources, playbooks, the governance policy, API tokens and the git CLI, one line each (`ok` / `warn` / `FAIL`) with what is
//! missing and how to fix it; `--json` prints the same as an array of
//! `{check, status, detail, fix}`. It creates, migrates and changes nothing. Any `fail` makes
//! the exit code 1.

mod checks;
mod governance;

use super::Ctx;
use crate::cli::DEFAULT_DATABASE_URL;
use crate::output::{self, clean};
use serde::Serialize;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Works.
    Ok,
    /// Works, with something left out or not yet made.
    Warn,
    /// Something required is broken.
    Fail,
}

/// One check's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// What was checked (`config`, `database`, `source shop`, ...).
    pub check: String,
    /// How it came out.
    pub status: Status,
    /// What was found.
    pub detail: String,
    /// How to fix it (`null` when nothing needs fixing).
    pub fix: Option<String>,
}

impl Check {
    /// A check that passed.
    pub fn ok(check: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(check, Status::Ok, detail, None)
    }

    /// A warning with its fix.
    pub fn warn(check: impl Into<String>, detail: impl Into<String>, fix: &str) -> Self {
        Self::new(check, Status::Warn, detail, Some(fix.to_owned()))
    }

    /// A failure with its fix.
    pub fn fail(check: impl Into<String>, detail: impl Into<String>, fix: &str) -> Self {
        Self::new(check, Status::Fail, detail, Some(fix.to_owned()))
    }

    fn new(
        check: impl Into<String>,
        status: Status,
        detail: impl Into<String>,
        fix: Option<String>,
    ) -> Self {
        Self {
            check: check.into(),
            status,
            detail: detail.into(),
            fix,
        }
    }
}

/// `juggernaut doctor` with a configuration that loaded.
pub async fn run(ctx: &Ctx) -> anyhow::Result<()> {
    let cfg = &ctx.config;
    let mut out = vec![Check::ok("config", format!("loaded from {}", cfg.source))];
    out.push(checks::database(&ctx.url).await);
    out.push(checks::llm(cfg).await);
    out.push(checks::sandbox().await);
    out.extend(checks::tools(cfg).await);
    out.extend(checks::sources(cfg).await);
    out.extend(checks::playbooks(cfg));
    out.push(governance::policy(cfg));
    out.push(governance::tokens(&ctx.url).await);
    out.push(checks::git(cfg.tools.git.is_some()).await);
    report(&out, ctx.json)
}

/// `juggernaut doctor` when the configuration did not load: that is a failure, and the checks
/// that do not need it still run.
pub async fn broken_config(
    error: &anyhow::Error,
    database_url: Option<&str>,
    json: bool,
) -> anyhow::Result<()> {
    let out = vec![
        Check::fail(
            "config",
            format!("{error:#}")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" "),
            "correct the file named above (or point --config / JUGGERNAUT_CONFIG at another)",
        ),
        checks::database(database_url.unwrap_or(DEFAULT_DATABASE_URL)).await,
        checks::sandbox().await,
        checks::git(false).await,
    ];
    report(&out, json)
}

/// Prints the checks and fails when any did.
fn report(checks: &[Check], json: bool) -> anyhow::Result<()> {
    if json {
        output::json(checks)?;
    } else {
        for c in checks {
            let status = match c.status {
                Status::Ok => "ok",
                Status::Warn => "warn",
                Status::Fail => "FAIL",
            };
            let fix = c
                .fix
                .as_deref()
                .map(|f| format!(" (fix: {})", clean(f)))
                .unwrap_or_default();
            println!(
                "{status:<4}  {}: {}{fix}",
                clean(&c.check),
                clean(&c.detail)
            );
        }
    }
    let failed = checks.iter().filter(|c| c.status == Status::Fail).count();
    if failed > 0 {
        anyhow::bail!(
            "{failed} check{} failed",
            if failed == 1 { "" } else { "s" }
        );
    }
    Ok(())
}
