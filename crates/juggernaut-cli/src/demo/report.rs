//! The demo's executive report: made from the demo's database once the run ends (goals with
//! their readings and forecasts, the work done with its evidence, spend, failures, approvals),
//! stored in the `reports` table and written to the demo folder as Markdown and as HTML with
//! its SVG charts.

use crate::output;
use juggernaut_app::App;
use std::path::{Path, PathBuf};

/// The report's files in the demo folder.
pub const MARKDOWN: &str = "executive-report.md";
/// The HTML page, with its charts.
pub const HTML: &str = "executive-report.html";

/// Makes, stores and writes the report; prints where it is.
pub async fn write(app: &App, dir: &Path, day_budget_usd: Option<f64>) -> anyhow::Result<()> {
    let app = app.clone().with_day_budget(day_budget_usd);
    let title = "Executive report: the demo's first run".to_owned();
    let made = app.make_report(None, Some(title)).await?;
    let stored = app.store_report(&made, "demo").await?;
    let md: PathBuf = dir.join(MARKDOWN);
    let html: PathBuf = dir.join(HTML);
    std::fs::write(&md, &made.markdown)?;
    std::fs::write(&html, &made.html)?;
    println!(
        "executive report {} (stored; `GET /api/reports/{}/html` serves it):\n  {}\n  {} (open in a browser: charts of each goal's progress and the spend per day)",
        stored.id,
        stored.id,
        output::clean(&md.display().to_string()),
        output::clean(&html.display().to_string()),
    );
    Ok(())
}
