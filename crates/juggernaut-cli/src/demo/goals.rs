//! The demo's goals and schedules. Each goal's target is set above what the sample data shows
//! today (read through the configured data source, as the sampler reads it), so the goals stay active and get planned; each is
//! tagged so that one playbook matches it.

use crate::config::Config;
use chrono::{Duration, Utc};
use juggernaut_app::App;
use juggernaut_core::goal::{MetricSource, MetricTarget, NewGoal};
use juggernaut_core::schedule::NewSchedule;
use juggernaut_core::{Goal, TaskKind};
use juggernaut_sources::Sources;

/// One goal to add: title, tag, metric query, unit, and how far above today's value the target
/// sits.
struct Spec {
    title: &'static str,
    tag: &'static str,
    query: &'static str,
    unit: &'static str,
    stretch: f64,
}

const GOALS: [Spec; 3] = [
    Spec {
        title: "Grow paid revenue by 20% this quarter",
        tag: "revenue",
        query: "SELECT COALESCE(SUM(amount), 0) FROM invoices WHERE status = 'paid'",
        unit: "USD",
        stretch: 1.2,
    },
    Spec {
        title: "Collect overdue invoices",
        tag: "collections",
        query: "SELECT COUNT(*) FROM invoices WHERE status = 'paid'",
        unit: "paid invoices",
        stretch: 1.1,
    },
    Spec {
        title: "Win more leads",
        tag: "leads",
        query: "SELECT COUNT(*) FROM leads WHERE status = 'won'",
        unit: "won leads",
        stretch: 1.25,
    },
];

/// A goal for the LLM planner: no playbook matches it.
const LLM_GOAL: &str = "Reduce emergency call-outs with preventive maintenance offers";

/// Adds the demo's goals (and the LLM's, if `llm`), returning them.
pub async fn add(app: &App, cfg: &Config, llm: bool) -> anyhow::Result<Vec<Goal>> {
    let deadline = Utc::now() + Duration::days(90);
    let mut added = Vec::new();
    // Today's values are read the way the sampler reads them: through the data sources.
    let sources = Sources::new(cfg.sources.resolve()?)?;
    for spec in &GOALS {
        let source = MetricSource::Sql {
            source: "plumbing".into(),
            query: spec.query.into(),
        };
        let now = sources.read(&source).await?;
        let mut g = NewGoal::titled(spec.title);
        g.description = format!(
            "Demo goal on the sample data (today: {now:.0} {}).",
            spec.unit
        );
        g.tags = vec![spec.tag.to_owned()];
        g.deadline = Some(deadline);
        g.target = Some(MetricTarget {
            source,
            target: (now * spec.stretch).ceil(),
            unit: spec.unit.into(),
        });
        added.push(app.add_goal(g, "demo").await?);
    }
    sources.close().await;
    if llm {
        let mut g = NewGoal::titled(LLM_GOAL);
        g.description = "Find which customers call us for emergencies and propose preventive \
                         maintenance offers, using the plumbing data source."
            .into();
        g.deadline = Some(deadline);
        added.push(app.add_goal(g, "demo").await?);
    }
    Ok(added)
}

/// Adds the demo's schedules: a daily status report and nightly maintenance.
pub async fn schedules(app: &App) -> anyhow::Result<()> {
    let report = NewSchedule {
        name: "daily-status-report".into(),
        cron: "0 0 7 * * *".into(),
        kind: TaskKind::new("report")?,
        title: "Daily status report".into(),
        input: serde_json::json!({"title": "Daily status report", "notify_channel": "demo"}),
        priority: 0,
        max_attempts: 3,
    };
    let maintenance = NewSchedule {
        name: "nightly-maintenance".into(),
        cron: "0 30 2 * * *".into(),
        kind: TaskKind::new("maintenance")?,
        title: "Nightly maintenance".into(),
        input: serde_json::json!({}),
        priority: 0,
        max_attempts: 3,
    };
    for s in [report, maintenance] {
        // A database shared with an earlier demo (PostgreSQL) has them already.
        let _ = app.remove_schedule(&s.name, "demo").await;
        app.add_schedule(s, "demo").await?;
    }
    Ok(())
}
