//! The checks of an [`ExperimentSpec`]: each refusal names its field.

use super::{ExperimentSpec, FollowUp, StoppingRule, VARIANT_PLACEHOLDER};
use crate::error::DomainError;
use crate::metric::is_name;
use crate::text::{check_json, check_text};

/// Most variants in one experiment.
pub const MAX_VARIANTS: usize = 8;
/// Longest hypothesis, in bytes.
pub const MAX_HYPOTHESIS: usize = 2000;
/// Longest metric query, in bytes.
pub const MAX_QUERY: usize = 10_000;
/// Longest stop reason, in bytes.
pub const MAX_REASON: usize = 2000;

fn bad<T>(field: &'static str, reason: impl Into<String>) -> Result<T, DomainError> {
    Err(DomainError::InvalidField {
        field,
        reason: reason.into(),
    })
}

/// A name-like line: 1-200 characters, no control characters.
fn one_line(field: &'static str, s: &str) -> Result<(), DomainError> {
    if s.trim().is_empty() || s.chars().count() > 200 || s.contains(char::is_control) {
        return bad(field, "must be 1-200 characters on one line");
    }
    Ok(())
}

impl ExperimentSpec {
    /// Refuses a spec that cannot run, naming the field.
    pub fn check(&self) -> Result<(), DomainError> {
        one_line("name", &self.name)?;
        if self.hypothesis.trim().is_empty() || self.hypothesis.len() > MAX_HYPOTHESIS {
            return bad("hypothesis", format!("must be 1-{MAX_HYPOTHESIS} bytes"));
        }
        check_text("hypothesis", &self.hypothesis)?;
        self.check_variants()?;
        self.check_metric()?;
        if self.min_sample == 0 || self.min_sample > 1_000_000_000 {
            return bad("min_sample", "must be 1 to 1000000000 trials per variant");
        }
        if !(60..=366 * 86_400).contains(&self.max_duration_secs) {
            return bad("max_duration_secs", "must be 60 seconds to 366 days");
        }
        if !(10..=7 * 86_400).contains(&self.interval_secs) {
            return bad("interval_secs", "must be 10 seconds to 7 days");
        }
        match self.rule {
            StoppingRule::Bayesian { alpha, max_loss } => {
                if !(alpha > 0.0 && alpha <= 0.2) {
                    return bad(
                        "rule.alpha",
                        "the error rate must be above 0 and at most 0.2",
                    );
                }
                if !(max_loss > 0.0 && max_loss < 1.0) {
                    return bad("rule.max_loss", "must be above 0 and below 1");
                }
            }
        }
        for (field, f) in [("rollout", &self.rollout), ("rollback", &self.rollback)] {
            if let Some(f) = f {
                check_follow_up(field, f)?;
            }
        }
        Ok(())
    }

    fn check_variants(&self) -> Result<(), DomainError> {
        let n = self.variants.len();
        if !(2..=MAX_VARIANTS).contains(&n) {
            return bad(
                "variants",
                format!("give 2 to {MAX_VARIANTS} variants (got {n})"),
            );
        }
        for (i, v) in self.variants.iter().enumerate() {
            if !is_name(&v.name) {
                return bad(
                    "variants.name",
                    format!("`{}` is not a name (1-64 of a-z, 0-9, `_` and `-`)", v.name),
                );
            }
            if self.variants[..i].iter().any(|w| w.name == v.name) {
                return bad("variants.name", format!("`{}` is named twice", v.name));
            }
            if !(v.weight.is_finite() && v.weight > 0.0 && v.weight <= 1e6) {
                return bad(
                    "variants.weight",
                    format!("`{}`: a weight must be above 0 and at most 1000000", v.name),
                );
            }
        }
        match self.variants.iter().filter(|v| v.control).count() {
            1 => Ok(()),
            c => bad(
                "variants.control",
                format!("exactly one variant is the control (got {c})"),
            ),
        }
    }

    fn check_metric(&self) -> Result<(), DomainError> {
        if !is_name(&self.metric.source) {
            return bad("metric.source", "must be 1-64 of a-z, 0-9, `_` and `-`");
        }
        let q = &self.metric.query;
        if q.trim().is_empty() || q.len() > MAX_QUERY {
            return bad("metric.query", format!("must be 1-{MAX_QUERY} bytes"));
        }
        if !q.contains(VARIANT_PLACEHOLDER) {
            return bad(
                "metric.query",
                format!(
                    "must name the variant as {VARIANT_PLACEHOLDER} (it becomes a quoted name)"
                ),
            );
        }
        check_text("metric.query", q)
    }
}

fn check_follow_up(field: &'static str, f: &FollowUp) -> Result<(), DomainError> {
    if f.title.trim().is_empty() || f.title.len() > 400 {
        return bad(field, "its title must be 1-400 bytes");
    }
    check_text(field, &f.title)?;
    if !f.input.is_object() {
        return bad(field, "its input must be a JSON object");
    }
    check_json(field, &f.input)
}

/// Refuses a stop reason the store cannot keep (1-2000 bytes of text).
pub fn check_reason(reason: &str) -> Result<(), DomainError> {
    if reason.trim().is_empty() || reason.len() > MAX_REASON {
        return bad("reason", format!("must be 1-{MAX_REASON} bytes"));
    }
    check_text("reason", reason)
}
