//! Proactive generation: templates that propose extra tasks for active goals, at most `per_day`
//! times a UTC day each. A proposal's dedupe key names its goal, its template and its slot of
//! the day, so that a slot yields one task however often the leader looks and whichever node
//! leads (the store refuses a key it has seen).

use crate::goal::Goal;
use crate::task::NewTask;
use chrono::{DateTime, Timelike, Utc};

/// Most proposals one template may make per day (one every 15 minutes).
pub const MAX_PER_DAY: u32 = 96;

/// What proposes tasks for goals (the playbooks' `[[proactive]]` templates).
pub trait Proposals: Send + Sync {
    /// The tasks to propose for `goal` at `now`, each with its slot's dedupe key.
    fn propose(&self, goal: &Goal, now: DateTime<Utc>) -> Vec<NewTask>;
}

/// The dedupe key of `template`'s proposal for goal `goal` in the slot of `now` when the day is
/// cut into `per_day` slots (1..=[`MAX_PER_DAY`]).
pub fn slot_key(goal: i64, template: &str, per_day: u32, now: DateTime<Utc>) -> String {
    let per_day = per_day.clamp(1, MAX_PER_DAY);
    // Multiplied first: `86_400 / per_day` would leave a short extra slot at the end of the day
    // when `per_day` does not divide a day evenly.
    let slot = u64::from(now.num_seconds_from_midnight()) * u64::from(per_day) / 86_400;
    format!(
        "proactive:{goal}:{template}:{}:{slot}",
        now.format("%Y-%m-%d")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn one_key_per_slot() {
        let at = |h, m| Utc.with_ymd_and_hms(2026, 11, 29, h, m, 0).unwrap();
        assert_eq!(
            slot_key(7, "t", 1, at(0, 0)),
            slot_key(7, "t", 1, at(23, 59))
        );
        assert_eq!(slot_key(7, "t", 1, at(0, 0)), "proactive:7:t:2026-11-29:0");
        assert_ne!(
            slot_key(7, "t", 2, at(11, 59)),
            slot_key(7, "t", 2, at(12, 0))
        );
        assert_ne!(slot_key(7, "t", 1, at(1, 0)), slot_key(8, "t", 1, at(1, 0)));
        // Out-of-range caps are clamped, never a division by zero.
        assert_eq!(slot_key(1, "t", 0, at(5, 0)), slot_key(1, "t", 1, at(5, 0)));
        assert!(slot_key(1, "t", 10_000, at(23, 59)).ends_with(":95"));
        // Seven a day: the last second of the day is in the seventh slot, not an eighth.
        let last = Utc.with_ymd_and_hms(2026, 11, 29, 23, 59, 59).unwrap();
        assert!(slot_key(1, "t", 7, last).ends_with(":6"));
    }
}
