//! The details of the experiments' events: which experiment, and what changed (the iteration
//! and its step tasks, a variant's counts, the verdict with its follow-up tasks, a stop reason).

use juggernaut_core::TaskId;
use juggernaut_core::experiment::{ExperimentId, Verdict};
use serde::{Deserialize, Serialize};

/// `experiment.created`, `experiment.iterated`, `experiment.point_recorded`,
/// `experiment.concluded` and `experiment.stopped`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentEvent {
    /// The experiment.
    pub experiment: ExperimentId,
    /// The iteration started or recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iteration: Option<u32>,
    /// The variant recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// Its successes and trials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts: Option<[u64; 2]>,
    /// The verdict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    /// The winner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub winner: Option<String>,
    /// Tasks enqueued with the change (steps, follow-ups).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tasks: Vec<TaskId>,
    /// A person's reason, or the conclusion's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl ExperimentEvent {
    /// An event about `experiment` with nothing else set.
    pub fn about(experiment: ExperimentId) -> Self {
        Self {
            experiment,
            iteration: None,
            variant: None,
            counts: None,
            verdict: None,
            winner: None,
            tasks: Vec::new(),
            reason: None,
        }
    }
}
