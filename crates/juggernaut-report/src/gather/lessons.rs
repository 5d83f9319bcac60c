//! The experiments and learnings sections: experiments running now or ended in the period, with
//! their conclusions, and the learnings seen in the period (not retired), most recent first.

use super::Sources;
use crate::data::{ExperimentLine, LearningLine, Period};
use juggernaut_core::experiment::ExperimentStatus;
use juggernaut_core::learning::Learning;
use juggernaut_store::{ExperimentPage, LearningFilter, LearningPage, StoreResult};

/// Most experiments read (the newest).
const MAX_EXPERIMENTS: u32 = 50;

/// Most learnings read (the newest).
pub const MAX_LEARNINGS: u32 = 50;

/// Experiments running now or ended within the period, newest first.
pub async fn experiments(sources: &Sources, period: Period) -> StoreResult<Vec<ExperimentLine>> {
    let page = ExperimentPage {
        status: None,
        before: None,
        limit: MAX_EXPERIMENTS,
    };
    let found = sources.experiments.experiments(page).await?;
    Ok(found
        .into_iter()
        .filter(|e| {
            e.status == ExperimentStatus::Running || e.ended_at.is_some_and(|t| t >= period.since)
        })
        .map(|e| {
            let conclusion = e.conclusion.as_ref().map(|c| {
                let winner = c
                    .winner
                    .as_deref()
                    .map_or(String::new(), |w| format!(", winner {w}"));
                format!("{}{winner}: {}", c.verdict.as_str(), c.reason)
            });
            ExperimentLine {
                id: e.id.0,
                hypothesis: format!("{}: {}", e.spec.name, e.spec.hypothesis),
                status: e.status.as_str().to_owned(),
                conclusion,
            }
        })
        .collect())
}

/// Learnings last seen within the period, newest first; `None` without a learnings source.
pub async fn learnings(
    sources: &Sources,
    period: Period,
) -> StoreResult<Option<Vec<LearningLine>>> {
    let Some(store) = &sources.learnings else {
        return Ok(None);
    };
    let page = LearningPage {
        before: None,
        limit: MAX_LEARNINGS,
    };
    let found = store.learnings(&LearningFilter::default(), page).await?;
    Ok(Some(learning_lines(found, period)))
}

/// The report's lines for `found` (newest first): those last seen within the period.
pub fn learning_lines(found: Vec<Learning>, period: Period) -> Vec<LearningLine> {
    found
        .into_iter()
        .filter(|l| l.last_seen >= period.since)
        .map(|l| LearningLine {
            id: l.id.0,
            text: format!(
                "{} {}: {} ({})",
                l.kind,
                l.outcome.as_str(),
                l.title,
                l.summary
            ),
            seen: u64::from(l.count),
        })
        .collect()
}
