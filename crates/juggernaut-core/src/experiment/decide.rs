//! The decision on an experiment's latest counts: continue (and why), or a [`Conclusion`].
//!
//! Nothing is decided before every variant has its minimum sample, nor while the trials are
//! split far from the allocation (a sample-ratio mismatch, chi-square p < 0.001, means the
//! counts are not comparable). Under [`StoppingRule::Bayesian`] the error rate `alpha` is split
//! evenly over the treatments (Bonferroni); a treatment wins against the control when
//! `P(T > C) ≥ 1 - alpha/(k-1)` and choosing it is expected to lose less than `max_loss`; the
//! control wins when that holds for it against every treatment; the variants show no difference
//! when every choice in every pair loses less than `max_loss`. Past the maximum duration an
//! undecided experiment is inconclusive.

use super::{Conclusion, ExperimentSpec, StoppingRule, VariantStats, Verdict};
use crate::stats::{Beta, expected_loss, prob_greater, sample_ratio_p};

/// A sample-ratio p-value below this holds the decision back.
pub const SRM_P: f64 = 0.001;

/// What to do with an experiment now.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Keep iterating: why it is not decided.
    Continue(String),
    /// It is decided.
    Conclude(Conclusion),
}

struct Arm<'a> {
    name: &'a str,
    post: Beta,
    successes: u64,
    trials: u64,
}

/// Decides on `counts` (each variant's latest `(name, successes, trials)`; a variant without
/// counts has none); `past_deadline` when the maximum duration has passed.
pub fn decide(
    spec: &ExperimentSpec,
    counts: &[(String, u64, u64)],
    past_deadline: bool,
) -> Decision {
    let undecided = |why: String| {
        if past_deadline {
            Decision::Conclude(Conclusion {
                verdict: Verdict::Inconclusive,
                winner: None,
                losers: Vec::new(),
                reason: format!("the maximum duration passed undecided: {why}"),
                stats: Vec::new(),
            })
        } else {
            Decision::Continue(why)
        }
    };
    let mut arms = Vec::with_capacity(spec.variants.len());
    for v in &spec.variants {
        let (s, t) = counts
            .iter()
            .find(|(n, _, _)| *n == v.name)
            .map_or((0, 0), |(_, s, t)| (*s, *t));
        let Some(post) = Beta::from_counts(s, t) else {
            return undecided(format!("`{}` reports {s} successes of {t} trials", v.name));
        };
        arms.push(Arm {
            name: &v.name,
            post,
            successes: s,
            trials: t,
        });
    }
    let Some(ci) = spec.variants.iter().position(|v| v.control) else {
        return undecided("no variant is the control".into());
    };
    let StoppingRule::Bayesian { alpha, max_loss } = spec.rule;
    let each_alpha = alpha / (arms.len() - 1).max(1) as f64;
    let control = arms[ci].post;
    // Per treatment: P(T > C), loss of choosing T, loss of choosing C.
    let pairs: Vec<(usize, f64, f64, f64)> = (0..arms.len())
        .filter(|&i| i != ci)
        .map(|i| {
            let t = arms[i].post;
            (
                i,
                prob_greater(t, control),
                expected_loss(t, control),
                expected_loss(control, t),
            )
        })
        .collect();
    let stats = stats_of(&arms, ci, &pairs);
    let with = |verdict, winner: Option<&str>, losers: Vec<String>, reason: String| {
        Decision::Conclude(Conclusion {
            verdict,
            winner: winner.map(str::to_owned),
            losers,
            reason,
            stats: stats.clone(),
        })
    };
    if let Some(a) = arms.iter().find(|a| a.trials < spec.min_sample) {
        return undecided_with(
            undecided,
            &stats,
            format!(
                "`{}` has {} of the {} trials each variant needs",
                a.name, a.trials, spec.min_sample
            ),
        );
    }
    let trials: Vec<u64> = arms.iter().map(|a| a.trials).collect();
    let weights: Vec<f64> = spec.variants.iter().map(|v| v.weight).collect();
    if let Some(p) = sample_ratio_p(&trials, &weights).filter(|p| *p < SRM_P) {
        return undecided_with(
            undecided,
            &stats,
            format!(
                "the trials {trials:?} do not match the allocation {weights:?} (sample-ratio p = {p:.2e})"
            ),
        );
    }
    let need = 1.0 - each_alpha;
    let treatments = || pairs.iter().map(|&(i, ..)| arms[i].name.to_owned());
    let best = pairs
        .iter()
        .filter(|&&(_, p, lt, _)| p >= need && lt < max_loss)
        .max_by(|x, y| arms[x.0].post.mean().total_cmp(&arms[y.0].post.mean()));
    if let Some(&(i, p, lt, _)) = best {
        let winner = arms[i].name;
        return with(
            Verdict::Winner,
            Some(winner),
            treatments().filter(|n| n != winner).collect(),
            format!(
                "`{winner}` beats the control `{}` with probability {p:.4} (needed {need:.4}); choosing it is expected to lose {lt:.5} (below {max_loss})",
                arms[ci].name
            ),
        );
    }
    if pairs
        .iter()
        .all(|&(_, p, _, lc)| 1.0 - p >= need && lc < max_loss)
    {
        let worst = pairs.iter().map(|&(_, p, ..)| 1.0 - p).fold(1.0, f64::min);
        return with(
            Verdict::Winner,
            Some(arms[ci].name),
            treatments().collect(),
            format!(
                "the control `{}` beats every treatment with probability at least {worst:.4} (needed {need:.4})",
                arms[ci].name
            ),
        );
    }
    if pairs
        .iter()
        .all(|&(_, _, lt, lc)| lt < max_loss && lc < max_loss)
    {
        return with(
            Verdict::NoDifference,
            None,
            treatments().collect(),
            format!(
                "every choice is expected to lose less than {max_loss}: no practical difference from the control `{}`",
                arms[ci].name
            ),
        );
    }
    undecided_with(
        undecided,
        &stats,
        format!(
            "no variant is ahead with probability {need:.4} and expected loss below {max_loss} yet"
        ),
    )
}

/// The undecided result, with the numbers kept when it is inconclusive.
fn undecided_with(
    undecided: impl Fn(String) -> Decision,
    stats: &[VariantStats],
    why: String,
) -> Decision {
    match undecided(why) {
        Decision::Conclude(mut c) => {
            c.stats = stats.to_vec();
            Decision::Conclude(c)
        }
        other => other,
    }
}

fn stats_of(arms: &[Arm<'_>], ci: usize, pairs: &[(usize, f64, f64, f64)]) -> Vec<VariantStats> {
    arms.iter()
        .enumerate()
        .map(|(i, a)| {
            let pair = pairs.iter().find(|p| p.0 == i);
            VariantStats {
                variant: a.name.to_owned(),
                successes: a.successes,
                trials: a.trials,
                rate: a.post.mean(),
                p_beats_control: pair.map(|p| p.1),
                expected_loss: match pair {
                    Some(p) => p.2,
                    None if i == ci => pairs.iter().map(|p| p.3).fold(0.0, f64::max),
                    None => 0.0,
                },
            }
        })
        .collect()
}

#[cfg(test)]
#[path = "decide_tests.rs"]
mod tests;
