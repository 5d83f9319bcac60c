//! The details of the learnings' events: `learning.recorded` (a capture's batch and the cursor
//! it moved), and `learning.edited`, `learning.retired`, `learning.unretired` (a person's change
//! to one learning; the event's actor is who made it).

use juggernaut_core::LearningId;
use serde::{Deserialize, Serialize};

/// `learning.recorded`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LearningsRecorded {
    /// The learnings written (new or counted again).
    pub learnings: Vec<LearningId>,
    /// The capture cursor before.
    pub from: i64,
    /// The capture cursor after.
    pub to: i64,
}

/// `learning.edited`, `learning.retired`, `learning.unretired`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LearningEvent {
    /// The learning.
    pub learning: LearningId,
    /// Its fingerprint.
    pub fingerprint: String,
    /// The new summary (edited, when changed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The new tags (edited, when changed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
}
