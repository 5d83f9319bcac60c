//! Cron schedules: add, remove, list (sorted into those that can fire and those that cannot),
//! and fire (a compare-and-set plus the task, in one transaction).

use super::StoreResult;
use crate::error::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use juggernaut_core::TaskId;
use juggernaut_core::schedule::{NewSchedule, Schedule};
use serde::Serialize;

/// The stored schedules: those that can fire, and the rows this binary cannot use (written by an
/// older binary or by hand), each with why. One bad row never hides the others.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Schedules {
    /// Schedules that can fire, by name.
    pub valid: Vec<Schedule>,
    /// Rows that cannot fire, by name.
    pub invalid: Vec<BadSchedule>,
}

/// A stored schedule that cannot fire.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BadSchedule {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Why it cannot fire.
    pub reason: String,
}

impl Schedules {
    /// Sorts a row read from the store into valid or invalid: `read` is the row as a schedule,
    /// or the reason it could not be read.
    pub fn push(&mut self, id: i64, name: String, read: Result<Schedule, StoreError>) {
        let reason = match read {
            Ok(s) => match s.problem() {
                None => return self.valid.push(s),
                Some(p) => p.to_string(),
            },
            Err(e) => e.to_string(),
        };
        self.invalid.push(BadSchedule { id, name, reason });
    }
}

/// Cron schedules.
#[async_trait]
pub trait ScheduleStore: Send + Sync {
    /// Adds a cron schedule; its first fire time is the first after now.
    async fn add_schedule(&self, schedule: NewSchedule, actor: &str) -> StoreResult<Schedule>;

    /// Removes a schedule by name; false if there was none.
    async fn remove_schedule(&self, name: &str, actor: &str) -> StoreResult<bool>;

    /// Every schedule, by name, sorted into those that can fire and those that cannot.
    async fn list_schedules(&self) -> StoreResult<Schedules>;

    /// Fires schedule `id` for `fire_at` if that is still its next fire time: moves it to `next`
    /// and enqueues its task, in one transaction. `None` if another node fired it first.
    async fn fire_schedule(
        &self,
        id: i64,
        fire_at: DateTime<Utc>,
        next: DateTime<Utc>,
        actor: &str,
    ) -> StoreResult<Option<TaskId>>;
}
