//! The learner: turns every task's end (completed, dead, failed, cancelled, and each failed
//! attempt that retries) into a learning. Each pass reads the terminal events after the stored
//! cursor in bounded batches and records their learnings with the moved cursor in one
//! transaction, so a crash loses nothing and counts nothing twice (a batch another leader
//! recorded first is refused and read again). Nothing is added to the completion path: the
//! learner reads the audit log behind it.

use super::LeaderConfig;
use super::leader::Reporting;
use crate::idle::{Idle, Loop};
use juggernaut_core::learning::{NewLearning, Terminal};
use juggernaut_core::{DomainError, WorkerId};
use juggernaut_store::{Store, StoreError};

/// Most batches one pass records (each at most `LeaderConfig::learn_batch` events).
const MAX_BATCHES: usize = 8;

/// One pass: capture until the cursor is settled or [`MAX_BATCHES`] batches are recorded.
pub async fn tick(store: &dyn Store, id: &WorkerId, config: &LeaderConfig, report: &Reporting) {
    let idle = &report.idle;
    match capture(store, id, config).await {
        Ok((learned, cursor)) => {
            if learned > 0 {
                tracing::debug!(learned, cursor, "learnings captured");
            }
            idle.idle(
                Loop::Learner,
                Idle::WaitingForNextPass,
                format!(
                    "learned from {learned} task ending(s) this pass; audit log read up to event \
                     {cursor}; next pass in {}s",
                    config.learn_interval.as_secs_f64()
                ),
            );
        }
        Err(e) => idle.idle(
            Loop::Learner,
            Idle::StoreUnavailable,
            format!("store unavailable: {e}"),
        ),
    }
}

/// Records batches; returns how many task endings were learned from and where the cursor is.
pub async fn capture(
    store: &dyn Store,
    id: &WorkerId,
    config: &LeaderConfig,
) -> Result<(u64, i64), StoreError> {
    let actor = format!("learner:{id}");
    let mut learned = 0;
    let mut cursor = store.capture_cursor().await?;
    for _ in 0..MAX_BATCHES {
        let batch = store
            .capture_source(cursor, config.learn_settle, config.learn_batch)
            .await?;
        if batch.next == batch.after {
            break;
        }
        let news: Vec<NewLearning> = batch.ended.iter().map(Terminal::learning).collect();
        match store
            .record_learnings(news, batch.after, batch.next, &actor)
            .await
        {
            Ok(_) => {
                learned += batch.ended.len() as u64;
                cursor = batch.next;
            }
            // Another leader recorded this batch first: read on from where it left the cursor.
            Err(StoreError::Domain(DomainError::InvalidField {
                field: "cursor", ..
            })) => {
                cursor = store.capture_cursor().await?;
            }
            Err(e) => return Err(e),
        }
    }
    Ok((learned, cursor))
}
