//! The details of the escalations' events, `escalation.raised` and `escalation.acked`: which
//! escalation, its key, kind and level, and a person's note when acknowledged.

use juggernaut_core::{EscalationId, EscalationKind, EscalationLevel};
use serde::{Deserialize, Serialize};

/// `escalation.raised` and `escalation.acked` (the event's actor is who raised or acknowledged
/// it; the task and goal are the event's own columns).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationEvent {
    /// The escalation.
    pub escalation: EscalationId,
    /// Its dedupe key.
    pub key: String,
    /// What it is about.
    pub kind: EscalationKind,
    /// How urgent.
    pub level: EscalationLevel,
    /// The acknowledgement's note (acked only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}
