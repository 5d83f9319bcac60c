//! The report's data: one struct per section, filled by [`crate::gather`] and read by the
//! renderers. Everything here is plain data (serde), so a report can be rendered from fixed
//! values in tests and its summary stored as JSON.

use chrono::{DateTime, NaiveDate, Utc};
use juggernaut_core::forecast::{Forecast, ForecastStatus};
use juggernaut_core::{GoalId, GoalStatus, RiskLevel, TaskId};
use serde::Serialize;

/// The period a report covers: `since` (inclusive) to `until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    /// Start.
    pub since: DateTime<Utc>,
    /// End (when the report was made).
    pub until: DateTime<Utc>,
}

impl Period {
    /// The days the period touches, oldest first (UTC dates).
    pub fn days(&self) -> Vec<NaiveDate> {
        let last = self.until.date_naive();
        let mut day = self.since.date_naive();
        let mut days = Vec::new();
        while day <= last {
            days.push(day);
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
        days
    }
}

/// The whole report, section by section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExecutiveReport {
    /// Its title.
    pub title: String,
    /// The period covered.
    pub period: Period,
    /// Goals with their readings and forecasts.
    pub goals: Vec<GoalLine>,
    /// Whether there are more goals than are listed.
    pub goals_more: bool,
    /// Tasks completed in the period, newest first.
    pub done: Vec<DoneTask>,
    /// Whether more tasks completed than are listed.
    pub done_more: bool,
    /// Money spent, per day and per goal.
    pub spend: SpendSection,
    /// Tasks that failed for good or went to the dead-letter queue in the period.
    pub failures: Vec<FailureLine>,
    /// Whether more failed than are listed.
    pub failures_more: bool,
    /// Tasks waiting for a person's approval now.
    pub approvals: Vec<ApprovalLine>,
    /// Experiments and where they stand.
    pub experiments: Vec<ExperimentLine>,
    /// What was learned in the period.
    pub learnings: Vec<LearningLine>,
    /// Whether learnings were read (a report made without a learnings source says so).
    pub learnings_read: bool,
}

/// One goal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoalLine {
    /// Its id.
    pub id: GoalId,
    /// Its title.
    pub title: String,
    /// Its status.
    pub status: GoalStatus,
    /// The target value, if it has a measurable target.
    pub target: Option<f64>,
    /// The target's unit.
    pub unit: String,
    /// The latest reading.
    pub current: Option<f64>,
    /// Current against target, 0-1.
    pub progress: Option<f64>,
    /// Its deadline.
    pub deadline: Option<DateTime<Utc>>,
    /// Its readings, oldest first (the newest few hundred).
    pub series: Vec<(DateTime<Utc>, f64)>,
    /// Where the readings are heading, for an active goal with a target and a deadline.
    pub forecast: Option<Forecast>,
    /// Its money budget.
    pub budget_usd: Option<f64>,
}

/// A link to what proves a piece of work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvidenceLink {
    /// What it is, for people (`pull request #12 (merged)`, `file reports/x.md`).
    pub label: String,
    /// Where to look: a pull request's URL or a dashboard link; `None` when there is no page.
    pub href: Option<String>,
    /// A file's SHA-256, when the evidence is a file.
    pub sha256: Option<String>,
}

/// A task completed in the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DoneTask {
    /// Its id.
    pub id: TaskId,
    /// Its kind.
    pub kind: String,
    /// Its title.
    pub title: String,
    /// Its goal.
    pub goal: Option<GoalId>,
    /// When it completed.
    pub at: DateTime<Utc>,
    /// Its evidence: the dashboard page first, then each piece worth a link.
    pub links: Vec<EvidenceLink>,
}

/// Money spent on one day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DaySpend {
    /// The UTC day.
    pub day: NaiveDate,
    /// Settled and reserved, in USD.
    pub usd: f64,
    /// Calls counted.
    pub calls: u64,
}

/// Money counted against one goal's budget (all time).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoalSpendLine {
    /// The goal.
    pub goal: GoalId,
    /// Its title.
    pub title: String,
    /// Settled and reserved, in USD.
    pub usd: f64,
    /// Its money budget.
    pub budget_usd: Option<f64>,
}

/// Spend against the budgets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpendSection {
    /// Each day of the period, oldest first.
    pub days: Vec<DaySpend>,
    /// `[budgets] day_usd`, when configured.
    pub day_budget_usd: Option<f64>,
    /// Goals that spent something or have a money budget.
    pub goals: Vec<GoalSpendLine>,
}

impl SpendSection {
    /// The period's total, in USD.
    pub fn total_usd(&self) -> f64 {
        self.days.iter().map(|d| d.usd).sum()
    }

    /// Days that spent more than the day budget.
    pub fn days_over(&self) -> usize {
        self.day_budget_usd
            .map_or(0, |b| self.days.iter().filter(|d| d.usd > b).count())
    }
}

/// A task that failed for good or went dead in the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailureLine {
    /// Its id.
    pub id: TaskId,
    /// Its kind.
    pub kind: String,
    /// Its title.
    pub title: String,
    /// `dead` (in the dead-letter queue) or `failed`.
    pub outcome: String,
    /// The last error.
    pub error: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// A task waiting for approval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApprovalLine {
    /// Its id.
    pub id: TaskId,
    /// Its kind.
    pub kind: String,
    /// Its title.
    pub title: String,
    /// Its risk band.
    pub risk: RiskLevel,
    /// Its risk score, when the gate scored it.
    pub score: Option<u32>,
    /// Why it needs approval.
    pub reason: String,
    /// Since when it waits.
    pub since: DateTime<Utc>,
}

/// An experiment and where it stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExperimentLine {
    /// Its id.
    pub id: i64,
    /// What it tests.
    pub hypothesis: String,
    /// Its status (`running`, `concluded`, ...).
    pub status: String,
    /// Its conclusion, once there is one.
    pub conclusion: Option<String>,
}

/// Something learned.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LearningLine {
    /// Its id.
    pub id: i64,
    /// What was learned.
    pub text: String,
    /// How often it was seen.
    pub seen: u64,
}

impl ExecutiveReport {
    /// The counts and totals kept with a stored report and sent in its notification.
    pub fn summary(&self) -> serde_json::Value {
        let count = |s: GoalStatus| self.goals.iter().filter(|g| g.status == s).count();
        let at_risk = self
            .goals
            .iter()
            .filter(|g| {
                g.forecast
                    .as_ref()
                    .is_some_and(|f| f.status == ForecastStatus::AtRisk)
            })
            .count();
        serde_json::json!({
            "goals": self.goals.len(),
            "active": count(GoalStatus::Active),
            "achieved": count(GoalStatus::Achieved),
            "missed": count(GoalStatus::Missed),
            "at_risk": at_risk,
            "done": self.done.len(),
            "failures": self.failures.len(),
            "dead": self.failures.iter().filter(|f| f.outcome == "dead").count(),
            "approvals": self.approvals.len(),
            "spend_usd": (self.spend.total_usd() * 10_000.0).round() / 10_000.0,
            "days_over_budget": self.spend.days_over(),
            "experiments": self.experiments.len(),
            "learnings": self.learnings.len(),
            // The lists are capped: `true` says a count is a floor, not a total.
            "goals_more": self.goals_more,
            "done_more": self.done_more,
            "failures_more": self.failures_more,
        })
    }

    /// The summary's lines, the same in every format (a count from a cut list marked `+`).
    pub fn summary_lines(&self) -> Vec<String> {
        let s = self.summary();
        vec![
            format!(
                "Goals: {} ({} active, {} achieved, {} missed; {} at risk)",
                at_least(&s["goals"], self.goals_more),
                s["active"],
                s["achieved"],
                s["missed"],
                s["at_risk"]
            ),
            format!("Tasks done: {}", at_least(&s["done"], self.done_more)),
            format!(
                "Failures: {} ({} dead letters)",
                at_least(&s["failures"], self.failures_more),
                s["dead"]
            ),
            format!("Awaiting approval: {}", s["approvals"]),
            format!("Spend: {}", crate::fmt::usd(self.spend.total_usd())),
        ]
    }

    /// One line for a notification.
    pub fn headline(&self) -> String {
        let s = self.summary();
        format!(
            "{}: {} goals ({} active, {} achieved, {} at risk); {} tasks done, {} failed; {} \
             awaiting approval; ${:.2} spent",
            self.title,
            at_least(&s["goals"], self.goals_more),
            s["active"],
            s["achieved"],
            s["at_risk"],
            at_least(&s["done"], self.done_more),
            at_least(&s["failures"], self.failures_more),
            s["approvals"],
            self.spend.total_usd()
        )
    }
}

/// A count, with `+` when its list was cut (the count is a floor).
fn at_least(n: &serde_json::Value, more: bool) -> String {
    if more { format!("{n}+") } else { n.to_string() }
}
