//! [`ScheduleStore`] for SQLite.

use crate::schedules;
use crate::store::SqliteStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use juggernaut_core::TaskId;
use juggernaut_core::schedule::{NewSchedule, Schedule};
use juggernaut_store::{ScheduleStore, Schedules, StoreResult};

#[async_trait]
impl ScheduleStore for SqliteStore {
    async fn add_schedule(&self, schedule: NewSchedule, actor: &str) -> StoreResult<Schedule> {
        schedules::add(self, schedule, actor).await
    }

    async fn remove_schedule(&self, name: &str, actor: &str) -> StoreResult<bool> {
        schedules::remove(self, name, actor).await
    }

    async fn list_schedules(&self) -> StoreResult<Schedules> {
        schedules::list(self).await
    }

    async fn fire_schedule(
        &self,
        id: i64,
        fire_at: DateTime<Utc>,
        next: DateTime<Utc>,
        actor: &str,
    ) -> StoreResult<Option<TaskId>> {
        schedules::fire(self, id, fire_at, next, actor).await
    }
}
