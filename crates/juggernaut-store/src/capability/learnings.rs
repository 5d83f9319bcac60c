//! Learnings: what terminal tasks taught, one row per fingerprint. The capture reads terminal
//! events after its cursor ([`Learnings::capture_source`]) and records the learnings they yield
//! with the new cursor in one transaction ([`Learnings::record_learnings`]: the cursor moves by
//! compare-and-set, so a batch is counted once even if two leaders capture at once). People list,
//! edit (summary, tags; kept by later captures) and retire them, each change with its audit
//! event; prompts read bounded candidates; the error scan reads failures seen repeatedly.

use super::StoreResult;
use crate::error::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use juggernaut_core::learning::{
    Learning, LearningEdit, LearningId, NewLearning, Outcome, Terminal,
};
use juggernaut_core::{DomainError, TaskId};
use serde::Serialize;
use std::time::Duration;

/// Most learnings one call reads.
pub const MAX_LEARNINGS: u32 = 1000;

/// A page of learnings: newest (last seen) first by id, ids below `before`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LearningPage {
    /// The last id of the previous page, or `None` for the newest.
    pub before: Option<LearningId>,
    /// Page size (1-1000; outside is refused).
    pub limit: u32,
}

impl Default for LearningPage {
    fn default() -> Self {
        Self {
            before: None,
            limit: 50,
        }
    }
}

/// Which learnings a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LearningFilter {
    /// Only this task kind.
    pub kind: Option<String>,
    /// Only this outcome.
    pub outcome: Option<Outcome>,
    /// Only those with this tag.
    pub tag: Option<String>,
    /// Retired ones too.
    pub include_retired: bool,
}

/// What the capture reads in one pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureBatch {
    /// The cursor the batch was read after.
    pub after: i64,
    /// The cursor to store with the batch's learnings (the last event looked at).
    pub next: i64,
    /// The terminal tasks (and failed attempts) found, in event order.
    pub ended: Vec<Terminal>,
}

/// A failure seen repeatedly (for the error scan).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RepeatedFailure {
    /// The learning.
    pub learning: LearningId,
    /// The task kind.
    pub kind: String,
    /// The error's fingerprint.
    pub fingerprint: String,
    /// The latest error.
    pub sample_error: String,
    /// Times seen.
    pub count: u32,
    /// The latest task that failed so.
    pub last_task: Option<TaskId>,
    /// When.
    pub last_seen: DateTime<Utc>,
}

/// Refuses a limit outside 1-[`MAX_LEARNINGS`], naming it.
pub fn check_limit(limit: u32) -> StoreResult<()> {
    if (1..=MAX_LEARNINGS).contains(&limit) {
        return Ok(());
    }
    Err(StoreError::Domain(DomainError::InvalidField {
        field: "limit",
        reason: format!("{limit} is out of range: use 1 to {MAX_LEARNINGS}"),
    }))
}

/// The refusal of a change to a learning that does not exist.
pub fn no_learning(id: LearningId) -> StoreError {
    StoreError::Domain(DomainError::InvalidField {
        field: "learning",
        reason: format!("no learning has id {id} (`juggernaut learning list --all` shows them)"),
    })
}

/// A failure learning as the error scan reads it.
pub fn repeated(l: Learning) -> RepeatedFailure {
    RepeatedFailure {
        learning: l.id,
        kind: l.kind,
        fingerprint: l.fingerprint,
        sample_error: l.error.unwrap_or(l.summary),
        count: l.count,
        last_task: l.last_task,
        last_seen: l.last_seen,
    }
}

/// A batch folded by fingerprint, in order of first appearance: each fingerprint once, with the
/// fields of its latest entry and how many entries it stands for (one upsert each).
pub fn fold(learnings: &[NewLearning]) -> Vec<(&NewLearning, u32)> {
    let mut out: Vec<(&NewLearning, u32)> = Vec::new();
    for l in learnings {
        match out
            .iter_mut()
            .find(|(seen, _)| seen.fingerprint == l.fingerprint)
        {
            Some(entry) => *entry = (l, entry.1.saturating_add(1)),
            None => out.push((l, 1)),
        }
    }
    out
}

/// The kinds (`type`) of a task's stored evidence (a JSON array), distinct and sorted.
pub fn evidence_kinds(evidence: &str) -> Vec<String> {
    let items: Vec<serde_json::Value> = serde_json::from_str(evidence).unwrap_or_default();
    let mut kinds: Vec<String> = items
        .iter()
        .filter_map(|e| e.get("type").and_then(|t| t.as_str()).map(str::to_owned))
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds
}

/// The refusal of a batch whose cursor another capture moved first.
pub fn cursor_moved(expected: i64) -> StoreError {
    StoreError::Domain(DomainError::InvalidField {
        field: "cursor",
        reason: format!("the capture cursor is no longer at {expected}: another capture ran"),
    })
}

/// The learnings table, its capture cursor, and the reads of people, prompts and the error scan.
#[async_trait]
pub trait Learnings: Send + Sync {
    /// The capture cursor: the last audit event the capture has looked at (0 at first).
    async fn capture_cursor(&self) -> StoreResult<i64>;

    /// Terminal tasks after `after`: events that ended a task (`completed`, `dead`, `failed`,
    /// `cancelled`) or an attempt (`task.retry_scheduled`, a `task.timed_out` that retries),
    /// looking at no more than `limit` (1-1000) events in id order, none written less than
    /// `settle` ago (PostgreSQL ids may commit out of order), and stopping before the first
    /// such. Events of pruned tasks are passed over.
    async fn capture_source(
        &self,
        after: i64,
        settle: Duration,
        limit: u32,
    ) -> StoreResult<CaptureBatch>;

    /// Records `learnings` (at most 1000) and moves the cursor from `after` to `next`, in one
    /// transaction with one `learning.recorded` event: entries are [`fold`]ed by fingerprint; a
    /// known fingerprint is counted (`count` + the entries, the latest task, time, outcome,
    /// error and tools; the summary and tags too unless a person edited them), a new one
    /// inserted. Refused with nothing written when the cursor is not at `after`
    /// ([`cursor_moved`]) or a learning fails [`NewLearning::check`]. Returns how many rows were
    /// written (one per fingerprint).
    async fn record_learnings(
        &self,
        learnings: Vec<NewLearning>,
        after: i64,
        next: i64,
        actor: &str,
    ) -> StoreResult<u64>;

    /// Learnings newest first (by id), filtered, one page.
    async fn learnings(
        &self,
        filter: &LearningFilter,
        page: LearningPage,
    ) -> StoreResult<Vec<Learning>>;

    /// One learning.
    async fn learning(&self, id: LearningId) -> StoreResult<Option<Learning>>;

    /// A person's edit of the summary and/or tags, with a `learning.edited` event naming
    /// `actor`; unknown ids and what [`LearningEdit::check`] refuses are refused.
    async fn edit_learning(
        &self,
        id: LearningId,
        edit: &LearningEdit,
        actor: &str,
    ) -> StoreResult<Learning>;

    /// Retires (`true`: kept out of prompts) or brings back (`false`) a learning, with a
    /// `learning.retired` or `learning.unretired` event; doing what is already so changes
    /// nothing and writes no event. Unknown ids are refused.
    async fn retire_learning(
        &self,
        id: LearningId,
        retired: bool,
        actor: &str,
    ) -> StoreResult<Learning>;

    /// Candidates for a prompt, at most `limit` (1-1000) non-retired learnings: those of `kind`
    /// or with any of `tags` (at most 20) first, then the others, each most recently seen
    /// first. Ranking them is [`juggernaut_core::learning::rank`].
    async fn learning_candidates(
        &self,
        kind: Option<&str>,
        tags: &[String],
        limit: u32,
    ) -> StoreResult<Vec<Learning>>;

    /// Failure learnings (`failed` or `dead`) seen at least `min_count` times and not retired,
    /// most seen first, at most `limit` (1-1000).
    async fn repeated_failures(
        &self,
        min_count: u32,
        limit: u32,
    ) -> StoreResult<Vec<RepeatedFailure>>;
}
