//! The filtered read of the audit log ([`crate::TaskReads::audit`]): which events, and which page
//! of them. Events are never changed or deleted (both backends refuse it), so a page read now
//! reads the same later, and the log outlives the tasks it describes.

use chrono::{DateTime, Utc};
use juggernaut_core::ids::EventId;
use juggernaut_core::{AuditEvent, EventKind, TaskId};
use serde::Serialize;

/// Most events one page holds.
pub const MAX_AUDIT_PAGE: u32 = 1000;

/// Which events to read. Every condition set must hold; an empty filter matches every event.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    /// Only events of this task (a pruned task's too).
    pub task_id: Option<TaskId>,
    /// Only events written by this actor (exact match: a worker id, `cli`, a person's name).
    pub actor: Option<String>,
    /// Only events of any of these kinds (empty: every kind).
    pub kinds: Vec<EventKind>,
    /// Only events written at or after this time.
    pub since: Option<DateTime<Utc>>,
}

impl AuditFilter {
    /// Checks what a store can keep: an actor without NUL.
    pub fn check(&self) -> Result<(), crate::StoreError> {
        if let Some(actor) = &self.actor {
            juggernaut_core::text::check_text("actor", actor)?;
        }
        Ok(())
    }
}

/// A page request over the audit log: newest first, ids below `before`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditCursor {
    /// The previous page's `next_before`, or `None` for the newest events.
    pub before: Option<EventId>,
    /// Page size (clamped to 1-[`MAX_AUDIT_PAGE`]).
    pub limit: u32,
}

impl Default for AuditCursor {
    fn default() -> Self {
        Self {
            before: None,
            limit: 50,
        }
    }
}

impl AuditCursor {
    /// The limit clamped to 1-[`MAX_AUDIT_PAGE`].
    pub fn clamped_limit(&self) -> u32 {
        self.limit.clamp(1, MAX_AUDIT_PAGE)
    }
}

/// One page of audit events, newest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditPage {
    /// The events, newest first.
    pub events: Vec<AuditEvent>,
    /// Pass as `before` for the next (older) page; `None` on the last page.
    pub next_before: Option<EventId>,
}

impl AuditPage {
    /// Builds a page from up to `limit + 1` events read newest first.
    pub fn from_rows(mut rows: Vec<AuditEvent>, limit: u32) -> Self {
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next_before = if more {
            rows.last().map(|e| e.id)
        } else {
            None
        };
        Self {
            events: rows,
            next_before,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: i64) -> AuditEvent {
        AuditEvent {
            id: EventId(id),
            at: Utc::now(),
            kind: EventKind::TaskEnqueued,
            task_id: None,
            goal_id: None,
            from_status: None,
            to_status: None,
            actor: "a".into(),
            data: serde_json::json!({}),
        }
    }

    #[test]
    fn pages_know_whether_more_follow() {
        let full = AuditPage::from_rows(vec![event(5), event(4), event(3)], 2);
        assert_eq!(full.events.len(), 2);
        assert_eq!(full.next_before, Some(EventId(4)));
        let last = AuditPage::from_rows(vec![event(2)], 2);
        assert_eq!(last.next_before, None);
        let limit = |n| {
            AuditCursor {
                before: None,
                limit: n,
            }
            .clamped_limit()
        };
        assert_eq!((limit(0), limit(5), limit(5000)), (1, 5, MAX_AUDIT_PAGE));
    }

    #[test]
    fn an_actor_with_nul_is_refused() {
        let f = AuditFilter {
            actor: Some("a\0b".into()),
            ..Default::default()
        };
        assert!(f.check().is_err());
        assert!(AuditFilter::default().check().is_ok());
    }
}
