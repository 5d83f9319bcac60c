//! Schedules: added only if the task each fire would make passes the same checks as a task
//! enqueued by hand; listed with the rows that cannot fire; removed by name.

use crate::{App, AppError};
use juggernaut_core::schedule::{NewSchedule, Schedule};
use juggernaut_handler::Registry;
use juggernaut_store::Schedules;

/// Checks a schedule as [`App::add_schedule`] does, without a store: the task each fire would
/// make passes its kind's checks, and the schedule is well-formed.
pub fn check_schedule(registry: &Registry, s: &NewSchedule) -> Result<(), AppError> {
    registry.check_task(s.kind.as_str(), &s.input)?;
    s.validate(chrono::Utc::now())?;
    Ok(())
}

impl App {
    /// Adds a checked schedule.
    pub async fn add_schedule(&self, s: NewSchedule, actor: &str) -> Result<Schedule, AppError> {
        check_schedule(&self.registry, &s)?;
        Ok(self.store.add_schedule(s, actor).await?)
    }

    /// Every schedule, those that cannot fire with why.
    pub async fn schedules(&self) -> Result<Schedules, AppError> {
        Ok(self.store.list_schedules().await?)
    }

    /// Removes a schedule by name.
    pub async fn remove_schedule(&self, name: &str, actor: &str) -> Result<(), AppError> {
        if self.store.remove_schedule(name, actor).await? {
            Ok(())
        } else {
            Err(AppError::NoSchedule(name.to_owned()))
        }
    }
}
