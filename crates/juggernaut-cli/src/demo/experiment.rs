//! The demo's experiment: the website's quote form, a callback (the control) against an instant
//! quote, on visits kept in the sample database (`quote_visits`, made deterministically: 9% of
//! the callback's 1200 visits asked for a job, 14% of the instant quote's). It serves the leads
//! goal; the leader's experiments loop reads each variant's counts through `experiment_step`,
//! concludes with the instant quote the winner, and enqueues its rollout: a message to the
//! demo's webhook channel.

use juggernaut_app::App;
use juggernaut_core::experiment::{
    ConversionMetric, Experiment, ExperimentId, ExperimentSpec, FollowUp, StoppingRule, Variant,
};
use juggernaut_core::{Goal, TaskKind};
use juggernaut_store::Store;
use serde_json::json;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{Connection, Executor};
use std::path::Path;

/// The visits, each variant's 1200 made by a fixed rule.
const VISITS: &str = "
CREATE TABLE quote_visits (id INTEGER PRIMARY KEY, variant TEXT NOT NULL,
  converted INTEGER NOT NULL CHECK (converted IN (0, 1)));
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 1199)
INSERT INTO quote_visits (variant, converted)
  SELECT 'callback', (i * 7) % 100 < 9 FROM n
  UNION ALL SELECT 'instant_quote', (i * 37) % 100 < 14 FROM n;
";

/// Adds the visits to the sample database at `path`.
pub async fn sample(path: &Path) -> anyhow::Result<()> {
    let opts = SqliteConnectOptions::new().filename(path);
    let mut conn = SqliteConnection::connect_with(&opts).await?;
    conn.execute(VISITS).await?;
    conn.close().await?;
    Ok(())
}

/// The experiment, for `goal`.
pub fn spec(goal: &Goal) -> anyhow::Result<ExperimentSpec> {
    let variant = |name: &str, control| Variant {
        name: name.into(),
        weight: 1.0,
        control,
    };
    Ok(ExperimentSpec {
        name: "Quote form: instant quote vs callback".into(),
        hypothesis: "Showing an instant price on the quote form turns more visits into job \
                     requests than promising a callback."
            .into(),
        goal_id: Some(goal.id),
        variants: vec![variant("callback", true), variant("instant_quote", false)],
        metric: ConversionMetric {
            source: "plumbing".into(),
            query: "SELECT COALESCE(SUM(converted), 0), COUNT(*) FROM quote_visits \
                    WHERE variant = {{variant}}"
                .into(),
        },
        min_sample: 1000,
        max_duration_secs: 86_400,
        interval_secs: 10,
        rule: StoppingRule::Bayesian {
            alpha: 0.05,
            max_loss: 0.002,
        },
        rollout: Some(FollowUp {
            kind: TaskKind::new("notify")?,
            title: "Roll out the {{variant}} quote form".into(),
            input: json!({
                "channel": "demo",
                "text": "Experiment concluded: roll out the {{variant}} quote form to every visitor.",
            }),
        }),
        rollback: Some(FollowUp {
            kind: TaskKind::new("notify")?,
            title: "Roll back the {{variant}} quote form".into(),
            input: json!({
                "channel": "demo",
                "text": "Experiment concluded: roll back the {{variant}} quote form.",
            }),
        }),
    })
}

/// Starts the experiment for `goal`.
pub async fn add(app: &App, goal: &Goal) -> anyhow::Result<Experiment> {
    Ok(app.add_experiment(spec(goal)?, "demo").await?)
}

/// Whether the experiment has ended.
pub async fn ended(store: &dyn Store, id: ExperimentId) -> anyhow::Result<bool> {
    Ok(store
        .experiment(id)
        .await?
        .is_some_and(|e| e.status != juggernaut_core::experiment::ExperimentStatus::Running))
}

/// What the experiment concluded and the follow-up it made, for the summary.
pub async fn summary(store: &dyn Store, id: ExperimentId) -> anyhow::Result<Vec<String>> {
    let Some(e) = store.experiment(id).await? else {
        return Ok(vec![format!("experiment {id} is gone")]);
    };
    let mut lines = vec![format!(
        "experiment {} `{}`: {} after {} iteration(s)",
        e.id, e.spec.name, e.status, e.iteration
    )];
    if let Some(c) = &e.conclusion {
        let winner = c.winner.as_deref().unwrap_or("none");
        lines.push(format!(
            "  verdict: {}, winner: {winner}",
            c.verdict.as_str()
        ));
        lines.push(format!("  {}", c.reason));
        for s in &c.stats {
            lines.push(format!(
                "  {:<14} {:>5} of {:>5} converted (rate {:.3})",
                s.variant, s.successes, s.trials, s.rate
            ));
        }
    }
    Ok(lines)
}
