//! Inline SVG charts drawn from the report's data: a goal's readings over time against its
//! target, with its deadline and the forecast's projection, and the spend per day against the
//! day budget. Axes carry ticks and titles; every text goes through [`fmt::html`]. No scripts,
//! no external references.

use crate::data::{GoalLine, SpendSection};
use crate::fmt::{self, html};
use chrono::{DateTime, Utc};

const W: f64 = 640.0;
const H: f64 = 240.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 44.0;

/// A linear scale from a domain onto a pixel range.
#[derive(Debug, Clone, Copy)]
struct Scale {
    d0: f64,
    d1: f64,
    r0: f64,
    r1: f64,
}

impl Scale {
    fn at(&self, v: f64) -> f64 {
        let span = self.d1 - self.d0;
        if span.abs() < f64::EPSILON {
            return (self.r0 + self.r1) / 2.0;
        }
        self.r0 + (v - self.d0) / span * (self.r1 - self.r0)
    }
}

/// The top of a y axis: a little above `max`, never zero.
fn ceiling(max: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        1.0
    } else {
        max * 1.1
    }
}

fn open(title: &str) -> String {
    format!(
        "<svg viewBox=\"0 0 {W} {H}\" width=\"{W}\" \
         height=\"{H}\" role=\"img\" class=\"chart\"><title>{}</title>",
        html(title)
    )
}

/// The y axis with three ticks, its title, and the x axis line.
fn y_axis(svg: &mut String, y: Scale, top: f64, label: &str, tick: &dyn Fn(f64) -> String) {
    for v in [0.0, top / 2.0, top] {
        let py = y.at(v);
        svg.push_str(&format!(
            "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{py:.1}\" y2=\"{py:.1}\" class=\"grid\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" class=\"tick\">{}</text>",
            W - RIGHT,
            LEFT - 6.0,
            py + 4.0,
            html(&tick(v))
        ));
    }
    svg.push_str(&format!(
        "<line x1=\"{LEFT}\" x2=\"{LEFT}\" y1=\"{TOP}\" y2=\"{}\" class=\"axis\"/>\
         <line x1=\"{LEFT}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" class=\"axis\"/>\
         <text transform=\"translate(14 {:.1}) rotate(-90)\" text-anchor=\"middle\" \
         class=\"label\">{}</text>",
        H - BOTTOM,
        W - RIGHT,
        H - BOTTOM,
        H - BOTTOM,
        (TOP + H - BOTTOM) / 2.0,
        html(label)
    ));
}

fn x_label(svg: &mut String, label: &str) {
    svg.push_str(&format!(
        "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\" class=\"label\">{}</text>",
        (LEFT + W - RIGHT) / 2.0,
        H - 4.0,
        html(label)
    ));
}

/// An axis tick: short enough for the margin (`1.4M`, `250k`, `12.5`).
fn compact(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{:.1}G", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 100.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

fn secs(t: DateTime<Utc>) -> f64 {
    t.timestamp() as f64
}

/// A goal's readings against its target over time, with the deadline and the forecast's
/// projection to it; `None` without a target or readings.
pub fn progress(g: &GoalLine, now: DateTime<Utc>) -> Option<String> {
    let target = g.target?;
    let first = g.series.first()?.0;
    let last = g.series.last().map_or(first, |p| p.0);
    let end = g.deadline.map_or(last.max(now), |d| d.max(last));
    let start = first.min(end);
    let projected = g.forecast.as_ref().map(|f| (f.projected, f.high));
    let top_value = g
        .series
        .iter()
        .map(|p| p.1)
        .chain([target])
        .chain(projected.map(|p| p.0.max(p.1)))
        .fold(0.0_f64, f64::max);
    let top = ceiling(top_value);
    let x = Scale {
        d0: secs(start),
        d1: secs(end),
        r0: LEFT,
        r1: W - RIGHT,
    };
    let y = Scale {
        d0: 0.0,
        d1: top,
        r0: H - BOTTOM,
        r1: TOP,
    };
    let mut svg = open(&format!(
        "{}: readings against the target {}",
        g.title,
        fmt::number(target)
    ));
    let unit = if g.unit.is_empty() {
        "value".to_owned()
    } else {
        g.unit.clone()
    };
    y_axis(&mut svg, y, top, &unit, &compact);
    for (t, anchor) in [(start, "start"), (end, "end")] {
        svg.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"{anchor}\" class=\"tick\">{}</text>",
            x.at(secs(t)),
            H - BOTTOM + 16.0,
            fmt::date(t)
        ));
    }
    x_label(&mut svg, "date (UTC)");
    let ty = y.at(target);
    svg.push_str(&format!(
        "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{ty:.1}\" y2=\"{ty:.1}\" class=\"target\"/>\
         <text x=\"{}\" y=\"{:.1}\" class=\"note\">target {}</text>",
        W - RIGHT,
        LEFT + 4.0,
        ty - 4.0,
        html(&fmt::number(target))
    ));
    if let Some(d) = g.deadline {
        let dx = x.at(secs(d));
        svg.push_str(&format!(
            "<line x1=\"{dx:.1}\" x2=\"{dx:.1}\" y1=\"{TOP}\" y2=\"{}\" class=\"deadline\"/>\
             <text x=\"{:.1}\" y=\"{}\" text-anchor=\"end\" class=\"note\">deadline {}</text>",
            H - BOTTOM,
            dx - 3.0,
            H - BOTTOM - 6.0,
            fmt::date(d)
        ));
    }
    let points: Vec<String> = g
        .series
        .iter()
        .map(|(t, v)| format!("{:.1},{:.1}", x.at(secs(*t)), y.at(*v)))
        .collect();
    svg.push_str(&format!(
        "<polyline points=\"{}\" class=\"series\"/>",
        points.join(" ")
    ));
    for p in &points {
        let (px, py) = p.split_once(',').unwrap_or(("0", "0"));
        svg.push_str(&format!(
            "<circle cx=\"{px}\" cy=\"{py}\" r=\"2.5\" class=\"dot\"/>"
        ));
    }
    if let (Some(f), Some(d), Some((lt, lv))) = (&g.forecast, g.deadline, g.series.last())
        && f.points >= 2
        && d > *lt
    {
        svg.push_str(&format!(
            "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" class=\"projection\"/>",
            x.at(secs(*lt)),
            y.at(*lv),
            x.at(secs(d)),
            y.at(f.projected)
        ));
    }
    svg.push_str("</svg>");
    Some(svg)
}

/// Spend per day as bars against the day budget (a line, when one is set).
pub fn spend(s: &SpendSection) -> String {
    let max = s.days.iter().map(|d| d.usd).fold(0.0_f64, f64::max);
    let top = ceiling(max.max(s.day_budget_usd.unwrap_or(0.0)));
    let y = Scale {
        d0: 0.0,
        d1: top,
        r0: H - BOTTOM,
        r1: TOP,
    };
    let mut svg = open("Spend per day against the day budget");
    y_axis(&mut svg, y, top, "USD", &|v| format!("${}", compact(v)));
    x_label(&mut svg, "day (UTC)");
    let n = s.days.len().max(1) as f64;
    let slot = (W - RIGHT - LEFT) / n;
    let every = (s.days.len() / 10).max(1);
    for (i, d) in s.days.iter().enumerate() {
        let over = s.day_budget_usd.is_some_and(|b| d.usd > b);
        let x0 = LEFT + slot * i as f64 + slot * 0.15;
        let y0 = y.at(d.usd);
        svg.push_str(&format!(
            "<rect x=\"{x0:.1}\" y=\"{y0:.1}\" width=\"{:.1}\" height=\"{:.1}\" class=\"{}\">\
             <title>{}: {}</title></rect>",
            slot * 0.7,
            (H - BOTTOM - y0).max(0.0),
            if over { "bar over" } else { "bar" },
            d.day.format("%Y-%m-%d"),
            fmt::usd(d.usd)
        ));
        if i % every == 0 {
            svg.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\" class=\"tick\">{}</text>",
                x0 + slot * 0.35,
                H - BOTTOM + 16.0,
                d.day.format("%m-%d")
            ));
        }
    }
    if let Some(b) = s.day_budget_usd {
        let by = y.at(b);
        svg.push_str(&format!(
            "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{by:.1}\" y2=\"{by:.1}\" class=\"target\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" class=\"note\">budget {}</text>",
            W - RIGHT,
            W - RIGHT - 2.0,
            by - 4.0,
            fmt::usd(b)
        ));
    }
    svg.push_str("</svg>");
    svg
}
