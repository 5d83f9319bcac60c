//! Learnings as the API shows them (one, and a page), and the body of a person's edit.

use chrono::{DateTime, Utc};
use juggernaut_app::LearningList;
use juggernaut_core::learning::{Learning, LearningEdit, LearningId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a task's end taught: deduplicated by fingerprint, counted each time it is seen again.
#[derive(Debug, Serialize, ToSchema)]
pub struct LearningView {
    /// Id.
    #[schema(value_type = i64)]
    pub id: LearningId,
    /// The fingerprint (a failure's kind and normalised error, or a success's kind and tools).
    pub fingerprint: String,
    /// The task kind.
    pub kind: String,
    /// How it last ended: `succeeded`, `failed`, `dead` or `cancelled`.
    #[schema(value_type = String)]
    pub outcome: juggernaut_core::learning::Outcome,
    /// One line.
    pub title: String,
    /// What worked, or what went wrong (a person's edit is kept).
    pub summary: String,
    /// Context tags.
    pub tags: Vec<String>,
    /// The latest error (failures, cancellations).
    pub error: Option<String>,
    /// The tools used successfully.
    pub tools: Vec<String>,
    /// Times seen.
    pub count: u32,
    /// The latest task that taught it.
    #[schema(value_type = Option<i64>)]
    pub last_task: Option<juggernaut_core::TaskId>,
    /// That task's goal.
    #[schema(value_type = Option<i64>)]
    pub goal_id: Option<juggernaut_core::GoalId>,
    /// First seen.
    pub first_seen: DateTime<Utc>,
    /// Last seen.
    pub last_seen: DateTime<Utc>,
    /// When a person last edited it.
    pub edited_at: Option<DateTime<Utc>>,
    /// Who.
    pub edited_by: Option<String>,
    /// When it was retired (no prompt shows it).
    pub retired_at: Option<DateTime<Utc>>,
    /// Who retired it.
    pub retired_by: Option<String>,
}

impl From<Learning> for LearningView {
    fn from(l: Learning) -> Self {
        Self {
            id: l.id,
            fingerprint: l.fingerprint,
            kind: l.kind,
            outcome: l.outcome,
            title: l.title,
            summary: l.summary,
            tags: l.tags,
            error: l.error,
            tools: l.tools,
            count: l.count,
            last_task: l.last_task,
            goal_id: l.goal_id,
            first_seen: l.first_seen,
            last_seen: l.last_seen,
            edited_at: l.edited_at,
            edited_by: l.edited_by,
            retired_at: l.retired_at,
            retired_by: l.retired_by,
        }
    }
}

/// One page of learnings, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct LearningPageView {
    /// The learnings.
    pub items: Vec<LearningView>,
    /// Pass as `?before=` for the next (older) page; null on the last page.
    #[schema(value_type = Option<i64>)]
    pub next_cursor: Option<LearningId>,
}

impl From<LearningList> for LearningPageView {
    fn from(l: LearningList) -> Self {
        Self {
            items: l.items.into_iter().map(LearningView::from).collect(),
            next_cursor: l.next_cursor,
        }
    }
}

/// A person's edit: a new summary, new tags (replacing the old), or both.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LearningEditBody {
    /// The new summary (1-2000 bytes).
    #[serde(default)]
    pub summary: Option<String>,
    /// The new tags (at most 20, each 1-64 bytes).
    #[serde(default)]
    pub tags: Option<Vec<String>>,
}

impl From<LearningEditBody> for LearningEdit {
    fn from(b: LearningEditBody) -> Self {
        Self {
            summary: b.summary,
            tags: b.tags,
        }
    }
}
