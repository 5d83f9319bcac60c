//! Escalations, workers, schedules, the cost ledger, the audit log, the engine's status and the
//! calling token, as the API shows them.

use super::{EventView, SpendView};
use chrono::{DateTime, NaiveDate, Utc};
use juggernaut_app::{EscalationList, Status};
use juggernaut_core::schedule::Schedule;
use juggernaut_core::{Escalation, Permission};
use juggernaut_store::{
    AuditPage, BadSchedule, CostRecord, LeaderInfo, Schedules, TokenRecord, WorkerRecord,
};
use serde::Serialize;
use utoipa::ToSchema;

/// An escalation: something a person should look at.
#[derive(Debug, Serialize, ToSchema)]
pub struct EscalationView {
    /// Id.
    #[schema(value_type = i64)]
    pub id: juggernaut_core::EscalationId,
    /// Dedupe key (one open escalation per key).
    pub key: String,
    /// What it is about (`stuck_task`, `dead_letter`, ...).
    #[schema(value_type = String)]
    pub kind: juggernaut_core::EscalationKind,
    /// `info`, `warning` or `critical`.
    #[schema(value_type = String)]
    pub level: juggernaut_core::EscalationLevel,
    /// The task concerned.
    #[schema(value_type = Option<i64>)]
    pub task_id: Option<juggernaut_core::TaskId>,
    /// The goal concerned.
    #[schema(value_type = Option<i64>)]
    pub goal_id: Option<juggernaut_core::GoalId>,
    /// What happened.
    pub message: String,
    /// Times raised while open.
    pub count: u32,
    /// First raised.
    pub first_at: DateTime<Utc>,
    /// Last raised.
    pub last_at: DateTime<Utc>,
    /// When a person acknowledged it.
    pub acked_at: Option<DateTime<Utc>>,
    /// Who acknowledged it.
    pub acked_by: Option<String>,
    /// Their note.
    pub ack_note: Option<String>,
    /// When it was sent.
    pub notified_at: Option<DateTime<Utc>>,
}

impl From<Escalation> for EscalationView {
    fn from(e: Escalation) -> Self {
        Self {
            id: e.id,
            key: e.key,
            kind: e.kind,
            level: e.level,
            task_id: e.task_id,
            goal_id: e.goal_id,
            message: e.message,
            count: e.count,
            first_at: e.first_at,
            last_at: e.last_at,
            acked_at: e.acked_at,
            acked_by: e.acked_by,
            ack_note: e.ack_note,
            notified_at: e.notified_at,
        }
    }
}

/// One page of escalations, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct EscalationPageView {
    /// The escalations.
    pub items: Vec<EscalationView>,
    /// Pass as `?cursor=` for the next (older) page; null on the last page.
    #[schema(value_type = Option<i64>)]
    pub next_cursor: Option<juggernaut_core::EscalationId>,
}

impl From<EscalationList> for EscalationPageView {
    fn from(l: EscalationList) -> Self {
        Self {
            items: l.items.into_iter().map(EscalationView::from).collect(),
            next_cursor: l.next_cursor,
        }
    }
}

/// A registered worker.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkerView {
    /// As registered: id, roles, kinds, concurrency, host, pid, version.
    #[schema(value_type = Object)]
    pub registration: juggernaut_store::WorkerRegistration,
    /// `active`, `draining` or `lost`.
    #[schema(value_type = String)]
    pub state: juggernaut_core::worker::WorkerState,
    /// When it registered.
    pub started_at: DateTime<Utc>,
    /// Its last heartbeat.
    pub heartbeat_at: DateTime<Utc>,
    /// Tasks it holds leases on.
    #[schema(value_type = Vec<i64>)]
    pub in_flight: Vec<juggernaut_core::TaskId>,
    /// Why each of its loops is idle (loop name → reason).
    pub idle: serde_json::Value,
}

impl From<WorkerRecord> for WorkerView {
    fn from(w: WorkerRecord) -> Self {
        Self {
            registration: w.registration,
            state: w.state,
            started_at: w.started_at,
            heartbeat_at: w.heartbeat_at,
            in_flight: w.in_flight,
            idle: w.idle,
        }
    }
}

/// A cron schedule.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScheduleView {
    /// Id.
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// Cron expression.
    pub cron: String,
    /// The kind of task it makes.
    #[schema(value_type = String)]
    pub kind: juggernaut_core::TaskKind,
    /// The task's title.
    pub title: String,
    /// The task's input.
    pub input: serde_json::Value,
    /// The task's priority.
    pub priority: i32,
    /// The task's attempts.
    pub max_attempts: u32,
    /// Next fire time.
    pub next_fire_at: DateTime<Utc>,
    /// Last fire time.
    pub last_fired_at: Option<DateTime<Utc>>,
    /// The task it last made.
    #[schema(value_type = Option<i64>)]
    pub last_task_id: Option<juggernaut_core::TaskId>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl From<Schedule> for ScheduleView {
    fn from(s: Schedule) -> Self {
        Self {
            id: s.id,
            name: s.name,
            cron: s.cron,
            kind: s.kind,
            title: s.title,
            input: s.input,
            priority: s.priority,
            max_attempts: s.max_attempts,
            next_fire_at: s.next_fire_at,
            last_fired_at: s.last_fired_at,
            last_task_id: s.last_task_id,
            created_at: s.created_at,
        }
    }
}

/// Every schedule: those that can fire, and the rows that cannot with why.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScheduleListView {
    /// Schedules that can fire, by name.
    pub valid: Vec<ScheduleView>,
    /// Rows that cannot fire: `{id, name, reason}`.
    #[schema(value_type = Vec<Object>)]
    pub invalid: Vec<BadSchedule>,
}

impl From<Schedules> for ScheduleListView {
    fn from(s: Schedules) -> Self {
        Self {
            valid: s.valid.into_iter().map(ScheduleView::from).collect(),
            invalid: s.invalid,
        }
    }
}

/// One line of the cost ledger.
#[derive(Debug, Serialize, ToSchema)]
pub struct CostView {
    /// Id.
    #[schema(value_type = i64)]
    pub id: juggernaut_store::CostId,
    /// The goal charged.
    #[schema(value_type = Option<i64>)]
    pub goal_id: Option<juggernaut_core::GoalId>,
    /// The task that spent it.
    #[schema(value_type = Option<i64>)]
    pub task_id: Option<juggernaut_core::TaskId>,
    /// `model` or `tool`.
    #[schema(value_type = String)]
    pub category: juggernaut_core::cost::CostCategory,
    /// The model or tool.
    pub item: String,
    /// What for.
    pub purpose: String,
    /// `reserved` or `settled`.
    #[schema(value_type = String)]
    pub state: juggernaut_store::CostState,
    /// What was reserved, USD.
    pub reserved_usd: f64,
    /// What it cost, USD (0 until settled).
    pub amount_usd: f64,
    /// Input tokens.
    pub tokens_in: u64,
    /// Output tokens.
    pub tokens_out: u64,
    /// The UTC day it counts against.
    pub day: NaiveDate,
    /// When it was reserved.
    pub created_at: DateTime<Utc>,
    /// When it was settled.
    pub settled_at: Option<DateTime<Utc>>,
}

impl From<CostRecord> for CostView {
    fn from(c: CostRecord) -> Self {
        Self {
            id: c.id,
            goal_id: c.goal_id,
            task_id: c.task_id,
            category: c.category,
            item: c.item,
            purpose: c.purpose,
            state: c.state,
            reserved_usd: c.reserved_usd,
            amount_usd: c.amount_usd,
            tokens_in: c.tokens_in,
            tokens_out: c.tokens_out,
            day: c.day,
            created_at: c.created_at,
            settled_at: c.settled_at,
        }
    }
}

/// What the matching ledger lines add up to, and the newest of them.
#[derive(Debug, Serialize, ToSchema)]
pub struct CostsView {
    /// Money counted by every matching line.
    pub spend: SpendView,
    /// The newest matching lines.
    pub lines: Vec<CostView>,
}

/// One page of the audit log, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPageView {
    /// The events.
    pub items: Vec<EventView>,
    /// Pass as `?before=` for the next (older) page; null on the last page.
    #[schema(value_type = Option<i64>)]
    pub next_cursor: Option<juggernaut_core::ids::EventId>,
}

impl From<AuditPage> for AuditPageView {
    fn from(p: AuditPage) -> Self {
        Self {
            items: p.events.into_iter().map(EventView::from).collect(),
            next_cursor: p.next_before,
        }
    }
}

/// Who leads the singleton loops.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeaderView {
    /// The leadership's name.
    pub name: String,
    /// The leader's worker id.
    #[schema(value_type = String)]
    pub holder: juggernaut_core::WorkerId,
    /// Since when.
    pub acquired_at: DateTime<Utc>,
    /// Until when, unless renewed.
    pub expires_at: DateTime<Utc>,
}

impl From<LeaderInfo> for LeaderView {
    fn from(l: LeaderInfo) -> Self {
        Self {
            name: l.name,
            holder: l.holder,
            acquired_at: l.acquired_at,
            expires_at: l.expires_at,
        }
    }
}

/// The engine at a glance (what `juggernaut status --json` shows).
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusView {
    /// The leader, if any.
    pub leader: Option<LeaderView>,
    /// Registered workers.
    pub workers: Vec<WorkerView>,
    /// Task counts by status (statuses with none left out).
    #[schema(value_type = Object)]
    pub tasks: serde_json::Map<String, serde_json::Value>,
    /// Money counted against today's budget.
    pub spend_today: SpendView,
    /// Today's budget in USD, if one is set.
    pub day_budget_usd: Option<f64>,
}

impl From<Status> for StatusView {
    fn from(s: Status) -> Self {
        Self {
            leader: s.leader.map(LeaderView::from),
            workers: s.workers.into_iter().map(WorkerView::from).collect(),
            tasks: s.tasks,
            spend_today: s.spend_today.into(),
            day_budget_usd: s.day_budget_usd,
        }
    }
}

/// The calling token.
#[derive(Debug, Serialize, ToSchema)]
pub struct WhoAmI {
    /// Id.
    #[schema(value_type = i64)]
    pub id: juggernaut_store::TokenId,
    /// Name (decisions are recorded as `token:NAME`).
    pub name: String,
    /// `viewer`, `approver`, `operator` or `admin`.
    #[schema(value_type = String)]
    pub role: juggernaut_core::ApiRole,
    /// What the role may do.
    #[schema(value_type = Vec<String>)]
    pub permissions: Vec<Permission>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// By whom.
    pub created_by: String,
}

impl From<&TokenRecord> for WhoAmI {
    fn from(t: &TokenRecord) -> Self {
        Self {
            id: t.id,
            name: t.name.clone(),
            role: t.role,
            permissions: t.role.permissions(),
            created_at: t.created_at,
            created_by: t.created_by.clone(),
        }
    }
}
