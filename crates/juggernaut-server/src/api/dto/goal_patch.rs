//! The body of `PATCH /api/goals/{id}`: the fields to change, each optional; `target`,
//! `deadline`, `budget_usd` and `max_tasks` set to `null` remove them (absent keeps them).

use chrono::{DateTime, Utc};
use juggernaut_app::GoalPatch;
use juggernaut_core::MetricTarget;
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

/// Tells a key set to `null` (`Some(None)`) from an absent one (`None`, through `default`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// What to change in a goal (at least one field); the result is checked like a new goal.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalPatchBody {
    /// New title (1-500 bytes).
    #[serde(default)]
    pub title: Option<String>,
    /// New description.
    #[serde(default)]
    pub description: Option<String>,
    /// New target (`{"source": {...}, "target": 100.0, "unit": "USD"}`), or `null` for none.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Object>)]
    pub target: Option<Option<MetricTarget>>,
    /// New deadline, or `null` for none.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub deadline: Option<Option<DateTime<Utc>>>,
    /// New money budget in USD, or `null` for none.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<f64>)]
    pub budget_usd: Option<Option<f64>>,
    /// New most tasks, or `null` for no cap.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<u32>)]
    pub max_tasks: Option<Option<u32>>,
    /// New tags (replace the tags).
    #[serde(default)]
    pub tags: Option<Vec<String>>,
}

impl From<GoalPatchBody> for GoalPatch {
    fn from(b: GoalPatchBody) -> Self {
        Self {
            title: b.title,
            description: b.description,
            target: b.target,
            deadline: b.deadline,
            money_usd: b.budget_usd,
            max_tasks: b.max_tasks,
            tags: b.tags,
        }
    }
}
