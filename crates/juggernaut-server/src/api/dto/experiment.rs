//! Experiments as the API shows them, and the body that starts one. The spec's parts (variants,
//! metric, rule, follow-up templates) and the conclusion keep the domain's serialisation and are
//! described as JSON objects.

use chrono::{DateTime, Utc};
use juggernaut_app::{ExperimentDetail, ExperimentList};
use juggernaut_core::GoalId;
use juggernaut_core::experiment::{
    Conclusion, ConversionMetric, Experiment, ExperimentPoint, ExperimentSpec, FollowUp,
    StoppingRule, Variant,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An experiment.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExperimentView {
    /// Id.
    pub id: i64,
    /// `running`, `concluded` or `stopped`.
    pub status: String,
    /// The latest iteration started (0: none yet).
    pub iteration: u32,
    /// Its spec: name, hypothesis, goal_id, variants, metric, min_sample, max_duration_secs,
    /// interval_secs, rule, rollout, rollback.
    #[schema(value_type = Object)]
    pub spec: ExperimentSpec,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When its latest iteration started.
    pub iterated_at: Option<DateTime<Utc>>,
    /// When it concluded or was stopped.
    pub ended_at: Option<DateTime<Utc>>,
    /// How it concluded: verdict (`winner`, `no_difference`, `inconclusive`), winner, losers,
    /// reason, and each variant's stats.
    #[schema(value_type = Option<Object>)]
    pub conclusion: Option<Conclusion>,
    /// Why a person stopped it.
    pub stop_reason: Option<String>,
    /// Who started it.
    pub created_by: String,
}

impl From<Experiment> for ExperimentView {
    fn from(e: Experiment) -> Self {
        Self {
            id: e.id.0,
            status: e.status.as_str().to_owned(),
            iteration: e.iteration,
            spec: e.spec,
            started_at: e.started_at,
            iterated_at: e.iterated_at,
            ended_at: e.ended_at,
            conclusion: e.conclusion,
            stop_reason: e.stop_reason,
            created_by: e.created_by,
        }
    }
}

/// One page of experiments, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExperimentPageView {
    /// The experiments.
    pub items: Vec<ExperimentView>,
    /// Pass as `?cursor=` for the next (older) page; null on the last page.
    pub next_cursor: Option<i64>,
}

impl From<ExperimentList> for ExperimentPageView {
    fn from(l: ExperimentList) -> Self {
        Self {
            items: l.items.into_iter().map(Into::into).collect(),
            next_cursor: l.next_cursor.map(|c| c.0),
        }
    }
}

/// A variant's counts read at one iteration.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExperimentPointView {
    /// The iteration.
    pub iteration: u32,
    /// The variant.
    pub variant: String,
    /// Successes so far.
    pub successes: u64,
    /// Trials so far.
    pub trials: u64,
    /// The `experiment_step` task that read it.
    pub task_id: Option<i64>,
    /// When it was recorded.
    pub at: DateTime<Utc>,
}

impl From<ExperimentPoint> for ExperimentPointView {
    fn from(p: ExperimentPoint) -> Self {
        Self {
            iteration: p.iteration,
            variant: p.variant,
            successes: p.successes,
            trials: p.trials,
            task_id: p.task_id.map(|t| t.0),
            at: p.at,
        }
    }
}

/// An experiment with its newest points (latest iteration first) and its conclusion.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExperimentDetailView {
    /// The experiment.
    pub experiment: ExperimentView,
    /// Its newest points (at most 200).
    pub points: Vec<ExperimentPointView>,
}

impl From<ExperimentDetail> for ExperimentDetailView {
    fn from(d: ExperimentDetail) -> Self {
        Self {
            experiment: d.experiment.into(),
            points: d.points.into_iter().map(Into::into).collect(),
        }
    }
}

/// An experiment to start, checked like `juggernaut experiment add --file`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewExperimentBody {
    /// A short name.
    pub name: String,
    /// What it tests.
    pub hypothesis: String,
    /// The goal it serves.
    #[serde(default)]
    pub goal_id: Option<i64>,
    /// 2-8 variants `{"name", "weight"?, "control"?}`, exactly one the control.
    #[schema(value_type = Vec<Object>)]
    pub variants: Vec<Variant>,
    /// `{"source", "query"}`: read-only SQL returning `successes, trials`, naming the variant
    /// as `{{variant}}`.
    #[schema(value_type = Object)]
    pub metric: ConversionMetric,
    /// Trials each variant needs before the rule is looked at.
    pub min_sample: u64,
    /// The longest it runs, in seconds.
    pub max_duration_secs: u64,
    /// Seconds between iterations (default 3600).
    #[serde(default)]
    pub interval_secs: Option<u64>,
    /// `{"type": "bayesian", "alpha", "max_loss"}`.
    #[schema(value_type = Object)]
    pub rule: StoppingRule,
    /// `{"kind", "title", "input"?}` made for a winning treatment.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub rollout: Option<FollowUp>,
    /// `{"kind", "title", "input"?}` made for each losing treatment.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub rollback: Option<FollowUp>,
}

impl From<NewExperimentBody> for ExperimentSpec {
    fn from(b: NewExperimentBody) -> Self {
        Self {
            name: b.name,
            hypothesis: b.hypothesis,
            goal_id: b.goal_id.map(GoalId),
            variants: b.variants,
            metric: b.metric,
            min_sample: b.min_sample,
            max_duration_secs: b.max_duration_secs,
            interval_secs: b.interval_secs.unwrap_or(3600),
            rule: b.rule,
            rollout: b.rollout,
            rollback: b.rollback,
        }
    }
}
