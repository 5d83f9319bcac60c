//! Escalations: what a person should look at, kept until they acknowledge it. Raising a key that
//! has an open escalation counts it (the database's partial unique index on open keys makes this
//! race-free across processes); raising it after the acknowledgement opens a new one. Raising
//! (when it creates) and acknowledging write `escalation.raised` and `escalation.acked` audit
//! events in the same transaction. The escalator's reads (overdue tasks, failing kinds, goals at
//! their budget, keys already used) are set-based and bounded.

use super::StoreResult;
use crate::error::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use juggernaut_core::escalation::{Escalation, EscalationId, NewEscalation};
use juggernaut_core::{DomainError, GoalId, TaskId, TaskStatus};
use serde::Serialize;
use std::time::Duration;

/// Most escalations one call reads.
pub const MAX_ESCALATIONS: u32 = 1000;

/// A page of escalations: newest first, ids below `before`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EscalationPage {
    /// The last id of the previous page, or `None` for the newest.
    pub before: Option<EscalationId>,
    /// Page size (1-1000; outside is refused).
    pub limit: u32,
}

impl Default for EscalationPage {
    fn default() -> Self {
        Self {
            before: None,
            limit: 50,
        }
    }
}

/// Refuses a limit outside 1-[`MAX_ESCALATIONS`], naming it.
pub fn check_limit(limit: u32) -> StoreResult<()> {
    if (1..=MAX_ESCALATIONS).contains(&limit) {
        return Ok(());
    }
    Err(StoreError::Domain(DomainError::InvalidField {
        field: "limit",
        reason: format!("{limit} is out of range: use 1 to {MAX_ESCALATIONS}"),
    }))
}

/// The refusal of an acknowledgement: no such escalation.
pub fn no_escalation(id: EscalationId) -> StoreError {
    StoreError::Domain(DomainError::InvalidField {
        field: "escalation",
        reason: format!(
            "no escalation has id {id} (`juggernaut escalation list --all` shows them)"
        ),
    })
}

/// The refusal of an acknowledgement: acknowledged before.
pub fn already_acked(e: &Escalation) -> StoreError {
    let when = e
        .acked_at
        .map(|at| at.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_default();
    let by = e.acked_by.as_deref().unwrap_or("?");
    StoreError::Domain(DomainError::InvalidField {
        field: "escalation",
        reason: format!(
            "escalation {} (`{}`) is already acknowledged (at {when} by {by})",
            e.id, e.key
        ),
    })
}

/// A task that waits longer than it should: `ready` (or `pending` with every dependency done
/// and its run time past) without a claim, or `waiting_approval` without a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverdueTask {
    /// The task.
    pub task: TaskId,
    /// Its goal.
    pub goal: Option<GoalId>,
    /// Its kind.
    pub kind: String,
    /// Its title.
    pub title: String,
    /// `ready`, `pending` or `waiting_approval`.
    pub status: TaskStatus,
    /// Since when it waits (when it became ready or due, or asked for approval).
    pub since: DateTime<Utc>,
}

/// A kind whose attempts failed often in a window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailingKind {
    /// The kind.
    pub kind: String,
    /// Failed attempts in the window (retries scheduled, dead, failed, timed out).
    pub failures: u64,
}

/// An active goal whose money budget is spent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoalSpend {
    /// The goal.
    pub goal: GoalId,
    /// Its `budget.money_usd`.
    pub budget_usd: f64,
    /// What counts against it: settled lines and open reservations.
    pub spent_usd: f64,
}

/// The escalations table, and what the escalator reads to raise them.
#[async_trait]
pub trait Escalations: Send + Sync {
    /// Raises one: a new record (`created` true, with its `escalation.raised` event naming
    /// `actor`, in one transaction), or, when an open (unacknowledged) one has the same key,
    /// that record with `count + 1`, `last_at` now, the latest message and the higher of the two
    /// levels (`created` false, no event). Refuses (`StoreError::Domain`, nothing written) what
    /// [`NewEscalation::check`] refuses and a blank actor.
    async fn raise(&self, e: NewEscalation, actor: &str) -> StoreResult<(Escalation, bool)>;

    /// Escalations newest first (open ones only when `open_only`), one page; a limit outside
    /// 1-1000 is refused.
    async fn escalations(
        &self,
        open_only: bool,
        page: EscalationPage,
    ) -> StoreResult<Vec<Escalation>>;

    /// Acknowledged by a person: sets `acked_at`, `acked_by`, `ack_note` with an
    /// `escalation.acked` event (actor and note) in one transaction. An unknown id or one
    /// acknowledged before is refused (`StoreError::Domain` naming it; nothing written), as are
    /// a blank actor and a note [`juggernaut_core::escalation::check_note`] refuses.
    async fn ack(&self, id: EscalationId, actor: &str, note: &str) -> StoreResult<Escalation>;

    /// Marks escalations as sent through notify (each is sent once); ids already marked or
    /// unknown are left alone. At most 1000 ids.
    async fn mark_notified(&self, ids: &[EscalationId]) -> StoreResult<()>;

    /// Open escalations never sent, oldest first, at most `limit` (1-1000): what the escalator
    /// sends (again, after a failed send).
    async fn unnotified(&self, limit: u32) -> StoreResult<Vec<Escalation>>;

    /// Which of `keys` (at most 1000) any escalation has used, open or acknowledged.
    async fn escalation_keys_used(&self, keys: &[String]) -> StoreResult<Vec<String>>;

    /// Tasks waiting too long, oldest first, at most `limit` (1-1000): `ready` since more than
    /// `stuck_after` (since its run time or last change, whichever is later), `pending` with no
    /// unfinished dependency and its run time more than `stuck_after` ago, and
    /// `waiting_approval` since more than `approval_after`.
    async fn overdue_tasks(
        &self,
        stuck_after: Duration,
        approval_after: Duration,
        limit: u32,
    ) -> StoreResult<Vec<OverdueTask>>;

    /// Kinds whose attempts failed at least `at_least` times within the last `window` (from the
    /// audit log: `task.retry_scheduled`, `task.dead`, `task.failed`, `task.timed_out`), most
    /// failures first, at most `limit` (1-1000).
    async fn failing_kinds(
        &self,
        window: Duration,
        at_least: u32,
        limit: u32,
    ) -> StoreResult<Vec<FailingKind>>;

    /// Active goals with a money budget whose spend (settled lines plus open reservations)
    /// reaches it, at most `limit` (1-1000), by goal id.
    async fn goals_over_budget(&self, limit: u32) -> StoreResult<Vec<GoalSpend>>;
}
