//! From a terminal task (or a failed attempt) to the learning it yields: what the store reads
//! about it ([`Terminal`]) and the pure function that makes the [`NewLearning`], clipping every
//! outside text to what the store keeps.

use super::{
    MAX_ERROR, MAX_SUMMARY, MAX_TAG, MAX_TAGS, MAX_TITLE, MAX_TOOLS, NewLearning, Outcome,
    fingerprint, success_fingerprint,
};
use crate::ids::{EventId, GoalId, TaskId};
use crate::text::clipped;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A task's end as the capture reads it: the audit event, the task, its goal's tags, and its
/// tool calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terminal {
    /// The audit event that ended it (or the attempt).
    pub event: EventId,
    /// When.
    pub at: DateTime<Utc>,
    /// How.
    pub outcome: Outcome,
    /// The error or the cancellation's reason.
    pub error: Option<String>,
    /// The task.
    pub task: TaskId,
    /// Its kind.
    pub kind: String,
    /// Its title.
    pub title: String,
    /// Its goal.
    pub goal: Option<GoalId>,
    /// The goal's tags.
    pub tags: Vec<String>,
    /// Attempts made.
    pub attempts: u32,
    /// The kinds of its evidence (`tool_call`, `file`, ...).
    pub evidence: Vec<String>,
    /// Tools it called successfully (distinct, sorted).
    pub tools: Vec<String>,
    /// Tools whose calls failed (distinct, sorted).
    pub failed_tools: Vec<String>,
}

impl Terminal {
    /// The learning it yields.
    pub fn learning(&self) -> NewLearning {
        let error = self
            .error
            .as_deref()
            .map(|e| e.trim())
            .filter(|e| !e.is_empty());
        let (fp, title, summary) = match (self.outcome, error) {
            (Outcome::Succeeded, _) => self.success(),
            (Outcome::Cancelled, e) => {
                let reason = e.unwrap_or("no reason given");
                let fp = fingerprint(&self.kind, &format!("cancelled: {reason}"));
                let title = format!("{} cancelled: {}", self.kind, first_line(reason));
                let summary = format!("Cancelled by a person ({reason}): {}", self.title);
                (fp, title, summary)
            }
            (outcome, e) => {
                let e = e.unwrap_or("no error recorded");
                let verb = if outcome == Outcome::Dead {
                    "died"
                } else {
                    "failed"
                };
                let mut summary = format!(
                    "`{}` {verb} after {} attempt(s): {e}",
                    self.title, self.attempts
                );
                if !self.failed_tools.is_empty() {
                    summary.push_str(&format!(
                        " (failing tools: {})",
                        self.failed_tools.join(", ")
                    ));
                }
                let title = format!("{} {verb}: {}", self.kind, first_line(e));
                (fingerprint(&self.kind, e), title, summary)
            }
        };
        NewLearning {
            fingerprint: fp,
            kind: self.kind.clone(),
            outcome: self.outcome,
            title: clipped(&title, MAX_TITLE),
            summary: clipped(&summary, MAX_SUMMARY),
            tags: tags(&self.tags),
            error: error
                .filter(|_| self.outcome != Outcome::Succeeded)
                .map(|e| clipped(e, MAX_ERROR)),
            tools: self
                .tools
                .iter()
                .take(MAX_TOOLS)
                .map(|t| clipped(t, 200))
                .collect(),
            task: self.task,
            goal: self.goal,
            at: self.at,
        }
    }

    fn success(&self) -> (String, String, String) {
        let list = |v: &[String]| {
            if v.is_empty() {
                "none".to_owned()
            } else {
                v.join(", ")
            }
        };
        let mut evidence = self.evidence.clone();
        evidence.sort_unstable();
        evidence.dedup();
        let summary = format!(
            "`{}` succeeded in {} attempt(s) with tools: {}; evidence: {}",
            self.title,
            self.attempts,
            list(&self.tools),
            list(&evidence)
        );
        let title = format!("{} succeeded with tools: {}", self.kind, list(&self.tools));
        (success_fingerprint(&self.kind, &self.tools), title, summary)
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

/// Tags the store keeps: trimmed, non-empty, short, distinct, at most [`MAX_TAGS`].
fn tags(raw: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in raw {
        let t = clipped(t.trim(), MAX_TAG).replace(char::is_control, " ");
        if !t.trim().is_empty() && !out.contains(&t) && out.len() < MAX_TAGS {
            out.push(t);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terminal(outcome: Outcome, error: Option<&str>) -> Terminal {
        Terminal {
            event: EventId(9),
            at: DateTime::<Utc>::UNIX_EPOCH,
            outcome,
            error: error.map(str::to_owned),
            task: TaskId(7),
            kind: "shell".into(),
            title: "count orders".into(),
            goal: None,
            tags: vec!["orders".into(), "orders".into(), " ".into()],
            attempts: 2,
            evidence: vec!["tool_call".into()],
            tools: vec!["shell".into()],
            failed_tools: vec![],
        }
    }

    #[test]
    fn failures_share_fingerprints_across_ids_and_keep_the_error() {
        let a = terminal(
            Outcome::Failed,
            Some("exit 127: jq: command not found (pid 411)"),
        );
        let b = terminal(
            Outcome::Dead,
            Some("exit 127: jq: command not found (pid 9)"),
        );
        let (la, lb) = (a.learning(), b.learning());
        assert_eq!(la.fingerprint, lb.fingerprint);
        assert!(
            la.summary.contains("jq: command not found"),
            "{}",
            la.summary
        );
        assert_eq!(la.tags, vec!["orders".to_owned()]);
        assert!(la.check().is_ok());
        assert!(lb.title.starts_with("shell died"));
    }

    #[test]
    fn successes_say_what_worked() {
        let l = terminal(Outcome::Succeeded, None).learning();
        assert!(l.summary.contains("tools: shell"), "{}", l.summary);
        assert_eq!(l.error, None);
        assert_eq!(
            l.fingerprint,
            success_fingerprint("shell", &["shell".into()])
        );
        let c = terminal(Outcome::Cancelled, Some("not needed")).learning();
        assert_ne!(c.fingerprint, l.fingerprint);
        assert!(c.check().is_ok());
    }
}
