//! The cost ledger and budgets. Money is reserved before a paid call and settled after it, and
//! the reservation checks every budget that applies (the goal's, the day's, the model's day) in
//! the same transaction that records it: two workers cannot both spend the last dollar. A
//! reservation counts against budgets at its reserved amount until it is settled, then at what
//! the call really cost.

use super::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use juggernaut_core::cost::CostCategory;
use juggernaut_core::{GoalId, TaskId};
use serde::{Deserialize, Serialize};

mod check;

pub use check::{
    EPSILON_USD, MAX_AMOUNT_USD, MAX_ITEM, MAX_PURPOSE, category_name, check_room, parse_category,
};

/// Identifies one ledger line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CostId(pub i64);

impl std::fmt::Display for CostId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Money to set aside before a paid call.
#[derive(Debug, Clone, PartialEq)]
pub struct Reservation {
    /// The goal charged; its `budget.money_usd` (if any) is checked.
    pub goal_id: Option<GoalId>,
    /// The task that spends it.
    pub task_id: Option<TaskId>,
    /// Model call or paid tool call.
    pub category: CostCategory,
    /// The model or tool (the per-model day budget is per item).
    pub item: String,
    /// What for: `planning`, `coding`, `judging`, a tool's purpose (free text, at most 64 chars).
    pub purpose: String,
    /// The most the call may cost (finite, ≥ 0): what is held until it is settled.
    pub amount_usd: f64,
}

/// Budgets not stored on a goal, from configuration. `None` is no limit.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Limits {
    /// All spending in one UTC day.
    pub day_usd: Option<f64>,
    /// Spending on one item (model or tool) in one UTC day.
    pub item_day_usd: Option<f64>,
}

/// Which budget a reservation would overrun.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "scope", content = "name")]
pub enum BudgetScope {
    /// The goal's money budget.
    Goal(GoalId),
    /// The day's budget.
    Day,
    /// One item's (model's or tool's) day budget.
    Item(String),
}

impl std::fmt::Display for BudgetScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Goal(id) => write!(f, "goal {id}"),
            Self::Day => write!(f, "daily"),
            Self::Item(item) => write!(f, "daily `{item}`"),
        }
    }
}

/// What a settled call really used.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Usage {
    /// Input tokens.
    pub tokens_in: u64,
    /// Output tokens.
    pub tokens_out: u64,
    /// What it cost (finite, ≥ 0); 0 for a call that failed before anything was spent.
    pub amount_usd: f64,
}

/// Whether a ledger line still holds a reservation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CostState {
    /// Held before the call; counts at its reserved amount.
    Reserved,
    /// The call ended; counts at what it cost.
    Settled,
}

impl CostState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reserved => "reserved",
            Self::Settled => "settled",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Reserved, Self::Settled]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

/// One line of the ledger.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostRecord {
    /// Its id.
    pub id: CostId,
    /// The goal charged.
    pub goal_id: Option<GoalId>,
    /// The task that spent it.
    pub task_id: Option<TaskId>,
    /// Category.
    pub category: CostCategory,
    /// Model or tool.
    pub item: String,
    /// What for.
    pub purpose: String,
    /// Reserved or settled.
    pub state: CostState,
    /// What was reserved.
    pub reserved_usd: f64,
    /// What it cost (0 until settled).
    pub amount_usd: f64,
    /// Input tokens.
    pub tokens_in: u64,
    /// Output tokens.
    pub tokens_out: u64,
    /// The UTC day it counts against.
    pub day: NaiveDate,
    /// When it was reserved.
    pub created_at: DateTime<Utc>,
    /// When it was settled.
    pub settled_at: Option<DateTime<Utc>>,
}

/// Which ledger lines to read. Empty fields match everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CostFilter {
    /// Charged to this goal.
    pub goal_id: Option<GoalId>,
    /// Spent by this task.
    pub task_id: Option<TaskId>,
    /// Counting against this UTC day.
    pub day: Option<NaiveDate>,
}

/// Money counted against a budget: settled lines at their cost plus open reservations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Spend {
    /// Settled lines' cost.
    pub settled_usd: f64,
    /// Open reservations' amounts.
    pub reserved_usd: f64,
    /// Lines counted.
    pub calls: u64,
    /// Input tokens of settled lines.
    pub tokens_in: u64,
    /// Output tokens of settled lines.
    pub tokens_out: u64,
}

impl Spend {
    /// What counts against a budget.
    pub fn total_usd(&self) -> f64 {
        self.settled_usd + self.reserved_usd
    }
}

/// The cost ledger.
#[async_trait]
pub trait CostStore: Send + Sync {
    /// Holds `r.amount_usd` if every budget that applies has room for it: the goal's money
    /// budget, `limits.day_usd` for today (UTC; the database clock's on PostgreSQL) and
    /// `limits.item_day_usd` for `r.item` today, checked in that order with [`check_room`].
    /// The check and the insert are one transaction serialised against other reservations, so
    /// concurrent callers cannot overrun a budget together. Refused with
    /// [`crate::StoreError::BudgetExceeded`] naming the first budget that has no room, and
    /// nothing written; a goal that does not exist, and values [`Reservation::check`] or
    /// [`Limits::check`] refuse, are bad input (`StoreError::Domain`). Writes a `cost.reserved`
    /// audit event naming the goal and task.
    async fn reserve(&self, r: &Reservation, limits: &Limits, actor: &str) -> StoreResult<CostId>;

    /// Replaces a reservation with what the call used (`cost.settled` audit event). Settling a
    /// line twice is refused as bad input and the first settlement stands; so are an unknown
    /// line and usage [`Usage::check`] refuses. What a call cost is recorded even when it is
    /// more than was reserved: the money is spent.
    async fn settle(&self, id: CostId, usage: &Usage, actor: &str) -> StoreResult<CostRecord>;

    /// Money counted for the lines matching `filter`.
    async fn spend(&self, filter: &CostFilter) -> StoreResult<Spend>;

    /// Ledger lines matching `filter`, newest first, at most `limit` (1-1000).
    async fn costs(&self, filter: &CostFilter, limit: u32) -> StoreResult<Vec<CostRecord>>;
}
