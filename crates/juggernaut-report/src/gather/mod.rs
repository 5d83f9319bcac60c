//! Gathering a report: each section read for a [`Period`] through the narrow read traits a
//! task's handles and the application layer both have (goals, costs, task reads), with every
//! list capped, so a report costs a bounded number of reads whatever the history holds.

mod goals;
mod lessons;

pub use lessons::{MAX_LEARNINGS, learning_lines};
mod spend;
mod work;

use crate::data::{ExecutiveReport, Period};
use chrono::{DateTime, Duration, Utc};
use juggernaut_core::DomainError;
use juggernaut_store::{
    CostStore, Experiments, GoalStore, Learnings, Store, StoreResult, TaskReads,
};
use std::sync::Arc;

/// Longest period, in days (one spend read per day).
pub const MAX_DAYS: i64 = 92;

/// The default period, in days.
pub const DEFAULT_DAYS: i64 = 7;

/// Most goals listed.
pub const MAX_GOALS: u32 = 50;

/// Most completed tasks listed.
pub const MAX_DONE: u32 = 100;

/// Most failures listed.
pub const MAX_FAILURES: u32 = 50;

/// Most pending approvals listed.
pub const MAX_APPROVALS: u32 = 50;

/// Most readings drawn per goal.
pub const MAX_SERIES: u32 = 500;

/// What a report is read from.
#[derive(Clone)]
pub struct Sources {
    /// Goals, their readings.
    pub goals: Arc<dyn GoalStore>,
    /// The cost ledger.
    pub costs: Arc<dyn CostStore>,
    /// Tasks and the audit log.
    pub reads: Arc<dyn TaskReads>,
    /// Experiments.
    pub experiments: Arc<dyn Experiments>,
    /// Learnings, when the maker of the report can read them.
    pub learnings: Option<Arc<dyn Learnings>>,
}

impl Sources {
    /// The sources a whole store provides.
    pub fn over(store: Arc<dyn Store>) -> Self {
        Self {
            goals: store.clone(),
            costs: store.clone(),
            reads: store.clone(),
            experiments: store.clone(),
            learnings: Some(store),
        }
    }
}

/// What to report on.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The title (default `Executive report <since> to <until>`).
    pub title: Option<String>,
    /// The period.
    pub period: Period,
    /// `[budgets] day_usd`, to draw each day's spend against.
    pub day_budget_usd: Option<f64>,
}

impl Period {
    /// The period from `since` (default: [`DEFAULT_DAYS`] before `until`) to `until`; refused,
    /// naming `since`, when it does not start before `until` or spans more than [`MAX_DAYS`].
    pub fn ending(since: Option<DateTime<Utc>>, until: DateTime<Utc>) -> Result<Self, DomainError> {
        let since = since.unwrap_or(until - Duration::days(DEFAULT_DAYS));
        let bad = |reason: String| {
            Err(DomainError::InvalidField {
                field: "since",
                reason,
            })
        };
        if since >= until {
            return bad(format!(
                "{} is not before the report's end {}",
                since.format("%Y-%m-%d %H:%M:%S UTC"),
                until.format("%Y-%m-%d %H:%M:%S UTC")
            ));
        }
        if until - since > Duration::days(MAX_DAYS) {
            return bad(format!("a report covers at most {MAX_DAYS} days"));
        }
        Ok(Self { since, until })
    }
}

/// Reads every section of the report `request` asks for.
pub async fn gather(sources: &Sources, request: &Request) -> StoreResult<ExecutiveReport> {
    let period = request.period;
    let (goals, goals_more) = goals::read(sources, period.until).await?;
    let (done, done_more) = work::done(sources, period).await?;
    let (failures, failures_more) = work::failures(sources, period).await?;
    let approvals = work::approvals(sources).await?;
    let spend = spend::read(sources, period, &goals, request.day_budget_usd).await?;
    let experiments = lessons::experiments(sources, period).await?;
    let learnings = lessons::learnings(sources, period).await?;
    let title = request.title.clone().unwrap_or_else(|| {
        format!(
            "Executive report {} to {}",
            period.since.format("%Y-%m-%d"),
            period.until.format("%Y-%m-%d")
        )
    });
    Ok(ExecutiveReport {
        title,
        period,
        goals,
        goals_more,
        done,
        done_more,
        spend,
        failures,
        failures_more,
        approvals,
        experiments,
        learnings_read: learnings.is_some(),
        learnings: learnings.unwrap_or_default(),
    })
}
