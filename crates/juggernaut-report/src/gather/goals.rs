//! The goals section: the newest goals with their readings and, for an active goal with a
//! target and a deadline, the forecast of where its readings are heading.

use super::{MAX_GOALS, MAX_SERIES, Sources};
use crate::data::GoalLine;
use chrono::{DateTime, Utc};
use juggernaut_core::forecast::forecast;
use juggernaut_core::{Goal, GoalStatus};
use juggernaut_store::{GoalFilter, StoreResult};

/// The newest goals (and whether there are more), each with its series and forecast.
pub async fn read(sources: &Sources, now: DateTime<Utc>) -> StoreResult<(Vec<GoalLine>, bool)> {
    let mut goals = sources
        .goals
        .list_goals(&GoalFilter::default(), MAX_GOALS + 1)
        .await?;
    let more = goals.len() > MAX_GOALS as usize;
    goals.truncate(MAX_GOALS as usize);
    let mut lines = Vec::with_capacity(goals.len());
    for goal in goals {
        let series = if goal.spec.target.is_some() {
            sources.goals.metric_series(goal.id, MAX_SERIES).await?
        } else {
            Vec::new()
        };
        lines.push(line(goal, &series, now));
    }
    Ok((lines, more))
}

fn line(goal: Goal, series: &[juggernaut_core::goal::MetricPoint], now: DateTime<Utc>) -> GoalLine {
    let target = goal.spec.target.as_ref();
    let forecast = match (target, goal.spec.deadline) {
        (Some(t), Some(deadline)) if goal.status == GoalStatus::Active => {
            // The newest readings, as many as the dashboard and the escalator use.
            let from = series
                .len()
                .saturating_sub(juggernaut_core::forecast::MAX_POINTS as usize);
            Some(forecast(&series[from..], t.target, deadline, now))
        }
        _ => None,
    };
    GoalLine {
        id: goal.id,
        title: goal.spec.title.clone(),
        status: goal.status,
        target: target.map(|t| t.target),
        unit: target.map(|t| t.unit.clone()).unwrap_or_default(),
        current: goal.current,
        progress: goal.progress(),
        deadline: goal.spec.deadline,
        series: series.iter().map(|p| (p.at, p.value)).collect(),
        forecast,
        budget_usd: goal.spec.budget.money_usd,
    }
}
