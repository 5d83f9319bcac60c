//! Goals: what the owner wants, with a measurable target read from a metric source (SPEC §2).
//! Progress is the metric's value against the target — never string matching.

use crate::error::DomainError;
use crate::ids::GoalId;
use crate::text;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

pub use crate::metric::{MetricPoint, MetricSource, MetricTarget, is_name};

/// A goal's life-cycle status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalStatus {
    /// Being pursued.
    Active,
    /// Held by the owner.
    Paused,
    /// Target reached.
    Achieved,
    /// Deadline passed short of the target.
    Missed,
    /// Abandoned.
    Cancelled,
}

impl GoalStatus {
    /// Every status.
    pub const ALL: [GoalStatus; 5] = [
        Self::Active,
        Self::Paused,
        Self::Achieved,
        Self::Missed,
        Self::Cancelled,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Paused => "paused",
            Self::Achieved => "achieved",
            Self::Missed => "missed",
            Self::Cancelled => "cancelled",
        }
    }

    /// Whether nothing moves it any more.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Achieved | Self::Missed | Self::Cancelled)
    }

    /// Whether a goal may go from `self` to `to`: pause and resume an open goal, cancel it, and
    /// mark an active one achieved or missed.
    pub fn can_become(self, to: GoalStatus) -> bool {
        use GoalStatus::*;
        matches!(
            (self, to),
            (Active, Paused)
                | (Paused, Active)
                | (Active | Paused, Cancelled)
                | (Active, Achieved | Missed)
        )
    }
}

impl fmt::Display for GoalStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for GoalStatus {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|g| g.as_str() == s)
            .ok_or_else(|| DomainError::InvalidField {
                field: "goal status",
                reason: format!(
                    "unknown status `{s}` (known: active, paused, achieved, missed, cancelled)"
                ),
            })
    }
}

/// Hard caps on what a goal may spend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Budget {
    /// Money in USD.
    pub money_usd: Option<f64>,
    /// Number of tasks.
    pub max_tasks: Option<u32>,
}

/// A goal to add.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewGoal {
    /// Title.
    pub title: String,
    /// Longer description.
    pub description: String,
    /// Parent in the hierarchy.
    pub parent_id: Option<GoalId>,
    /// Measurable target.
    pub target: Option<MetricTarget>,
    /// Deadline.
    pub deadline: Option<DateTime<Utc>>,
    /// Budget.
    pub budget: Budget,
    /// Tags (playbooks match on them).
    pub tags: Vec<String>,
    /// Owner.
    pub owner: String,
}

impl NewGoal {
    /// A goal titled `title` with nothing else set.
    pub fn titled(title: &str) -> Self {
        Self {
            title: title.to_owned(),
            description: String::new(),
            parent_id: None,
            target: None,
            deadline: None,
            budget: Budget::default(),
            tags: Vec::new(),
            owner: "owner".into(),
        }
    }

    /// Checks every field, naming the one that is wrong.
    pub fn validate(&self) -> Result<(), DomainError> {
        let bad = |field, reason: String| Err(DomainError::InvalidField { field, reason });
        if self.title.trim().is_empty() || self.title.len() > 500 {
            return bad("title", "must be 1-500 bytes".into());
        }
        text::check_text("title", &self.title)?;
        if self.description.len() > 10_000 {
            return bad("description", "must be at most 10000 bytes".into());
        }
        text::check_text("description", &self.description)?;
        text::check_text("owner", &self.owner)?;
        if let Some(t) = &self.target {
            if !t.target.is_finite() {
                return bad("target", format!("{} is not a finite number", t.target));
            }
            if t.unit.len() > 40 {
                return bad("unit", "must be at most 40 bytes".into());
            }
            text::check_text("unit", &t.unit)?;
            t.source.validate()?;
        }
        if let Some(m) = self.budget.money_usd
            && !(m.is_finite() && (0.0..=1e9).contains(&m))
        {
            return bad("budget_usd", format!("{m} is outside 0-1000000000"));
        }
        if self.budget.max_tasks == Some(0) {
            return bad("max_tasks", "must be at least 1".into());
        }
        if self.tags.len() > 20 {
            return bad("tags", "at most 20".into());
        }
        if let Some(t) = self.tags.iter().find(|t| !is_name(t)) {
            return bad(
                "tags",
                format!("`{t}` must be 1-64 of a-z, 0-9, `_` and `-`"),
            );
        }
        Ok(())
    }
}

/// A stored goal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Goal {
    /// Id.
    pub id: GoalId,
    /// As added.
    #[serde(flatten)]
    pub spec: NewGoal,
    /// Status.
    pub status: GoalStatus,
    /// The metric's latest value, if any was recorded.
    pub current: Option<f64>,
    /// The newest plan's version (0: none yet).
    pub plan_version: i64,
    /// Why the last planning attempt failed, if it did.
    pub plan_error: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl Goal {
    /// Progress in `[0, 1]`, if the goal has a target and a value.
    pub fn progress(&self) -> Option<f64> {
        Some(self.spec.target.as_ref()?.progress(self.current?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sql(query: &str) -> MetricTarget {
        MetricTarget {
            source: MetricSource::Sql {
                source: "shop".into(),
                query: query.into(),
            },
            target: 50_000.0,
            unit: "USD".into(),
        }
    }

    #[test]
    fn progress_is_bounded_ratio() {
        let t = sql("SELECT 1");
        assert_eq!(t.progress(12_500.0), 0.25);
        assert_eq!(t.progress(-5.0), 0.0);
        assert_eq!(t.progress(80_000.0), 1.0);
        assert!(t.is_met(50_000.0) && !t.is_met(49_999.0));
        let zero = MetricTarget { target: 0.0, ..t };
        assert_eq!(zero.progress(0.0), 1.0);
    }

    #[test]
    fn bad_goals_are_refused_by_field() {
        let ok = NewGoal {
            target: Some(sql("SELECT sum(total) FROM invoices")),
            tags: vec!["revenue".into()],
            ..NewGoal::titled("Reach $50k")
        };
        assert!(ok.validate().is_ok());
        let err = |g: NewGoal| g.validate().unwrap_err().to_string();
        assert!(err(NewGoal::titled("")).contains("title"));
        assert!(
            err(NewGoal {
                tags: vec!["Bad Tag".into()],
                ..ok.clone()
            })
            .contains("`Bad Tag`")
        );
        assert!(
            err(NewGoal {
                target: Some(sql(" ")),
                ..ok.clone()
            })
            .contains("metric sql")
        );
        let inf = MetricTarget {
            target: f64::INFINITY,
            ..sql("SELECT 1")
        };
        assert!(
            err(NewGoal {
                target: Some(inf),
                ..ok.clone()
            })
            .contains("finite")
        );
        let budget = Budget {
            money_usd: Some(-1.0),
            max_tasks: None,
        };
        assert!(
            err(NewGoal {
                budget,
                ..ok.clone()
            })
            .contains("budget_usd")
        );
        let http = MetricTarget {
            source: MetricSource::HttpJson {
                url: "ftp://x".into(),
                pointer: "/a".into(),
            },
            ..sql("x")
        };
        assert!(
            err(NewGoal {
                target: Some(http),
                ..ok
            })
            .contains("metric url")
        );
    }

    #[test]
    fn statuses_move_only_as_allowed() {
        use GoalStatus::*;
        assert!(Active.can_become(Paused) && Paused.can_become(Active));
        assert!(Active.can_become(Achieved) && !Paused.can_become(Achieved));
        assert!(!Achieved.can_become(Active) && !Cancelled.can_become(Paused));
        for s in GoalStatus::ALL {
            assert_eq!(s.as_str().parse::<GoalStatus>().unwrap(), s);
        }
    }
}
