//! Upkeep of the `tasks` table's physical state, which the queue's speed depends on and which
//! PostgreSQL's background workers may keep too late (or, where autovacuum is off, never):
//! planner statistics after bursts of ready tasks, and dead index entries after many claims.
//! Each is a statement run in the background by the process that noticed the need, at most once
//! per interval, never blocking a caller.

use sqlx::PgPool;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Tasks made ready (enqueued or promoted) by this store after which it refreshes the planner's
/// statistics of `tasks`, at most once per [`ANALYZE_EVERY`].
const ANALYZE_AFTER: u64 = 1_000;
const ANALYZE_EVERY: Duration = Duration::from_secs(10);
/// Tasks claimed by this store after which it vacuums `tasks`, at most once per
/// [`VACUUM_EVERY`].
const VACUUM_AFTER: u64 = 20_000;
const VACUUM_EVERY: Duration = Duration::from_secs(5);

/// A counter that fires after `after` notes, at most once per `every`.
struct Trigger {
    count: AtomicU64,
    last: Mutex<Option<Instant>>,
    after: u64,
    every: Duration,
}

impl Trigger {
    const fn new(after: u64, every: Duration) -> Self {
        Self {
            count: AtomicU64::new(0),
            last: Mutex::new(None),
            after,
            every,
        }
    }

    /// Adds `n`; true when it is time to act (the count starts over).
    fn note(&self, n: u64) -> bool {
        if n == 0 || self.count.fetch_add(n, Ordering::Relaxed) + n < self.after {
            return false;
        }
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        if last.is_some_and(|at| at.elapsed() < self.every) {
            return false;
        }
        *last = Some(Instant::now());
        self.count.store(0, Ordering::Relaxed);
        true
    }
}

/// What one store keeps track of.
pub struct Upkeep {
    ready: Trigger,
    claimed: Trigger,
}

impl Default for Upkeep {
    fn default() -> Self {
        Self {
            ready: Trigger::new(ANALYZE_AFTER, ANALYZE_EVERY),
            claimed: Trigger::new(VACUUM_AFTER, VACUUM_EVERY),
        }
    }
}

impl Upkeep {
    /// Notes `n` tasks made ready; after many, refreshes the statistics of `tasks`.
    ///
    /// Why: the claim's plan depends on how many ready tasks PostgreSQL believes there are. With
    /// statistics taken while few were ready (a fresh database, or a drained queue before a
    /// burst), it expects fewer matches than the claim's `LIMIT`, and prefers to read and sort
    /// the whole ready set (measured: 45 ms per claim at a 50,000 backlog) over walking the
    /// first entries of `tasks_ready` (0.3 ms). Autovacuum fixes that within a minute or so; a
    /// queue cannot wait that long. The damage is bounded by the threshold: until the refresh,
    /// a claim sorts at most about [`ANALYZE_AFTER`] tasks per enqueuing process.
    pub fn note_ready(&self, pool: &PgPool, n: u64) {
        if self.ready.note(n) {
            run(pool, "ANALYZE tasks", "refresh the statistics of tasks");
        }
    }

    /// Notes `n` tasks claimed; after many, vacuums `tasks`.
    ///
    /// Why: a claim takes the first entries of `tasks_ready` in claim order. Every claimed task
    /// leaves its entry there, dead, until a vacuum removes it, so the claims after it walk over
    /// all the dead entries at the head of the index first: measured at a 1,000,000 backlog,
    /// 0.1 ms per claim after a vacuum, 11 ms after 255,000 claims without one (1,278 index
    /// pages of dead entries). With autovacuum off, or behind, the cost per task grows with
    /// the number of tasks done. A vacuum of a 1,000,000-task table took about a second here,
    /// in the background; `SKIP_LOCKED` makes it give way to one already running (another
    /// process's, or autovacuum's).
    pub fn note_claimed(&self, pool: &PgPool, n: u64) {
        if self.claimed.note(n) {
            run(pool, "VACUUM (SKIP_LOCKED) tasks", "vacuum tasks");
        }
    }
}

/// Runs `statement` in the background; a failure is logged (the queue works on, slower).
fn run(pool: &PgPool, statement: &'static str, what: &'static str) {
    let pool = pool.clone();
    tokio::spawn(async move {
        if let Err(error) = sqlx::query(statement).execute(&pool).await {
            tracing::warn!(%error, "cannot {what}");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trigger_fires_after_its_count_at_most_once_per_interval() {
        let t = Trigger::new(10, Duration::from_secs(3600));
        assert!(!t.note(0));
        assert!(!t.note(9));
        assert!(t.note(1), "ten noted");
        assert!(!t.note(50), "not again within the interval");
        let quick = Trigger::new(2, Duration::ZERO);
        assert!(quick.note(2));
        assert!(!quick.note(1), "the count started over");
        assert!(quick.note(1));
    }
}
