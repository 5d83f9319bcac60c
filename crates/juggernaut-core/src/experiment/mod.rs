//! Experiments (SPEC §3.9): a hypothesis tested on a goal by comparing variants (one the
//! control) on a conversion metric read per variant, under a stated stopping rule. Here are the
//! spec and its checks ([`check`]), the records the store keeps, and the decision on recorded
//! points ([`decide`]); the store keeps them, the `experiment_step` kind reads the points and the
//! leader's experiments loop iterates and concludes.

pub mod check;
pub mod decide;
pub mod tasks;

use crate::ids::GoalId;
use crate::kind::TaskKind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

pub use decide::{Decision, decide};

/// The placeholder a metric query names its variant with; it becomes a quoted SQL string of the
/// variant's name (names are 1-64 of `a-z0-9_-`, so the literal cannot hold a quote).
pub const VARIANT_PLACEHOLDER: &str = "{{variant}}";

/// Identifies one experiment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ExperimentId(pub i64);

impl fmt::Display for ExperimentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// One arm of an experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    /// Its name (1-64 of `a-z0-9_-`), unique in the experiment.
    pub name: String,
    /// Its share of the allocation (positive; shares are relative).
    #[serde(default = "one")]
    pub weight: f64,
    /// Whether it is the control (exactly one is).
    #[serde(default)]
    pub control: bool,
}

fn one() -> f64 {
    1.0
}

/// Where a variant's conversions are read: a read-only SQL query on a configured data source
/// returning one row of `successes, trials`, naming the variant as [`VARIANT_PLACEHOLDER`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConversionMetric {
    /// The data source's configured name.
    pub source: String,
    /// The query.
    pub query: String,
}

impl ConversionMetric {
    /// The query for `variant` (a checked name), with the placeholder as a SQL string.
    pub fn query_for(&self, variant: &str) -> String {
        self.query
            .replace(VARIANT_PLACEHOLDER, &format!("'{variant}'"))
    }
}

/// When an experiment stops, with its stated error rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum StoppingRule {
    /// Bayesian, uniform priors: a treatment wins when the posterior probability that it beats
    /// the control is at least `1 - alpha` (split evenly over the treatments) and the expected
    /// loss of choosing it is below `max_loss`; the control wins the same way against every
    /// treatment; no difference when choosing either side of every pair would lose less than
    /// `max_loss`.
    Bayesian {
        /// The error rate: the posterior probability that a declared winner is not better
        /// (0 < alpha ≤ 0.2).
        alpha: f64,
        /// The largest acceptable expected loss, in conversion rate (0 < max_loss < 1).
        max_loss: f64,
    },
}

/// A task to create when an experiment concludes; `{{variant}}` in its title and in the
/// strings of its input become the variant it is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUp {
    /// Its kind.
    pub kind: TaskKind,
    /// Its title.
    pub title: String,
    /// Its input.
    #[serde(default = "empty")]
    pub input: serde_json::Value,
}

fn empty() -> serde_json::Value {
    serde_json::Value::Object(Default::default())
}

impl FollowUp {
    /// The title and input about `variant`.
    pub fn about(&self, variant: &str) -> (String, serde_json::Value) {
        fn fill(v: &serde_json::Value, name: &str) -> serde_json::Value {
            use serde_json::Value as V;
            match v {
                V::String(s) => V::String(s.replace(VARIANT_PLACEHOLDER, name)),
                V::Array(a) => V::Array(a.iter().map(|x| fill(x, name)).collect()),
                V::Object(o) => {
                    V::Object(o.iter().map(|(k, x)| (k.clone(), fill(x, name))).collect())
                }
                other => other.clone(),
            }
        }
        (
            self.title.replace(VARIANT_PLACEHOLDER, variant),
            fill(&self.input, variant),
        )
    }
}

/// What an experiment is: everything a person or a playbook gives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentSpec {
    /// A short name (1-200 characters on one line).
    pub name: String,
    /// What it tests (1-2000 bytes).
    pub hypothesis: String,
    /// The goal it serves.
    #[serde(default)]
    pub goal_id: Option<GoalId>,
    /// Two to eight variants, exactly one the control.
    pub variants: Vec<Variant>,
    /// The conversion metric read per variant.
    pub metric: ConversionMetric,
    /// Trials each variant needs before the rule is looked at (1 or more).
    pub min_sample: u64,
    /// The longest it may run, in seconds (60 s to 366 days); then it ends inconclusive.
    pub max_duration_secs: u64,
    /// Seconds between iterations (10 s to 7 days; default an hour).
    #[serde(default = "hour")]
    pub interval_secs: u64,
    /// The stopping rule.
    pub rule: StoppingRule,
    /// Made for the winner when it is not the control.
    #[serde(default)]
    pub rollout: Option<FollowUp>,
    /// Made for each losing treatment.
    #[serde(default)]
    pub rollback: Option<FollowUp>,
}

fn hour() -> u64 {
    3600
}

impl ExperimentSpec {
    /// The control variant (checked specs have exactly one).
    pub fn control(&self) -> Option<&Variant> {
        self.variants.iter().find(|v| v.control)
    }
}

/// Where an experiment is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExperimentStatus {
    /// Iterating.
    Running,
    /// Decided by its rule or its maximum duration.
    Concluded,
    /// Stopped by a person.
    Stopped,
}

impl ExperimentStatus {
    /// Every status.
    pub const ALL: [ExperimentStatus; 3] = [Self::Running, Self::Concluded, Self::Stopped];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Concluded => "concluded",
            Self::Stopped => "stopped",
        }
    }
}

impl fmt::Display for ExperimentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ExperimentStatus {
    type Err = crate::DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| crate::DomainError::InvalidField {
                field: "status",
                reason: format!(
                    "unknown experiment status `{s}` (known: running, concluded, stopped)"
                ),
            })
    }
}

/// How an experiment ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// One variant is better, within the rule's error rate.
    Winner,
    /// The variants are practically equal (every choice loses less than the rule allows).
    NoDifference,
    /// The maximum duration passed without a decision.
    Inconclusive,
}

impl Verdict {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Winner => "winner",
            Self::NoDifference => "no_difference",
            Self::Inconclusive => "inconclusive",
        }
    }
}

/// One variant's numbers at a decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantStats {
    /// The variant.
    pub variant: String,
    /// Successes.
    pub successes: u64,
    /// Trials.
    pub trials: u64,
    /// The posterior mean conversion rate.
    pub rate: f64,
    /// The posterior probability that it beats the control (`None` for the control).
    pub p_beats_control: Option<f64>,
    /// The expected loss of choosing it (against the control; for the control, against its best
    /// rival).
    pub expected_loss: f64,
}

/// A conclusion: the verdict, the winner and losers, and the numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conclusion {
    /// The verdict.
    pub verdict: Verdict,
    /// The winning variant.
    pub winner: Option<String>,
    /// Variants to roll back (losing treatments).
    pub losers: Vec<String>,
    /// One sentence with the deciding numbers.
    pub reason: String,
    /// Each variant's numbers.
    pub stats: Vec<VariantStats>,
}

/// A variant's cumulative counts read at one iteration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExperimentPoint {
    /// The iteration (1 for the first).
    pub iteration: u32,
    /// The variant.
    pub variant: String,
    /// Successes so far.
    pub successes: u64,
    /// Trials so far.
    pub trials: u64,
    /// The `experiment_step` task that read it.
    pub task_id: Option<crate::TaskId>,
    /// When it was recorded.
    pub at: DateTime<Utc>,
}

/// A stored experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Experiment {
    /// Its id.
    pub id: ExperimentId,
    /// What it is.
    pub spec: ExperimentSpec,
    /// Where it is.
    pub status: ExperimentStatus,
    /// The latest iteration started (0: none yet).
    pub iteration: u32,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When its latest iteration started.
    pub iterated_at: Option<DateTime<Utc>>,
    /// When it concluded or was stopped.
    pub ended_at: Option<DateTime<Utc>>,
    /// How it concluded.
    pub conclusion: Option<Conclusion>,
    /// Why a person stopped it.
    pub stop_reason: Option<String>,
    /// Who created it (`cli`, `token:NAME`, `playbook:NAME`).
    pub created_by: String,
}

impl Experiment {
    /// When its maximum duration ends.
    pub fn deadline(&self) -> DateTime<Utc> {
        let secs = i64::try_from(self.spec.max_duration_secs).unwrap_or(i64::MAX);
        self.started_at + chrono::Duration::seconds(secs.min(366 * 86_400))
    }
}
