//! Known values for [`super`]: closed forms worked out by hand (sources in each test), tables
//! of the normal and chi-square distributions, and a numerical integration as a cross-check.

use super::*;
use statrs::distribution::Beta as BetaDist;

fn beta(successes: u64, trials: u64) -> Beta {
    Beta::from_counts(successes, trials).unwrap()
}

fn close(got: f64, want: f64, tol: f64) {
    assert!((got - want).abs() <= tol, "got {got}, want {want} (±{tol})");
}

/// `P(X > Y)` by Simpson's rule over `f_X(x) F_Y(x)`.
fn integrated(x: Beta, y: Beta) -> f64 {
    let fx = BetaDist::new(x.a as f64, x.b as f64).unwrap();
    let fy = BetaDist::new(y.a as f64, y.b as f64).unwrap();
    let n = 20_000;
    let h = 1.0 / n as f64;
    let g = |t: f64| fx.pdf(t) * fy.cdf(t);
    let mut sum = g(0.0) + g(1.0);
    for i in 1..n {
        sum += g(i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    sum * h / 3.0
}

#[test]
fn probability_of_beating_matches_closed_forms() {
    // Two uniforms: 1/2 by symmetry.
    close(prob_greater(beta(0, 0), beta(0, 0)), 0.5, 1e-12);
    // X ~ Beta(2,1) (density 2x), Y uniform: ∫ 2x·x dx = 2/3.
    close(prob_greater(beta(1, 1), beta(0, 0)), 2.0 / 3.0, 1e-12);
    close(prob_greater(beta(0, 0), beta(1, 1)), 1.0 / 3.0, 1e-12);
    // X ~ Beta(2,1), Y ~ Beta(1,2) (F_Y = 2y - y²): ∫ 2x(2x - x²) dx = 4/3 - 1/2 = 5/6.
    close(prob_greater(beta(1, 1), beta(0, 1)), 5.0 / 6.0, 1e-12);
    // Beta(3,1) vs Beta(1,1): ∫ 3x²·x dx = 3/4.
    close(prob_greater(beta(2, 2), beta(0, 0)), 0.75, 1e-12);
}

#[test]
fn probability_agrees_with_integration_and_the_normal_limit() {
    let (a, b) = (beta(200, 1000), beta(240, 1000));
    close(prob_greater(b, a), integrated(b, a), 1e-6);
    close(prob_greater(a, b) + prob_greater(b, a), 1.0, 1e-9);
    // Near the exact limit both branches agree.
    let big_a = beta(EXACT_LIMIT, 4 * EXACT_LIMIT);
    let big_b = beta(EXACT_LIMIT + 300, 4 * EXACT_LIMIT);
    let exact = 1.0 - miller(big_b, big_a);
    close(normal_greater(big_b, big_a), exact, 1e-3);
}

#[test]
fn expected_loss_matches_closed_forms() {
    // Two uniforms: E[max(U - V, 0)] = E|U - V| / 2 = (1/3) / 2 = 1/6.
    close(expected_loss(beta(0, 0), beta(0, 0)), 1.0 / 6.0, 1e-12);
    // Choosing X ~ Beta(2,1) over uniform Y: ∫ 2x (1-x)²/2 dx = B(2,3) = 1/12.
    close(expected_loss(beta(1, 1), beta(0, 0)), 1.0 / 12.0, 1e-12);
    // Choosing the uniform: E[max(X - Y, 0)] = E[X - Y] + E[max(Y - X, 0)] = 1/6 + 1/12 = 1/4.
    close(expected_loss(beta(0, 0), beta(1, 1)), 0.25, 1e-12);
    // More data, smaller loss; the normal branch is close to the exact one.
    assert!(expected_loss(beta(240, 1000), beta(200, 1000)) < 0.001);
    let big_a = beta(EXACT_LIMIT + 1, 4 * EXACT_LIMIT);
    let big_b = beta(EXACT_LIMIT + 300, 4 * EXACT_LIMIT);
    assert!(expected_loss(big_a, big_b) > expected_loss(big_b, big_a));
}

#[test]
fn distribution_tables() {
    // Abramowitz & Stegun, table 26.1: Φ(1.96) = 0.9750021; its 0.975 quantile 1.959964.
    close(standard().cdf(1.96), 0.975_002_1, 1e-7);
    close(standard().inverse_cdf(0.975), 1.959_964, 1e-6);
    // NIST/SEMATECH e-Handbook 1.3.6.7.4: chi-square upper 5% points 3.841 (1 df), 5.991 (2 df).
    let chi1 = ChiSquared::new(1.0).unwrap();
    close(chi1.sf(3.841), 0.05, 1e-4);
    close(ChiSquared::new(2.0).unwrap().sf(5.991), 0.05, 1e-4);
}

#[test]
fn sample_ratio_is_tested_against_the_allocation() {
    // 1000 trials split 550/450 against 50/50: χ² = 2·50²/500 = 10, p = 0.00157 (1 df).
    close(
        sample_ratio_p(&[550, 450], &[1.0, 1.0]).unwrap(),
        0.001_565,
        1e-5,
    );
    close(
        sample_ratio_p(&[500, 500], &[1.0, 1.0]).unwrap(),
        1.0,
        1e-12,
    );
    // A 2:1 allocation seen 2:1 is no mismatch.
    close(
        sample_ratio_p(&[200, 100], &[2.0, 1.0]).unwrap(),
        1.0,
        1e-12,
    );
    assert!(sample_ratio_p(&[0, 0], &[1.0, 1.0]).is_none());
    assert!(sample_ratio_p(&[1], &[1.0]).is_none());
    assert!(Beta::from_counts(3, 2).is_none());
}
