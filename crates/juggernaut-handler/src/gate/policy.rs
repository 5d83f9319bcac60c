//! The policy: which score bands, kinds and tools run on their own (`auto`), wait for a person
//! (`approval`) or never run (`forbidden`), and how long an approval may wait per band. A rule
//! written for the task's kind or one of its tools replaces its band's rule (the strictest of
//! them when several apply), except that `forbidden` anywhere wins and high-risk work always
//! needs a person.

use juggernaut_core::RiskLevel;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// What the policy says about a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Runs without asking.
    Auto,
    /// Waits for a person's approval.
    Approval,
    /// Never runs.
    Forbidden,
}

impl Rule {
    /// The name in policy files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Approval => "approval",
            Self::Forbidden => "forbidden",
        }
    }
}

/// What happens when a low-risk approval waits past its timeout (medium and high always expire
/// as rejected).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnTimeout {
    /// Approved by the policy (recorded as such).
    Approve,
    /// Rejected and escalated.
    Reject,
}

/// How long an approval may wait, per band.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeouts {
    /// Low band.
    pub low: Duration,
    /// What a low-band timeout does.
    pub low_on_timeout: OnTimeout,
    /// Medium band: rejected after this.
    pub medium: Duration,
    /// High band: rejected after this (never approved by time).
    pub high: Duration,
}

/// The policy the gate applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Scores from here are medium.
    pub medium_from: u32,
    /// Scores from here are high.
    pub high_from: u32,
    /// Rule per band.
    pub bands: BTreeMap<RiskLevel, Rule>,
    /// Rules for kinds, by canonical kind name.
    pub kinds: BTreeMap<String, Rule>,
    /// Rules for tools, by name.
    pub tools: BTreeMap<String, Rule>,
    /// Approval timeouts.
    pub timeouts: Timeouts,
}

const DAY: Duration = Duration::from_secs(86_400);

impl Default for Policy {
    /// Low runs; medium and high wait for approval; a day to decide, then rejected.
    fn default() -> Self {
        Self {
            medium_from: 30,
            high_from: 60,
            bands: BTreeMap::from([
                (RiskLevel::Low, Rule::Auto),
                (RiskLevel::Medium, Rule::Approval),
                (RiskLevel::High, Rule::Approval),
            ]),
            kinds: BTreeMap::new(),
            tools: BTreeMap::new(),
            timeouts: Timeouts {
                low: DAY,
                low_on_timeout: OnTimeout::Reject,
                medium: DAY,
                high: DAY,
            },
        }
    }
}

impl Policy {
    /// Checks the bands are ordered within 1-100 and that high-risk work is never automatic.
    pub fn check(&self) -> Result<(), String> {
        if !(1..=100).contains(&self.medium_from) || !(1..=100).contains(&self.high_from) {
            return Err("band limits must be 1-100".into());
        }
        if self.medium_from >= self.high_from {
            return Err(format!(
                "medium_from ({}) must be below high_from ({})",
                self.medium_from, self.high_from
            ));
        }
        if self.band_rule(RiskLevel::High) == Rule::Auto {
            return Err(
                "the high band cannot be `auto`: high-risk work always needs a person".into(),
            );
        }
        Ok(())
    }

    /// The band of a score.
    pub fn level(&self, score: u32) -> RiskLevel {
        if score >= self.high_from {
            RiskLevel::High
        } else if score >= self.medium_from {
            RiskLevel::Medium
        } else {
            RiskLevel::Low
        }
    }

    /// The rule of a band (`approval` if the map leaves it out).
    pub fn band_rule(&self, level: RiskLevel) -> Rule {
        self.bands.get(&level).copied().unwrap_or(Rule::Approval)
    }

    /// The rule for a task of `kind` at `level` calling `tools`, and why: the strictest rule
    /// written for the kind or a tool, else the band's; never `auto` for the high band.
    pub fn rule(&self, kind: &str, level: RiskLevel, tools: &[String]) -> (Rule, String) {
        let mut written: Option<(Rule, String)> = None;
        let mut consider = |rule: Option<&Rule>, why: String| {
            if let Some(r) = rule
                && written.as_ref().is_none_or(|(w, _)| r > w)
            {
                written = Some((*r, why));
            }
        };
        consider(
            self.kinds.get(kind),
            format!("the policy's rule for kind `{kind}`"),
        );
        for t in tools {
            consider(
                self.tools.get(t),
                format!("the policy's rule for tool `{t}`"),
            );
        }
        let rule = written.unwrap_or_else(|| (self.band_rule(level), format!("{level} risk")));
        if level == RiskLevel::High && rule.0 == Rule::Auto {
            return (
                Rule::Approval,
                "high risk, which always needs a person".into(),
            );
        }
        rule
    }

    /// How long an approval of this band may wait, and what its timeout does: only the low band
    /// may be approved by time, and only where the policy says so.
    pub fn timeout(&self, level: RiskLevel) -> (Duration, OnTimeout) {
        match level {
            RiskLevel::Low => (self.timeouts.low, self.timeouts.low_on_timeout),
            RiskLevel::Medium => (self.timeouts.medium, OnTimeout::Reject),
            RiskLevel::High => (self.timeouts.high, OnTimeout::Reject),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_follow_the_limits() {
        let p = Policy::default();
        assert_eq!(p.level(0), RiskLevel::Low);
        assert_eq!(p.level(29), RiskLevel::Low);
        assert_eq!(p.level(30), RiskLevel::Medium);
        assert_eq!(p.level(60), RiskLevel::High);
        assert_eq!(p.level(100), RiskLevel::High);
    }

    #[test]
    fn the_strictest_rule_wins_and_says_why() {
        let mut p = Policy::default();
        p.kinds.insert("noop".into(), Rule::Approval);
        p.kinds.insert("shell".into(), Rule::Auto);
        p.tools.insert("github_merge".into(), Rule::Forbidden);
        assert_eq!(p.rule("report", RiskLevel::Low, &[]).0, Rule::Auto);
        let (r, why) = p.rule("noop", RiskLevel::Low, &[]);
        assert_eq!(r, Rule::Approval);
        assert!(why.contains("kind `noop`"), "{why}");
        // A written rule replaces the band's, but never makes high risk automatic.
        assert_eq!(p.rule("shell", RiskLevel::Medium, &[]).0, Rule::Auto);
        let (r, why) = p.rule("shell", RiskLevel::High, &[]);
        assert_eq!(r, Rule::Approval);
        assert!(why.contains("always needs a person"), "{why}");
        // The strictest written rule wins over a looser one.
        p.tools.insert("notify".into(), Rule::Approval);
        assert_eq!(
            p.rule("shell", RiskLevel::Low, &["notify".into()]).0,
            Rule::Approval
        );
        let (r, why) = p.rule("code", RiskLevel::High, &["github_merge".into()]);
        assert_eq!(r, Rule::Forbidden);
        assert!(why.contains("github_merge"), "{why}");
    }

    #[test]
    fn high_risk_is_never_automatic_nor_approved_by_time() {
        let mut p = Policy::default();
        p.bands.insert(RiskLevel::High, Rule::Auto);
        assert!(p.check().unwrap_err().contains("high band"));
        let mut p = Policy::default();
        p.timeouts.low_on_timeout = OnTimeout::Approve;
        assert_eq!(p.timeout(RiskLevel::Low).1, OnTimeout::Approve);
        assert_eq!(p.timeout(RiskLevel::Medium).1, OnTimeout::Reject);
        assert_eq!(p.timeout(RiskLevel::High).1, OnTimeout::Reject);
        let p = Policy {
            high_from: 20,
            ..Policy::default()
        };
        assert!(p.check().is_err());
    }
}
