//! Status: who leads, which workers run and why they are idle, how many tasks in each status,
//! and what was spent today.

use crate::{App, AppError};
use juggernaut_core::TaskStatus;
use juggernaut_store::leadership::ENGINE;
use juggernaut_store::{CostFilter, LeaderInfo, Spend, WorkerRecord};
use serde::Serialize;

/// The engine at a glance.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// The leader of the singleton loops, if any.
    pub leader: Option<LeaderInfo>,
    /// Registered workers.
    pub workers: Vec<WorkerRecord>,
    /// Task counts by status (statuses with none left out).
    pub tasks: serde_json::Map<String, serde_json::Value>,
    /// Money counted against today's (UTC, database clock) budget: settled and held.
    pub spend_today: Spend,
    /// Today's budget in USD (`[budgets] day_usd`), if one is set.
    pub day_budget_usd: Option<f64>,
}

impl Status {
    /// The count of one status.
    pub fn count(&self, status: TaskStatus) -> u64 {
        self.tasks
            .get(status.as_str())
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0)
    }
}

impl App {
    /// The engine at a glance.
    pub async fn status(&self) -> Result<Status, AppError> {
        let workers = self.store.list_workers().await?;
        let leader = self.store.leader(ENGINE).await?;
        let tasks = self
            .store
            .count_by_status()
            .await?
            .into_iter()
            .map(|(s, n)| (s.to_string(), n.into()))
            .collect();
        let today = CostFilter {
            day: Some(self.store.now().await?.date_naive()),
            ..Default::default()
        };
        let spend_today = self.store.spend(&today).await?;
        Ok(Status {
            leader,
            workers,
            tasks,
            spend_today,
            day_budget_usd: self.day_budget_usd,
        })
    }

    /// Registered workers.
    pub async fn workers(&self) -> Result<Vec<WorkerRecord>, AppError> {
        Ok(self.store.list_workers().await?)
    }
}
