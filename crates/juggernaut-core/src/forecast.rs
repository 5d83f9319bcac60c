//! Forecasts: from a goal's metric series, whether it will reach its target by its deadline at
//! the current rate. An ordinary least-squares line through the readings (value against days)
//! is extended to the deadline; the 90% prediction interval around that value comes from the
//! residuals (Student's t with n-2 degrees of freedom). A goal is `at_risk` when the projected
//! value falls short of the target, and certain to miss (`high < target`) when even the top of
//! the interval does. Pure: the caller passes the series and the time.

use crate::goal::Goal;
use crate::metric::MetricPoint;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Fewest readings a line is drawn through (spread over at least a hundredth of the time left
/// to the deadline, see [`MAX_EXTRAPOLATION`]).
pub const MIN_POINTS: usize = 2;

/// Farthest a line is extended, in multiples of the time its readings span: readings a minute
/// apart say nothing about a deadline a month away.
pub const MAX_EXTRAPOLATION: f64 = 100.0;

/// Seconds in a day (rates are per day).
const DAY: f64 = 86_400.0;

/// What the forecast says about the deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ForecastStatus {
    /// The latest reading already meets the target.
    Met,
    /// The projected value at the deadline meets the target.
    OnTrack,
    /// The projected value at the deadline falls short of the target.
    AtRisk,
    /// Fewer than [`MIN_POINTS`] readings, or all at one instant: no rate to extend.
    InsufficientData,
}

impl ForecastStatus {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Met => "met",
            Self::OnTrack => "on_track",
            Self::AtRisk => "at_risk",
            Self::InsufficientData => "insufficient_data",
        }
    }
}

/// A goal's forecast.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    /// The verdict.
    pub status: ForecastStatus,
    /// The line's value at the deadline (the latest reading without a line).
    pub projected: f64,
    /// Bottom of the 90% prediction interval at the deadline.
    pub low: f64,
    /// Top of the 90% prediction interval at the deadline.
    pub high: f64,
    /// The line's slope, per day.
    pub rate_per_day: f64,
    /// When the line reaches the target, if it rises and has not yet.
    pub eta: Option<DateTime<Utc>>,
    /// The target.
    pub target: f64,
    /// The deadline.
    pub deadline: DateTime<Utc>,
    /// Readings the line was drawn through.
    pub points: usize,
    /// One sentence for people.
    pub explanation: String,
}

impl Forecast {
    /// Whether even the top of the interval falls short: the goal will miss unless the rate
    /// changes.
    /// Needs three readings at least: through two, a line has no scatter to measure.
    pub fn certain_miss(&self) -> bool {
        self.status == ForecastStatus::AtRisk && self.points > 2 && self.high < self.target
    }
}

/// Most readings a forecast is drawn through (the newest).
pub const MAX_POINTS: u32 = 200;

/// The forecast of a goal with a target and a deadline (`None` without either).
pub fn for_goal(goal: &Goal, series: &[MetricPoint], now: DateTime<Utc>) -> Option<Forecast> {
    let target = goal.spec.target.as_ref()?;
    Some(forecast(series, target.target, goal.spec.deadline?, now))
}

/// The forecast for `series` (any order) against `target` by `deadline`, as of `now`.
pub fn forecast(
    series: &[MetricPoint],
    target: f64,
    deadline: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Forecast {
    let mut points: Vec<(f64, f64)> = series
        .iter()
        .filter(|p| p.value.is_finite())
        .map(|p| (days_between(now, p.at), p.value))
        .collect();
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    let latest = points.last().map(|p| p.1);
    let base = Forecast {
        status: ForecastStatus::InsufficientData,
        projected: latest.unwrap_or(0.0),
        low: latest.unwrap_or(0.0),
        high: latest.unwrap_or(0.0),
        rate_per_day: 0.0,
        eta: None,
        target,
        deadline,
        points: points.len(),
        explanation: String::new(),
    };
    if latest.is_some_and(|v| v >= target) {
        return Forecast {
            status: ForecastStatus::Met,
            explanation: format!(
                "the latest reading {} meets the target {target}",
                fmt(latest)
            ),
            ..base
        };
    }
    let x_deadline = days_between(now, deadline);
    if let Some(span) = span(&points)
        && span > 0.0
        && x_deadline - points.last().map_or(0.0, |p| p.0) > MAX_EXTRAPOLATION * span
    {
        return Forecast {
            explanation: format!(
                "{} readings over {}: too short a time to extend to the deadline {} (at most \
                 {MAX_EXTRAPOLATION} times the readings' span)",
                points.len(),
                human_days(span),
                deadline.format("%Y-%m-%d %H:%M UTC"),
            ),
            ..base
        };
    }
    let Some(line) = Line::fit(&points) else {
        return Forecast {
            explanation: format!(
                "{} reading(s) over no time span: at least {MIN_POINTS} at different times are \
                 needed to draw a rate",
                points.len()
            ),
            ..base
        };
    };
    project(&line, base, x_deadline, now)
}

/// The time the (sorted) readings span, in days.
fn span(points: &[(f64, f64)]) -> Option<f64> {
    Some(points.last()?.0 - points.first()?.0)
}

/// A span in days, for people.
fn human_days(days: f64) -> String {
    let secs = days * DAY;
    if secs < 120.0 {
        format!("{secs:.0} s")
    } else if secs < 7200.0 {
        format!("{:.0} min", secs / 60.0)
    } else if days < 2.0 {
        format!("{:.1} h", secs / 3600.0)
    } else {
        format!("{days:.1} days")
    }
}

/// Extends `line` to the deadline `x_deadline` days from now.
fn project(line: &Line, base: Forecast, x_deadline: f64, now: DateTime<Utc>) -> Forecast {
    let target = base.target;
    let projected = line.at(x_deadline);
    let half = line.half_interval(x_deadline);
    let eta = (line.slope > 0.0)
        .then(|| (target - line.intercept) / line.slope)
        .filter(|x| x.is_finite() && *x > 0.0 && *x < 36_500.0)
        .map(|x| now + chrono::Duration::seconds((x * DAY) as i64));
    let status = if projected >= target {
        ForecastStatus::OnTrack
    } else {
        ForecastStatus::AtRisk
    };
    let low = projected - half;
    let high = projected + half;
    let explanation = format!(
        "at {:+.4}/day over {} readings the metric reaches about {:.4} (90%: {:.4} to {:.4}) by \
         the deadline {}, {} the target {target}",
        line.slope,
        line.n,
        projected,
        low,
        high,
        base.deadline.format("%Y-%m-%d %H:%M UTC"),
        if status == ForecastStatus::OnTrack {
            "meeting"
        } else {
            "short of"
        }
    );
    Forecast {
        status,
        projected,
        low,
        high,
        rate_per_day: line.slope,
        eta,
        explanation,
        ..base
    }
}

/// Days from `now` to `at` (negative in the past).
fn days_between(now: DateTime<Utc>, at: DateTime<Utc>) -> f64 {
    (at - now).num_milliseconds() as f64 / 1000.0 / DAY
}

fn fmt(v: Option<f64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// A least-squares line with what its prediction interval needs.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Line {
    slope: f64,
    intercept: f64,
    n: usize,
    mean_x: f64,
    sxx: f64,
    /// Residual standard error (0 with two points: no degrees of freedom left).
    s: f64,
}

impl Line {
    /// The fit, or `None` with fewer than two points or no spread in time.
    fn fit(points: &[(f64, f64)]) -> Option<Self> {
        let n = points.len();
        if n < MIN_POINTS {
            return None;
        }
        let nf = n as f64;
        let mean_x = points.iter().map(|p| p.0).sum::<f64>() / nf;
        let mean_y = points.iter().map(|p| p.1).sum::<f64>() / nf;
        let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
        if sxx <= f64::EPSILON {
            return None;
        }
        let sxy: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
        let slope = sxy / sxx;
        let intercept = mean_y - slope * mean_x;
        let sse: f64 = points
            .iter()
            .map(|p| (p.1 - (intercept + slope * p.0)).powi(2))
            .sum();
        let s = if n > 2 {
            (sse / (nf - 2.0)).sqrt()
        } else {
            0.0
        };
        Some(Self {
            slope,
            intercept,
            n,
            mean_x,
            sxx,
            s,
        })
    }

    fn at(&self, x: f64) -> f64 {
        self.intercept + self.slope * x
    }

    /// Half the width of the 90% prediction interval for a new reading at `x`.
    fn half_interval(&self, x: f64) -> f64 {
        if self.n <= 2 {
            return 0.0;
        }
        let nf = self.n as f64;
        let spread = (1.0 + 1.0 / nf + (x - self.mean_x).powi(2) / self.sxx).sqrt();
        t95(self.n - 2) * self.s * spread
    }
}

/// The 0.95 quantile of Student's t with `df` degrees of freedom (two-sided 90%), from the
/// standard table (NIST/SEMATECH e-Handbook of Statistical Methods, 1.3.6.7.2).
fn t95(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        6.314, 2.920, 2.353, 2.132, 2.015, 1.943, 1.895, 1.860, 1.833, 1.812, 1.796, 1.782, 1.771,
        1.761, 1.753, 1.746, 1.740, 1.734, 1.729, 1.725, 1.721, 1.717, 1.714, 1.711, 1.708, 1.706,
        1.703, 1.701, 1.699, 1.697,
    ];
    match df {
        0 => f64::INFINITY,
        1..=30 => TABLE[df - 1],
        // Between rows, the row with fewer degrees of freedom: the wider interval.
        31..=40 => 1.697,
        41..=60 => 1.684,
        61..=120 => 1.671,
        _ => 1.658,
    }
}

#[cfg(test)]
#[path = "forecast_tests.rs"]
mod tests;
