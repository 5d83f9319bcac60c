//! Tasks as the API shows them (one, a page, one with its dependencies, events, tool calls and
//! evidence) and the bodies that make or change them.

use chrono::{DateTime, Utc};
use juggernaut_core::{AuditEvent, Task};
use juggernaut_store::{Page, ToolCallRecord};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A task.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskView {
    /// Id.
    #[schema(value_type = i64)]
    pub id: juggernaut_core::TaskId,
    /// Kind (routes it to its handler).
    #[schema(value_type = String)]
    pub kind: juggernaut_core::TaskKind,
    /// One line for people.
    pub title: String,
    /// Status: pending, ready, running, verifying, awaiting_external, waiting_approval,
    /// completed, failed, dead, cancelled or blocked.
    #[schema(value_type = String)]
    pub status: juggernaut_core::TaskStatus,
    /// The handler's input.
    pub input: serde_json::Value,
    /// The goal it serves.
    #[schema(value_type = Option<i64>)]
    pub goal_id: Option<juggernaut_core::GoalId>,
    /// The task that made it.
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<juggernaut_core::TaskId>,
    /// Higher runs first.
    pub priority: i32,
    /// Not before.
    pub run_at: DateTime<Utc>,
    /// Attempts started.
    pub attempts: u32,
    /// Attempts allowed.
    pub max_attempts: u32,
    /// The lease while it runs.
    #[schema(value_type = Option<Object>)]
    pub lease: Option<juggernaut_core::task::Lease>,
    /// Dependencies not yet completed.
    pub pending_deps: u32,
    /// The handler's result once completed.
    pub result: Option<serde_json::Value>,
    /// Evidence accepted at completion.
    #[schema(value_type = Vec<Object>)]
    pub evidence: Vec<juggernaut_core::Evidence>,
    /// The last failed attempt's error.
    pub last_error: Option<String>,
    /// What moves it while parked.
    #[schema(value_type = Option<Object>)]
    pub waiting: Option<juggernaut_core::Waiting>,
    /// Dedupe key.
    pub dedupe_key: Option<String>,
    /// Where it came from.
    #[schema(value_type = String)]
    pub origin: juggernaut_core::Origin,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Reached a terminal status.
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<Task> for TaskView {
    fn from(t: Task) -> Self {
        Self {
            id: t.id,
            kind: t.kind,
            title: t.title,
            status: t.status,
            input: t.input,
            goal_id: t.goal_id,
            parent_id: t.parent_id,
            priority: t.priority,
            run_at: t.run_at,
            attempts: t.attempts,
            max_attempts: t.max_attempts,
            lease: t.lease,
            pending_deps: t.pending_deps,
            result: t.result,
            evidence: t.evidence,
            last_error: t.last_error,
            waiting: t.waiting,
            dedupe_key: t.dedupe_key,
            origin: t.origin,
            created_at: t.created_at,
            updated_at: t.updated_at,
            finished_at: t.finished_at,
        }
    }
}

/// One page of tasks, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskPage {
    /// The tasks.
    pub items: Vec<TaskView>,
    /// Pass as `?cursor=` for the next (older) page; null on the last page.
    #[schema(value_type = Option<i64>)]
    pub next_cursor: Option<juggernaut_core::TaskId>,
}

impl From<Page<Task>> for TaskPage {
    fn from(p: Page<Task>) -> Self {
        Self {
            items: p.items.into_iter().map(TaskView::from).collect(),
            next_cursor: p.next_cursor,
        }
    }
}

/// An audit event.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    /// Monotonic id.
    #[schema(value_type = i64)]
    pub id: juggernaut_core::ids::EventId,
    /// When it was written.
    pub at: DateTime<Utc>,
    /// What happened (`task.enqueued`, `goal.added`, ...).
    #[schema(value_type = String)]
    pub kind: juggernaut_core::EventKind,
    /// The task it concerns.
    #[schema(value_type = Option<i64>)]
    pub task_id: Option<juggernaut_core::TaskId>,
    /// The goal it concerns.
    #[schema(value_type = Option<i64>)]
    pub goal_id: Option<juggernaut_core::GoalId>,
    /// Status before, for a transition.
    #[schema(value_type = Option<String>)]
    pub from_status: Option<juggernaut_core::TaskStatus>,
    /// Status after, for a transition.
    #[schema(value_type = Option<String>)]
    pub to_status: Option<juggernaut_core::TaskStatus>,
    /// Who did it.
    pub actor: String,
    /// Details.
    pub data: serde_json::Value,
}

impl From<AuditEvent> for EventView {
    fn from(e: AuditEvent) -> Self {
        Self {
            id: e.id,
            at: e.at,
            kind: e.kind,
            task_id: e.task_id,
            goal_id: e.goal_id,
            from_status: e.from_status,
            to_status: e.to_status,
            actor: e.actor,
            data: e.data,
        }
    }
}

/// A recorded tool call.
#[derive(Debug, Serialize, ToSchema)]
pub struct ToolCallView {
    /// Its id (what `tool_call` evidence names).
    #[schema(value_type = i64)]
    pub id: juggernaut_store::ToolCallId,
    /// When it was recorded.
    pub at: DateTime<Utc>,
    /// The task's attempt.
    pub attempt: u32,
    /// The tool.
    pub tool: String,
    /// The arguments, secrets redacted.
    pub arguments: serde_json::Value,
    /// The result, truncated.
    pub result: String,
    /// SHA-256 of the whole result.
    pub result_sha256: String,
    /// The whole result's size in bytes.
    pub result_bytes: u64,
    /// `ok` or `error`.
    #[schema(value_type = String)]
    pub status: juggernaut_store::ToolCallStatus,
    /// Why it failed.
    pub error: Option<String>,
    /// How long it ran, in microseconds.
    pub duration_us: u64,
    /// What it cost, in US dollars.
    pub cost_usd: f64,
}

impl From<ToolCallRecord> for ToolCallView {
    fn from(c: ToolCallRecord) -> Self {
        Self {
            id: c.id,
            at: c.at,
            attempt: c.attempt,
            tool: c.tool,
            arguments: c.arguments,
            result: c.result,
            result_sha256: c.result_sha256,
            result_bytes: c.result_bytes,
            status: c.status,
            error: c.error,
            duration_us: c.duration_us,
            cost_usd: c.cost_usd,
        }
    }
}

/// One task with what it depends on, its audit trail and its tool calls (its evidence is on
/// the task).
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskDetailView {
    /// The task.
    pub task: TaskView,
    /// The tasks it depends on.
    #[schema(value_type = Vec<i64>)]
    pub depends_on: Vec<juggernaut_core::TaskId>,
    /// Its events, oldest first.
    pub events: Vec<EventView>,
    /// Its tool calls, oldest first (at most 1000).
    pub tool_calls: Vec<ToolCallView>,
}

/// A task to enqueue; checked like `juggernaut enqueue` (the kind must have a handler and its
/// input must pass the kind's check).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTaskBody {
    /// The kind.
    pub kind: String,
    /// One line for people (default: the kind).
    #[serde(default)]
    pub title: Option<String>,
    /// The handler's input (default: `{}`).
    #[serde(default)]
    pub input: Option<serde_json::Value>,
    /// The goal it serves.
    #[serde(default)]
    pub goal_id: Option<i64>,
    /// Tasks that must complete first.
    #[serde(default)]
    pub depends_on: Vec<i64>,
    /// Higher runs first (default 0).
    #[serde(default)]
    pub priority: Option<i32>,
    /// Not before this many seconds from now (0 to 315360000; default 0).
    #[serde(default)]
    pub delay_secs: Option<u64>,
    /// Attempts before the dead-letter queue (default 5).
    #[serde(default)]
    pub max_attempts: Option<u32>,
    /// At most one unfinished task per key: a duplicate returns the existing task.
    #[serde(default)]
    pub dedupe_key: Option<String>,
}

/// What an enqueue did: the task, and whether it is new (false: an unfinished task with the
/// same dedupe key was returned).
#[derive(Debug, Serialize, ToSchema)]
pub struct EnqueuedView {
    /// The task.
    pub task: TaskView,
    /// Whether it was made now.
    pub created: bool,
}

/// Why, for the audit log.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    /// The reason (may be empty where the call says so).
    #[serde(default)]
    pub reason: String,
}
