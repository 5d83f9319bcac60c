//! Forecast tests: exact lines, the textbook interval, the edge cases.

use super::*;
use chrono::TimeZone;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap()
}

fn day(d: f64) -> DateTime<Utc> {
    now() + chrono::Duration::seconds((d * DAY) as i64)
}

fn series(points: &[(f64, f64)]) -> Vec<MetricPoint> {
    points
        .iter()
        .map(|&(d, value)| MetricPoint {
            value,
            at: day(d),
            source: "test".into(),
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-3
}

#[test]
fn an_exact_line_is_extended_to_the_deadline() {
    let s = series(&[
        (-4.0, 0.0),
        (-3.0, 10.0),
        (-2.0, 20.0),
        (-1.0, 30.0),
        (0.0, 40.0),
    ]);
    let f = forecast(&s, 100.0, day(6.0), now());
    assert_eq!(f.status, ForecastStatus::OnTrack);
    assert!(close(f.projected, 100.0), "{f:?}");
    assert!(close(f.rate_per_day, 10.0));
    assert!(close(f.low, f.high), "no scatter, no width: {f:?}");
    assert_eq!(f.eta.map(|t| (t - now()).num_hours()), Some(144));
    assert_eq!(f.points, 5);
}

#[test]
fn falling_short_is_at_risk_and_certain_when_the_interval_is_short_too() {
    let s = series(&[
        (-4.0, 0.0),
        (-3.0, 10.0),
        (-2.0, 20.0),
        (-1.0, 30.0),
        (0.0, 40.0),
    ]);
    let f = forecast(&s, 200.0, day(6.0), now());
    assert_eq!(f.status, ForecastStatus::AtRisk);
    assert!(f.certain_miss());
    assert!(f.explanation.contains("short of"), "{}", f.explanation);
}

/// The classic five-point example (x = 1..5, y = 2, 4, 5, 4, 5): slope 0.6, intercept 2.2,
/// s = sqrt(2.4 / 3); the 90% prediction interval at x = 6 is 5.8 ± t(0.95, 3) · s ·
/// sqrt(1 + 1/5 + 9/10) = 5.8 ± 2.353 · 0.8944 · 1.4491.
#[test]
fn the_interval_matches_the_textbook_example() {
    let s = series(&[
        (-4.0, 2.0),
        (-3.0, 4.0),
        (-2.0, 5.0),
        (-1.0, 4.0),
        (0.0, 5.0),
    ]);
    let f = forecast(&s, 10.0, day(1.0), now());
    assert!(close(f.rate_per_day, 0.6), "{f:?}");
    assert!(close(f.projected, 5.8), "{f:?}");
    let half = 2.353 * (2.4f64 / 3.0).sqrt() * 2.1f64.sqrt();
    assert!(close(f.high - f.projected, half), "{f:?}");
    assert!(close(f.projected - f.low, half), "{f:?}");
    assert_eq!(f.status, ForecastStatus::AtRisk);
    assert!(f.certain_miss(), "8.85 is the top, under 10");
}

#[test]
fn a_reading_at_the_target_is_met() {
    let s = series(&[(-1.0, 5.0), (0.0, 120.0)]);
    assert_eq!(
        forecast(&s, 100.0, day(3.0), now()).status,
        ForecastStatus::Met
    );
}

#[test]
fn too_few_readings_give_no_rate() {
    let one = series(&[(0.0, 5.0)]);
    let f = forecast(&one, 100.0, day(3.0), now());
    assert_eq!(f.status, ForecastStatus::InsufficientData);
    assert!(f.explanation.contains("at least 2"), "{}", f.explanation);
    let same_time = series(&[(0.0, 5.0), (0.0, 6.0)]);
    let f = forecast(&same_time, 100.0, day(3.0), now());
    assert_eq!(f.status, ForecastStatus::InsufficientData);
    assert_eq!(forecast(&[], 1.0, day(1.0), now()).points, 0);
}

#[test]
fn a_falling_metric_has_no_eta_and_order_does_not_matter() {
    let s = series(&[(0.0, 10.0), (-2.0, 30.0), (-1.0, 20.0)]);
    let f = forecast(&s, 50.0, day(2.0), now());
    assert_eq!(f.status, ForecastStatus::AtRisk);
    assert_eq!(f.eta, None);
    assert!(close(f.rate_per_day, -10.0));
    assert!(close(f.projected, -10.0));
}

#[test]
fn non_finite_readings_are_left_out() {
    let s = series(&[(-1.0, f64::NAN), (-1.0, 1.0), (0.0, 2.0)]);
    let f = forecast(&s, 10.0, day(1.0), now());
    assert_eq!(f.points, 2);
    assert!(close(f.projected, 3.0));
}

#[test]
fn the_t_table_is_conservative_between_rows() {
    assert!(close(t95(3), 2.353));
    assert!(close(t95(30), 1.697));
    assert!(t95(35) >= 1.690, "df 35 is 1.690 in the full table");
    assert!(t95(1000) >= 1.645);
}

#[test]
fn readings_too_close_together_are_not_extended_far() {
    let s = series(&[(-0.001, 1.0), (0.0, 2.0)]);
    let f = forecast(&s, 100.0, day(30.0), now());
    assert_eq!(f.status, ForecastStatus::InsufficientData);
    assert!(f.explanation.contains("too short"), "{}", f.explanation);
    assert_eq!(
        forecast(&s, 100.0, day(0.05), now()).status,
        ForecastStatus::AtRisk
    );
}

#[test]
fn two_readings_are_never_a_certain_miss() {
    let s = series(&[(-1.0, 1.0), (0.0, 1.0)]);
    let f = forecast(&s, 100.0, day(1.0), now());
    assert_eq!(f.status, ForecastStatus::AtRisk);
    assert!(!f.certain_miss());
}
