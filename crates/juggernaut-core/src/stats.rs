//! The statistics experiments decide with, over `statrs`: Beta posteriors of conversion rates
//! (uniform prior), the probability that one rate beats another (Evan Miller's closed form,
//! "Formulas for Bayesian A/B Testing", 2015; a normal approximation past [`EXACT_LIMIT`]), the
//! expected loss of a choice (Chris Stucchio, "Bayesian A/B Testing at VWO", 2015: the same
//! closed form applied to size-biased posteriors), and the sample-ratio check (Pearson's
//! chi-square goodness of fit of the trials against the allocation).

use statrs::distribution::{ChiSquared, Continuous, ContinuousCDF, Normal};
use statrs::function::beta::ln_beta;

/// Past this many terms, [`prob_greater`] and [`expected_loss`] use the normal approximation
/// (at such counts it agrees with the exact sum to about 1e-6).
pub const EXACT_LIMIT: u64 = 50_000;

/// A Beta(a, b) posterior with integer parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Beta {
    /// Successes + 1.
    pub a: u64,
    /// Failures + 1.
    pub b: u64,
}

impl Beta {
    /// The posterior of a conversion rate after `successes` of `trials` under a uniform prior;
    /// `None` when there are more successes than trials.
    pub fn from_counts(successes: u64, trials: u64) -> Option<Self> {
        let failures = trials.checked_sub(successes)?;
        Some(Self {
            a: successes.saturating_add(1),
            b: failures.saturating_add(1),
        })
    }

    /// The posterior mean.
    pub fn mean(self) -> f64 {
        self.a as f64 / (self.a as f64 + self.b as f64)
    }

    fn variance(self) -> f64 {
        let (a, b) = (self.a as f64, self.b as f64);
        a * b / ((a + b).powi(2) * (a + b + 1.0))
    }

    /// The size-biased posterior (`x f(x) / mean`).
    fn biased(self) -> Self {
        Self {
            a: self.a.saturating_add(1),
            b: self.b,
        }
    }
}

/// `P(X > Y)` for `X ~ x`, `Y ~ y`, in `[0, 1]`.
pub fn prob_greater(x: Beta, y: Beta) -> f64 {
    if x.a.min(y.a) > EXACT_LIMIT {
        return normal_greater(x, y);
    }
    // Sum over the smaller shape parameter: P(X > Y) = 1 - P(Y > X).
    let p = if x.a <= y.a {
        miller(y, x)
    } else {
        1.0 - miller(x, y)
    };
    p.clamp(0.0, 1.0)
}

/// Evan Miller's `P(p_B > p_A) = Σ_{i=0}^{α_B-1} B(α_A+i, β_A+β_B) / ((β_B+i) B(1+i, β_B)
/// B(α_A, β_A))`.
fn miller(a: Beta, b: Beta) -> f64 {
    let (aa, ba, bb) = (a.a as f64, a.b as f64, b.b as f64);
    let base = ln_beta(aa, ba);
    (0..b.a)
        .map(|i| {
            let i = i as f64;
            (ln_beta(aa + i, ba + bb) - (bb + i).ln() - ln_beta(1.0 + i, bb) - base).exp()
        })
        .sum()
}

fn standard() -> Normal {
    Normal::standard()
}

fn normal_greater(x: Beta, y: Beta) -> f64 {
    let sd = (x.variance() + y.variance()).sqrt();
    standard().cdf((x.mean() - y.mean()) / sd)
}

/// The expected loss of choosing `chosen` over `other`: `E[max(p_other - p_chosen, 0)]`, the
/// rate given up on average if `other` is in fact better.
pub fn expected_loss(chosen: Beta, other: Beta) -> f64 {
    if chosen.a.min(other.a) > EXACT_LIMIT {
        let m = other.mean() - chosen.mean();
        let s = (other.variance() + chosen.variance()).sqrt();
        let z = m / s;
        let n = standard();
        return (m * n.cdf(z) + s * n.pdf(z)).max(0.0);
    }
    let gain = other.mean() * prob_greater(other.biased(), chosen);
    let cost = chosen.mean() * prob_greater(other, chosen.biased());
    (gain - cost).max(0.0)
}

/// The p-value of Pearson's chi-square test that `trials` were split by `weights` (positive,
/// same length, at least two); `None` when there is nothing to test (no trials, or a length
/// mismatch).
pub fn sample_ratio_p(trials: &[u64], weights: &[f64]) -> Option<f64> {
    let total: f64 = trials.iter().map(|&t| t as f64).sum();
    let weight: f64 = weights.iter().sum();
    if trials.len() != weights.len() || trials.len() < 2 || total <= 0.0 || weight <= 0.0 {
        return None;
    }
    let stat: f64 = trials
        .iter()
        .zip(weights)
        .map(|(&n, &w)| {
            let expected = total * w / weight;
            (n as f64 - expected).powi(2) / expected
        })
        .sum();
    let dist = ChiSquared::new((trials.len() - 1) as f64).ok()?;
    Some(dist.sf(stat))
}

#[cfg(test)]
#[path = "stats_tests.rs"]
mod tests;
