//! `juggernaut report --format md|html [--since ...] [--title ...] [--out FILE] [--store]`: the
//! executive report made now from the database, printed (or written to `--out`) and, with
//! `--store`, kept in the `reports` table. The same report on a schedule is the `report` task
//! kind (`juggernaut schedule add weekly-report --cron '0 8 * * 1' --kind report`).

use super::Ctx;
use crate::cli::{ReportArgs, ReportFormat};
use crate::db::Access;
use crate::output;
use anyhow::Context;
use chrono::Utc;

/// Runs `report`.
pub async fn run(ctx: &Ctx, args: ReportArgs) -> anyhow::Result<()> {
    let access = if args.store {
        Access::Existing
    } else {
        Access::ReadOnly
    };
    let app = ctx
        .app(access)
        .await?
        .with_day_budget(ctx.config.llm.limits.day_usd);
    let since = args.since.map(|s| s.resolve(Utc::now()));
    let made = app.make_report(since, args.title.clone()).await;
    let stored = match &made {
        Ok(made) if args.store => Some(app.store_report(made, "cli").await),
        _ => None,
    };
    app.store().close().await;
    let made = made?;
    let stored = stored.transpose()?;
    let text = match args.format {
        ReportFormat::Md => &made.markdown,
        ReportFormat::Html => &made.html,
    };
    if let Some(path) = &args.out {
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    if ctx.json {
        return output::json(&serde_json::json!({
            "title": made.report.title,
            "since": made.report.period.since,
            "until": made.report.period.until,
            "summary": made.report.summary(),
            "format": match args.format { ReportFormat::Md => "md", ReportFormat::Html => "html" },
            "out": args.out.as_ref().map(|p| p.display().to_string()),
            "report_id": stored.as_ref().map(|r| r.id),
            "content": args.out.is_none().then_some(text),
        }));
    }
    match &args.out {
        Some(path) => println!("wrote {} ({} bytes)", path.display(), text.len()),
        None => print!("{text}"),
    }
    if let Some(r) = stored {
        eprintln!("stored as report {}", r.id);
    }
    Ok(())
}
