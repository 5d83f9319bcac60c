//! The spend section: each day of the period from the cost ledger (settled lines and open
//! reservations, as the budgets count them) and each listed goal's spend against its budget.

use super::Sources;
use crate::data::{DaySpend, GoalLine, GoalSpendLine, Period, SpendSection};
use juggernaut_store::{CostFilter, StoreResult};

/// Spend per day of `period` and per goal of `goals`.
pub async fn read(
    sources: &Sources,
    period: Period,
    goals: &[GoalLine],
    day_budget_usd: Option<f64>,
) -> StoreResult<SpendSection> {
    let mut days = Vec::new();
    for day in period.days() {
        let spend = sources
            .costs
            .spend(&CostFilter {
                day: Some(day),
                ..CostFilter::default()
            })
            .await?;
        days.push(DaySpend {
            day,
            usd: spend.total_usd(),
            calls: spend.calls,
        });
    }
    let mut lines = Vec::new();
    for goal in goals {
        let spend = sources
            .costs
            .spend(&CostFilter {
                goal_id: Some(goal.id),
                ..CostFilter::default()
            })
            .await?;
        if spend.total_usd() > 0.0 || goal.budget_usd.is_some() {
            lines.push(GoalSpendLine {
                goal: goal.id,
                title: goal.title.clone(),
                usd: spend.total_usd(),
                budget_usd: goal.budget_usd,
            });
        }
    }
    Ok(SpendSection {
        days,
        day_budget_usd,
        goals: lines,
    })
}
