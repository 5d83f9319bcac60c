//! Cron schedules: a cron expression (croner; 5 fields, or 6 with seconds) and the task template
//! each fire time creates. The fire time is part of the task's dedupe key, so a fire time makes
//! its task at most once however many nodes try.

use crate::error::DomainError;
use crate::ids::TaskId;
use crate::kind::TaskKind;
use crate::task::{NewTask, Origin};
use chrono::{DateTime, Timelike, Utc};
use croner::Cron;
use croner::parser::{CronParser, Seconds};
use serde::{Deserialize, Serialize};

/// A parsed cron expression.
#[derive(Debug, Clone)]
pub struct CronExpr {
    cron: Cron,
}

impl CronExpr {
    /// Parses `text`; the error names the expression and what is wrong with it.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let cron = CronParser::builder()
            .seconds(Seconds::Optional)
            .build()
            .parse(text)
            .map_err(|e| DomainError::InvalidField {
                field: "cron",
                reason: format!("`{text}`: {e}"),
            })?;
        Ok(Self { cron })
    }

    /// The first fire time strictly after `t`, on a whole second.
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let whole = t.with_nanosecond(0)?;
        self.cron.find_next_occurrence(&whole, false).ok()
    }
}

/// A schedule to add.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewSchedule {
    /// Unique name.
    pub name: String,
    /// Cron expression.
    pub cron: String,
    /// Kind of the task each fire creates.
    pub kind: TaskKind,
    /// Its title.
    pub title: String,
    /// Its input.
    pub input: serde_json::Value,
    /// Its priority.
    pub priority: i32,
    /// Its attempts.
    pub max_attempts: u32,
}

impl NewSchedule {
    /// Checks the name, the cron expression and the task each fire would create (as a task
    /// enqueued by hand is checked), and returns the first fire time after `now`.
    pub fn validate(&self, now: DateTime<Utc>) -> Result<DateTime<Utc>, DomainError> {
        if self.name.is_empty() || self.name.len() > 100 {
            return Err(DomainError::InvalidField {
                field: "name",
                reason: "must be 1-100 bytes".into(),
            });
        }
        crate::text::check_text("name", &self.name)?;
        crate::text::check_text("cron", &self.cron)?;
        template(
            &self.kind,
            &self.title,
            &self.input,
            self.priority,
            self.max_attempts,
        )
        .validate()?;
        first_fire(&self.cron, now)
    }
}

/// The first fire time of `cron` after `now`, or why there is none.
fn first_fire(cron: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, DomainError> {
    CronExpr::parse(cron)?
        .next_after(now)
        .ok_or_else(|| DomainError::InvalidField {
            field: "cron",
            reason: format!("`{cron}` never fires"),
        })
}

/// The task a schedule's fire creates, without its per-fire dedupe key.
fn template(
    kind: &TaskKind,
    title: &str,
    input: &serde_json::Value,
    priority: i32,
    max_attempts: u32,
) -> NewTask {
    let mut t = NewTask::new(kind.clone());
    t.title = title.to_owned();
    t.input = input.clone();
    t.priority = priority;
    t.max_attempts = max_attempts;
    t.origin = Origin::Schedule;
    t
}

/// A stored schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    /// Id.
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// Cron expression.
    pub cron: String,
    /// Task kind.
    pub kind: TaskKind,
    /// Task title.
    pub title: String,
    /// Task input.
    pub input: serde_json::Value,
    /// Task priority.
    pub priority: i32,
    /// Task attempts.
    pub max_attempts: u32,
    /// The next fire time.
    pub next_fire_at: DateTime<Utc>,
    /// The last fire time, if any.
    pub last_fired_at: Option<DateTime<Utc>>,
    /// The task the last fire created.
    pub last_task_id: Option<TaskId>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl Schedule {
    /// Why this stored schedule cannot fire (a row written by an older binary or by hand that
    /// today's checks refuse), or `None` if it can.
    pub fn problem(&self) -> Option<DomainError> {
        let fire_at = self.next_fire_at;
        let checked =
            first_fire(&self.cron, fire_at).and_then(|_| self.task_for(fire_at).validate());
        checked.err()
    }

    /// The task the fire at `fire_at` creates.
    pub fn task_for(&self, fire_at: DateTime<Utc>) -> NewTask {
        let mut t = template(
            &self.kind,
            &self.title,
            &self.input,
            self.priority,
            self.max_attempts,
        );
        t.dedupe_key = Some(format!(
            "schedule:{}:{}",
            self.id,
            fire_at.timestamp_millis()
        ));
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn five_and_six_field_expressions_parse() {
        let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 30).unwrap();
        let every_min = CronExpr::parse("* * * * *").unwrap();
        assert_eq!(
            every_min.next_after(at),
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 1, 0).single()
        );
        let frac = at + chrono::Duration::milliseconds(345);
        assert_eq!(
            every_min.next_after(frac),
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 1, 0).single()
        );
        let every_s = CronExpr::parse("* * * * * *").unwrap();
        assert_eq!(
            every_s.next_after(frac),
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 31).single()
        );
        let every_2s = CronExpr::parse("*/2 * * * * *").unwrap();
        assert_eq!(
            every_2s.next_after(at),
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 32).single()
        );
    }

    #[test]
    fn bad_expressions_are_named() {
        let err = CronExpr::parse("every tuesday").unwrap_err().to_string();
        assert!(err.contains("`every tuesday`"), "{err}");
    }

    fn new_schedule() -> NewSchedule {
        NewSchedule {
            name: "n".into(),
            cron: "* * * * *".into(),
            kind: TaskKind::new("noop").unwrap(),
            title: "t".into(),
            input: serde_json::json!({}),
            priority: 0,
            max_attempts: 3,
        }
    }

    #[test]
    fn the_task_a_schedule_makes_is_checked_at_the_door() {
        let now = Utc::now();
        assert!(new_schedule().validate(now).is_ok());
        let poison = NewSchedule {
            max_attempts: 0,
            ..new_schedule()
        };
        let err = poison.validate(now).unwrap_err().to_string();
        assert!(err.contains("max_attempts"), "{err}");
        let nul = NewSchedule {
            input: serde_json::json!({"a": "\u{0}"}),
            ..new_schedule()
        };
        assert!(nul.validate(now).unwrap_err().to_string().contains("NUL"));
        let untitled = NewSchedule {
            title: String::new(),
            ..new_schedule()
        };
        assert!(
            untitled
                .validate(now)
                .unwrap_err()
                .to_string()
                .contains("title")
        );
    }

    #[test]
    fn each_fire_time_has_its_own_dedupe_key() {
        let now = Utc::now();
        let s = Schedule {
            id: 7,
            name: "n".into(),
            cron: "* * * * *".into(),
            kind: TaskKind::new("noop").unwrap(),
            title: "t".into(),
            input: serde_json::json!({}),
            priority: 0,
            max_attempts: 3,
            next_fire_at: now,
            last_fired_at: None,
            last_task_id: None,
            created_at: now,
        };
        let a = s.task_for(now);
        let b = s.task_for(now + chrono::Duration::seconds(60));
        assert_ne!(a.dedupe_key, b.dedupe_key);
        assert_eq!(a.origin, Origin::Schedule);
        assert!(a.dedupe_key.unwrap().starts_with("schedule:7:"));
        assert!(s.problem().is_none());
        let bad_row = Schedule {
            max_attempts: 0,
            ..s.clone()
        };
        assert!(
            bad_row
                .problem()
                .unwrap()
                .to_string()
                .contains("max_attempts")
        );
        let bad_cron = Schedule {
            cron: "often".into(),
            ..s
        };
        assert!(bad_cron.problem().unwrap().to_string().contains("`often`"));
    }
}
