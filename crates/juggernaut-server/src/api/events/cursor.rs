//! Where one connection is in the audit log, and which of a page read after it may be sent now.
//!
//! Ids come from one counter per database, but on PostgreSQL several transactions draw them at
//! once and may commit out of order: a reader can see id 11 while id 10 is still uncommitted.
//! Moving past 10 then would skip it for good. So on PostgreSQL an event that follows a gap is
//! held back until it is [`GAP_WAIT_MS`] old by the store's clock (`at` is the clock at insert):
//! by then the transaction that drew the missing id has committed (and the next read returns it)
//! or was rolled back (the id is never used). A transaction open longer than that can still be
//! missed; the audit log itself keeps the event. SQLite has one writer, so its ids become visible
//! in order and a gap there is always for good.

use chrono::{DateTime, Utc};
use juggernaut_core::AuditEvent;
use juggernaut_core::ids::EventId;

/// How old an event after a gap must be before the gap is taken as for good (PostgreSQL).
pub const GAP_WAIT_MS: i64 = 2000;

/// The last id sent on a connection; it only ever moves forward.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// The last id sent (or the id the connection started after).
    pub last: EventId,
    /// Whether a gap may still be filled by a later commit (PostgreSQL).
    pub gaps_fill: bool,
}

impl Cursor {
    /// Whether [`Cursor::ready`] needs the store's clock for `page` (read after
    /// [`Cursor::last`], ids increasing): on PostgreSQL, when the page has a gap.
    pub fn needs_clock(&self, page: &[AuditEvent]) -> bool {
        self.gaps_fill && has_gap(self.last, page)
    }

    /// The events of `page` to send now, in order: all of them, or on PostgreSQL those before
    /// the first gap whose next event is younger than [`GAP_WAIT_MS`] at `store_now` (any gap
    /// when no clock is given). An id at or below the cursor is dropped (a store never returns
    /// one; no id goes out twice). Moves the cursor to the last event returned.
    pub fn ready(
        &mut self,
        page: Vec<AuditEvent>,
        store_now: Option<DateTime<Utc>>,
    ) -> Vec<AuditEvent> {
        let mut out = Vec::with_capacity(page.len());
        for e in page {
            if e.id <= self.last {
                continue;
            }
            let gap = e.id.0 != self.last.0.saturating_add(1);
            if gap && self.gaps_fill {
                let settled =
                    store_now.is_some_and(|now| (now - e.at).num_milliseconds() >= GAP_WAIT_MS);
                if !settled {
                    break;
                }
            }
            self.last = e.id;
            out.push(e);
        }
        out
    }
}

/// Whether some event in `page` does not directly follow the one before it (or `last`).
fn has_gap(last: EventId, page: &[AuditEvent]) -> bool {
    let mut prev = last;
    page.iter().any(|e| {
        let gap = e.id.0 != prev.0.saturating_add(1);
        prev = e.id;
        gap
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;
    use juggernaut_core::EventKind;

    fn event(id: i64, at: DateTime<Utc>) -> AuditEvent {
        AuditEvent {
            id: EventId(id),
            at,
            kind: EventKind::TaskEnqueued,
            task_id: None,
            goal_id: None,
            from_status: None,
            to_status: None,
            actor: "t".into(),
            data: serde_json::Value::Null,
        }
    }

    fn ids(events: &[AuditEvent]) -> Vec<i64> {
        events.iter().map(|e| e.id.0).collect()
    }

    fn cursor(last: i64, gaps_fill: bool) -> Cursor {
        Cursor {
            last: EventId(last),
            gaps_fill,
        }
    }

    #[test]
    fn contiguous_pages_go_out_whole() {
        let now = Utc::now();
        let page = [event(6, now), event(7, now), event(8, now)];
        let mut c = cursor(5, true);
        assert!(!c.needs_clock(&page));
        assert_eq!(ids(&c.ready(page.to_vec(), None)), [6, 7, 8]);
        assert_eq!(c.last, EventId(8));
    }

    #[test]
    fn on_sqlite_a_gap_is_for_good() {
        let now = Utc::now();
        let page = [event(6, now), event(9, now)];
        let mut c = cursor(5, false);
        assert!(!c.needs_clock(&page));
        assert_eq!(ids(&c.ready(page.to_vec(), None)), [6, 9]);
        assert_eq!(c.last, EventId(9));
    }

    #[test]
    fn on_postgres_a_young_gap_holds_back_what_follows() {
        let now = Utc::now();
        let page = [event(6, now), event(8, now), event(9, now)];
        let mut c = cursor(5, true);
        assert!(c.needs_clock(&page));
        let sent = c.ready(page.to_vec(), Some(now));
        assert_eq!(ids(&sent), [6], "only 6: 7 may still commit");
        assert_eq!(c.last, EventId(6));
        // Read again after 7 committed: all go out, in order.
        let page = [event(7, now), event(8, now), event(9, now)];
        assert!(!c.needs_clock(&page));
        assert_eq!(ids(&c.ready(page.to_vec(), Some(now))), [7, 8, 9]);
        assert_eq!(c.last, EventId(9));
    }

    #[test]
    fn on_postgres_an_old_gap_is_passed() {
        let now = Utc::now();
        let old = now - TimeDelta::milliseconds(GAP_WAIT_MS);
        let page = [event(8, old), event(10, now)];
        let mut c = cursor(5, true);
        let sent = c.ready(page.to_vec(), Some(now));
        assert_eq!(ids(&sent), [8], "8 is settled, 10 is not");
        assert_eq!(c.last, EventId(8));
        assert!(
            c.ready(page[1..].to_vec(), None).is_empty(),
            "no clock: held"
        );
    }

    #[test]
    fn ids_already_sent_are_never_sent_again() {
        let now = Utc::now();
        let mut c = cursor(7, false);
        let sent = c.ready(vec![event(6, now), event(7, now), event(8, now)], None);
        assert_eq!(ids(&sent), [8]);
        assert_eq!(c.last, EventId(8));
    }
}
