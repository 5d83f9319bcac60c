//! Juggernaut's domain model: the nouns of SPEC §2 as types, and the task state machine as pure
//! functions. This crate does no I/O: no database, no network, no clock reads except where a caller
//! passes the time in. Everything above it (stores, engine, CLI) speaks these types.

pub mod cost;
pub mod error;
pub mod escalation;
pub mod event;
pub mod evidence;
pub mod experiment;
pub mod forecast;
pub mod goal;
pub mod ids;
pub mod kind;
pub mod learning;
pub mod metric;
pub mod plan;
pub mod proactive;
pub mod retry;
pub mod risk;
pub mod schedule;
pub mod stats;
pub mod status;
pub mod task;
pub mod text;
pub mod token;
pub mod transition;
pub mod worker;

pub use error::DomainError;
pub use escalation::{Escalation, EscalationId, EscalationKind, EscalationLevel, NewEscalation};
pub use event::{AuditEvent, EventKind};
pub use evidence::Evidence;
pub use goal::{Goal, GoalStatus, MetricSource, MetricTarget, NewGoal};
pub use ids::{GoalId, TaskId, WorkerId};
pub use kind::TaskKind;
pub use learning::{Learning, LearningEdit, LearningId, NewLearning, Outcome};
pub use plan::{PLAN_KIND, Plan, PlanCoverage, PlanGraph, PlanTask};
pub use retry::{Backoff, Failed, FailureOutcome};
pub use risk::{RiskAssessment, RiskFactor, RiskLevel};
pub use status::TaskStatus;
pub use task::{NewTask, Origin, Task, Waiting};
pub use token::{ApiRole, Permission};
pub use transition::Action;
