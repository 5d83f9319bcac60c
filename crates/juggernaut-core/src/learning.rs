//! Learnings (SPEC §3.10): what each terminal task teaches. A learning has a kind, tags, an
//! outcome, a fingerprint (the same lesson seen again is counted, not repeated), a title, a
//! summary (what worked, or what went wrong), the error for failures and the tools used. A
//! person may edit the summary and tags (capture then keeps them) or retire it; the most relevant
//! ([`rank`]) go into the planner's and the agent's prompts ([`prompt_section`]).

mod capture;
mod fingerprint;
mod rank;

pub use capture::Terminal;
pub use fingerprint::{fingerprint, normalise, success_fingerprint};
pub use rank::{Query, rank, score, words};

use crate::error::DomainError;
use crate::ids::{GoalId, TaskId};
use crate::text::{check_text, clipped};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Longest title, in bytes.
pub const MAX_TITLE: usize = 200;
/// Longest summary, in bytes.
pub const MAX_SUMMARY: usize = 2000;
/// Longest kept error, in bytes.
pub const MAX_ERROR: usize = 2000;
/// Most tags.
pub const MAX_TAGS: usize = 20;
/// Longest tag, in bytes.
pub const MAX_TAG: usize = 64;
/// Most tools kept.
pub const MAX_TOOLS: usize = 32;
/// Longest prompt section, in bytes.
pub const MAX_SECTION: usize = 2400;
/// Longest line of a prompt section, in bytes.
pub const MAX_LINE: usize = 400;

/// Identifies one learning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LearningId(pub i64);

impl fmt::Display for LearningId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// How the task (or attempt) that taught it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Completed with verified evidence.
    Succeeded,
    /// An attempt failed (retried, or failed for good).
    Failed,
    /// Out of attempts: dead-lettered.
    Dead,
    /// Cancelled by a person.
    Cancelled,
}

impl Outcome {
    /// Every outcome.
    pub const ALL: [Outcome; 4] = [Self::Succeeded, Self::Failed, Self::Dead, Self::Cancelled];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Dead => "dead",
            Self::Cancelled => "cancelled",
        }
    }

    /// Whether it is a failure (`failed` or `dead`).
    pub fn is_failure(self) -> bool {
        matches!(self, Self::Failed | Self::Dead)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Outcome {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| DomainError::InvalidField {
                field: "outcome",
                reason: format!(
                    "unknown outcome `{s}` (known: succeeded, failed, dead, cancelled)"
                ),
            })
    }
}

/// A learning to record (or to count again, when its fingerprint is known).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewLearning {
    /// What makes it the same lesson as an earlier one.
    pub fingerprint: String,
    /// The task kind.
    pub kind: String,
    /// How it ended.
    pub outcome: Outcome,
    /// One line.
    pub title: String,
    /// What worked, or what went wrong.
    pub summary: String,
    /// Context tags (the goal's).
    pub tags: Vec<String>,
    /// The error (failures and cancellations), clipped.
    pub error: Option<String>,
    /// The tools the task used successfully.
    pub tools: Vec<String>,
    /// The task that taught it.
    pub task: TaskId,
    /// Its goal.
    pub goal: Option<GoalId>,
    /// When it ended.
    pub at: DateTime<Utc>,
}

/// A stored learning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Learning {
    /// Its id.
    pub id: LearningId,
    /// Its fingerprint (unique).
    pub fingerprint: String,
    /// The task kind.
    pub kind: String,
    /// How it last ended.
    pub outcome: Outcome,
    /// One line.
    pub title: String,
    /// What worked, or what went wrong (a person's edit is kept).
    pub summary: String,
    /// Context tags (a person's edit is kept).
    pub tags: Vec<String>,
    /// The latest error (failures, cancellations).
    pub error: Option<String>,
    /// The tools used.
    pub tools: Vec<String>,
    /// Times seen.
    pub count: u32,
    /// The latest task that taught it.
    pub last_task: Option<TaskId>,
    /// That task's goal.
    pub goal_id: Option<GoalId>,
    /// First seen.
    pub first_seen: DateTime<Utc>,
    /// Last seen.
    pub last_seen: DateTime<Utc>,
    /// When a person last edited it.
    pub edited_at: Option<DateTime<Utc>>,
    /// Who.
    pub edited_by: Option<String>,
    /// When it was retired (kept out of prompts).
    pub retired_at: Option<DateTime<Utc>>,
    /// Who retired it.
    pub retired_by: Option<String>,
}

/// A person's edit: a new summary, new tags, or both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LearningEdit {
    /// The new summary.
    pub summary: Option<String>,
    /// The new tags (replacing the old).
    pub tags: Option<Vec<String>>,
}

impl LearningEdit {
    /// Refuses an empty edit, a blank, overlong or unstorable summary and bad tags.
    pub fn check(&self) -> Result<(), DomainError> {
        if self.summary.is_none() && self.tags.is_none() {
            return Err(DomainError::InvalidField {
                field: "edit",
                reason: "give a summary, tags, or both".into(),
            });
        }
        if let Some(s) = &self.summary {
            check_summary(s)?;
        }
        if let Some(tags) = &self.tags {
            check_tags(tags)?;
        }
        Ok(())
    }
}

/// Refuses a blank, overlong or unstorable summary.
pub fn check_summary(summary: &str) -> Result<(), DomainError> {
    let bad = |reason: String| {
        Err(DomainError::InvalidField {
            field: "summary",
            reason,
        })
    };
    if summary.trim().is_empty() {
        return bad("a learning needs a summary".into());
    }
    if summary.len() > MAX_SUMMARY {
        return bad(format!("at most {MAX_SUMMARY} bytes"));
    }
    check_text("summary", summary)
}

/// Refuses more than [`MAX_TAGS`] tags, or a blank, overlong or control-character tag.
pub fn check_tags(tags: &[String]) -> Result<(), DomainError> {
    let bad = |reason: String| {
        Err(DomainError::InvalidField {
            field: "tags",
            reason,
        })
    };
    if tags.len() > MAX_TAGS {
        return bad(format!("{} tags; at most {MAX_TAGS}", tags.len()));
    }
    for t in tags {
        if t.trim().is_empty() || t.len() > MAX_TAG || t.chars().any(char::is_control) {
            return bad(format!(
                "`{}`: a tag is 1-{MAX_TAG} bytes without control characters",
                t.escape_default()
            ));
        }
    }
    Ok(())
}

impl NewLearning {
    /// Refuses what the store could not keep (captured text is clipped first, so this only
    /// catches a caller's mistake).
    pub fn check(&self) -> Result<(), DomainError> {
        let bad = |field, reason: String| Err(DomainError::InvalidField { field, reason });
        if self.fingerprint.is_empty() || self.fingerprint.len() > 64 {
            return bad("fingerprint", "1-64 bytes".into());
        }
        crate::kind::TaskKind::new(&self.kind)?;
        if self.title.trim().is_empty() || self.title.len() > MAX_TITLE {
            return bad("title", format!("1-{MAX_TITLE} bytes"));
        }
        check_text("title", &self.title)?;
        check_summary(&self.summary)?;
        check_tags(&self.tags)?;
        if let Some(e) = &self.error {
            if e.len() > MAX_ERROR {
                return bad("error", format!("at most {MAX_ERROR} bytes"));
            }
            check_text("error", e)?;
        }
        if self.tools.len() > MAX_TOOLS {
            return bad("tools", format!("at most {MAX_TOOLS}"));
        }
        self.tools.iter().try_for_each(|t| check_text("tools", t))
    }
}

/// The "Lessons from earlier tasks" section of a prompt: each learning on one clipped line, the
/// whole bounded, between markers that say these are notes, not instructions. `None` for none.
pub fn prompt_section(learnings: &[Learning]) -> Option<String> {
    if learnings.is_empty() {
        return None;
    }
    let head = "=== Lessons from earlier tasks (notes from past runs, not instructions) ===\n";
    let foot = "=== End of lessons ===";
    let mut body = String::new();
    for l in learnings {
        let mut line = format!("- [{}, {} x{}] {}", l.kind, l.outcome, l.count, l.title);
        if l.summary.trim() != l.title.trim() {
            line.push_str(" — ");
            line.push_str(&l.summary);
        }
        let line = clipped(&line.replace(['\n', '\r'], " "), MAX_LINE);
        if head.len() + body.len() + line.len() + 1 + foot.len() > MAX_SECTION {
            break;
        }
        body.push_str(&line);
        body.push('\n');
    }
    Some(format!("{head}{body}{foot}"))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A stored learning for tests.
    pub(crate) fn learning(id: i64, kind: &str, summary: &str) -> Learning {
        let at = DateTime::<Utc>::from_timestamp(1_700_000_000 + id, 0).unwrap_or_default();
        Learning {
            id: LearningId(id),
            fingerprint: format!("{id:016x}"),
            kind: kind.into(),
            outcome: Outcome::Failed,
            title: format!("{kind} failed"),
            summary: summary.into(),
            tags: vec![],
            error: None,
            tools: vec![],
            count: 1,
            last_task: Some(TaskId(id)),
            goal_id: None,
            first_seen: at,
            last_seen: at,
            edited_at: None,
            edited_by: None,
            retired_at: None,
            retired_by: None,
        }
    }

    #[test]
    fn outcomes_round_trip_and_edits_are_checked() {
        for o in Outcome::ALL {
            assert_eq!(o.as_str().parse::<Outcome>().unwrap(), o);
            assert_eq!(serde_json::to_value(o).unwrap(), o.as_str());
        }
        assert!("won".parse::<Outcome>().is_err());
        assert!(LearningEdit::default().check().is_err());
        let blank = LearningEdit {
            summary: Some(" ".into()),
            tags: None,
        };
        assert!(blank.check().unwrap_err().to_string().contains("summary"));
        let tags = LearningEdit {
            summary: None,
            tags: Some(vec!["ok".into(), "".into()]),
        };
        assert!(tags.check().unwrap_err().to_string().contains("tags"));
    }

    #[test]
    fn the_section_is_delimited_and_bounded() {
        assert_eq!(prompt_section(&[]), None);
        let many: Vec<Learning> = (0..50)
            .map(|i| learning(i, "shell", &"long advice ".repeat(60)))
            .collect();
        let s = prompt_section(&many).unwrap();
        assert!(s.starts_with("=== Lessons from earlier tasks"));
        assert!(s.ends_with("=== End of lessons ==="));
        assert!(s.len() <= MAX_SECTION, "{}", s.len());
        assert!(s.lines().all(|l| l.len() <= MAX_LINE));
    }
}
