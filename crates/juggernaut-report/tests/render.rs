//! Rendering from fixed data: both formats carry every section, the HTML is one self-contained
//! page with real SVG charts drawn from the numbers (axis labels, target, deadline, budget
//! line), hostile text from the database is escaped everywhere, and an empty report says so
//! section by section.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use juggernaut_core::forecast::forecast;
use juggernaut_core::goal::MetricPoint;
use juggernaut_core::{Evidence, GoalId, GoalStatus, RiskLevel, TaskId};
use juggernaut_report::data::*;
use juggernaut_report::{Format, links};

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, 12, 0, 0).unwrap()
}

fn period() -> Period {
    Period::ending(Some(at(1)), at(8)).unwrap()
}

fn goal(title: &str) -> GoalLine {
    let series: Vec<(DateTime<Utc>, f64)> =
        vec![(at(1), 10.0), (at(3), 20.0), (at(5), 26.0), (at(7), 35.0)];
    let points: Vec<MetricPoint> = series
        .iter()
        .map(|(at, value)| MetricPoint {
            value: *value,
            at: *at,
            source: "sampler".into(),
        })
        .collect();
    let deadline = at(20);
    GoalLine {
        id: GoalId(4),
        title: title.into(),
        status: GoalStatus::Active,
        target: Some(100.0),
        unit: "bookings".into(),
        current: Some(35.0),
        progress: Some(0.35),
        deadline: Some(deadline),
        series,
        forecast: Some(forecast(&points, 100.0, deadline, at(8))),
        budget_usd: Some(10.0),
    }
}

fn empty_report() -> ExecutiveReport {
    let p = period();
    ExecutiveReport {
        title: "Weekly".into(),
        period: p,
        goals: vec![],
        goals_more: false,
        done: vec![],
        done_more: false,
        spend: SpendSection {
            days: p
                .days()
                .into_iter()
                .map(|day| DaySpend {
                    day,
                    usd: 0.0,
                    calls: 0,
                })
                .collect(),
            day_budget_usd: None,
            goals: vec![],
        },
        failures: vec![],
        failures_more: false,
        approvals: vec![],
        experiments: vec![],
        learnings: vec![],
        learnings_read: true,
    }
}

const HOSTILE: &str = "<script>alert(1)</script> | [x](javascript:alert(1)) \"quoted\" & 'so'";

fn full_report(text: &str) -> ExecutiveReport {
    let mut r = empty_report();
    r.title = format!("Week {text}");
    r.goals = vec![goal(text)];
    let evidence = vec![
        Evidence::PullRequest {
            url: "https://github.com/acme/site/pull/12".into(),
            number: 12,
            state: "merged".into(),
        },
        Evidence::PullRequest {
            url: "javascript:alert(1)".into(),
            number: 13,
            state: "open".into(),
        },
        Evidence::File {
            path: "reports/x.md".into(),
            sha256: "ab".repeat(32),
        },
        Evidence::ToolCall { id: "7".into() },
    ];
    r.done = vec![DoneTask {
        id: TaskId(9),
        kind: "code".into(),
        title: text.into(),
        goal: Some(GoalId(4)),
        at: at(6),
        links: links::links(TaskId(9), &evidence),
    }];
    r.spend.day_budget_usd = Some(2.0);
    r.spend.days[2].usd = 1.25;
    r.spend.days[3].usd = 3.5;
    r.spend.goals = vec![GoalSpendLine {
        goal: GoalId(4),
        title: text.into(),
        usd: 4.75,
        budget_usd: Some(10.0),
    }];
    r.failures = vec![FailureLine {
        id: TaskId(11),
        kind: "http".into(),
        title: text.into(),
        outcome: "dead".into(),
        error: text.into(),
        at: at(7),
    }];
    r.approvals = vec![ApprovalLine {
        id: TaskId(12),
        kind: "shell".into(),
        title: text.into(),
        risk: RiskLevel::High,
        score: Some(72),
        reason: text.into(),
        since: at(7),
    }];
    r.experiments = vec![ExperimentLine {
        id: 1,
        hypothesis: text.into(),
        status: "running".into(),
        conclusion: None,
    }];
    r.learnings = vec![LearningLine {
        id: 2,
        text: text.into(),
        seen: 3,
    }];
    r
}

#[test]
fn html_is_one_self_contained_page_with_charts_from_the_data() {
    let r = full_report("Bookings");
    let page = Format::Html.render(&r);
    assert!(page.starts_with("<!DOCTYPE html>") && page.ends_with("</html>\n"));
    assert_eq!(
        page.matches("<svg").count(),
        2,
        "a progress chart and a spend chart"
    );
    assert_eq!(page.matches("<svg").count(), page.matches("</svg>").count());
    for absent in ["<script", " src=", "<link", "@import", "url("] {
        assert!(!page.contains(absent), "{absent} in the page");
    }
    // Axis titles, the target and deadline on the progress chart, the budget on the spend chart.
    for label in [
        ">bookings</text>",
        ">date (UTC)</text>",
        ">target 100</text>",
        ">deadline 2026-03-20</text>",
        ">USD</text>",
        ">day (UTC)</text>",
        ">budget $2.00</text>",
        "class=\"projection\"",
        "class=\"bar over\"",
    ] {
        assert!(page.contains(label), "missing {label}");
    }
    assert_eq!(page.matches("<circle").count(), 4, "one dot per reading");
    assert_eq!(
        page.matches("<rect").count(),
        8,
        "one bar per day of the period"
    );
    assert!(page.contains(
        "<a href=\"https://github.com/acme/site/pull/12\">pull request #12 (merged)</a>"
    ));
    assert!(page.contains("<a href=\"/#/tasks/9\">task 9</a>"));
    assert!(page.contains("pull request #13 (open)") && !page.contains("href=\"javascript"));
    assert!(page.contains(&format!("sha256 {}", "ab".repeat(32))));
    assert!(page.contains("1 tool call(s)"));
    assert!(page.contains("$4.75 in the period (day budget $2.00; 1 day(s) over it)"));
    assert!(page.contains("at_risk") || page.contains("on_track"));
}

#[test]
fn markdown_carries_every_section() {
    let md = Format::Md.render(&full_report("Bookings"));
    for heading in [
        "# Week Bookings",
        "## Summary",
        "## Goals and forecasts",
        "## Work done",
        "## Spend",
        "## Failures and dead letters",
        "## Pending approvals",
        "## Experiments",
        "## Learnings",
    ] {
        assert!(md.contains(heading), "missing {heading}");
    }
    assert!(md.contains("[pull request #12 (merged)](<https://github.com/acme/site/pull/12>)"));
    assert!(md.contains("[task 9](</#/tasks/9>)"));
    assert!(md.contains("| 2026-03-04 | $3.50 | 0 | over budget |"));
    assert!(md.contains("| #4 Bookings | $4.75 | $10.00 | 48% |"));
    assert!(md.contains("high | 72 |"));
}

#[test]
fn hostile_text_is_escaped_in_both_formats() {
    let r = full_report(HOSTILE);
    let page = Format::Html.render(&r);
    assert!(!page.contains("<script"), "raw script tag");
    assert!(!page.contains("\"quoted\""));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains("&quot;quoted&quot; &amp; &#39;so&#39;"));
    assert!(!page.contains("href=\"javascript"));
    let md = Format::Md.render(&r);
    assert!(!md.contains("<script"));
    assert!(!md.contains("x](javascript"), "no live link from a title");
    assert!(md.contains("\\[x\\](javascript:alert(1))"));
    assert!(md.contains("\\|"), "pipes cannot break a table");
    let row = md.lines().find(|l| l.starts_with("| #4")).unwrap();
    let cells = row.matches('|').count() - row.matches("\\|").count();
    assert_eq!(cells, 8, "seven columns, whatever the title holds: {row}");
}

#[test]
fn an_empty_report_says_so_section_by_section() {
    let r = empty_report();
    let md = Format::Md.render(&r);
    let page = Format::Html.render(&r);
    for empty in [
        "No goals yet.",
        "No tasks completed in this period.",
        "No goal has spent money or has a money budget.",
        "No task failed or went dead in this period.",
        "Nothing waits for approval.",
        "No experiments recorded.",
        "No learnings recorded.",
    ] {
        assert!(md.contains(empty), "markdown: {empty}");
        assert!(page.contains(empty), "html: {empty}");
    }
    assert!(md.contains("$0.00 in the period (no day budget is set; 0 day(s) over it)"));
    assert_eq!(
        page.matches("<svg").count(),
        1,
        "the spend chart, with zero bars"
    );
    assert_eq!(r.summary()["goals"], 0);
    let unread = ExecutiveReport {
        learnings_read: false,
        ..r
    };
    let md = Format::Md.render(&unread);
    assert!(
        md.contains("Learnings were not read for this report."),
        "{md}"
    );
    assert!(!md.contains("No learnings recorded."));
}

#[test]
fn periods_are_checked_and_cover_their_days() {
    let p = period();
    assert_eq!(p.days().len(), 8);
    assert_eq!(p.days()[0], NaiveDate::from_ymd_opt(2026, 3, 1).unwrap());
    let default = Period::ending(None, at(8)).unwrap();
    assert_eq!(default.until - default.since, Duration::days(7));
    let backwards = Period::ending(Some(at(9)), at(8)).unwrap_err().to_string();
    assert!(backwards.starts_with("invalid since: "), "{backwards}");
    let long = Period::ending(Some(at(8) - Duration::days(93)), at(8)).unwrap_err();
    assert!(long.to_string().contains("at most 92 days"), "{long}");
    assert_eq!("html".parse::<Format>(), Ok(Format::Html));
    assert!(
        "pdf"
            .parse::<Format>()
            .unwrap_err()
            .starts_with("`format`: ")
    );
}

#[test]
fn a_cut_list_is_counted_as_a_floor_in_the_headline_and_summary() {
    let mut r = full_report("plain");
    let whole = r.headline();
    assert!(!whole.contains("+ tasks done"), "{whole}");
    r.done_more = true;
    r.failures_more = true;
    let cut = r.headline();
    assert!(
        cut.contains(&format!("{}+ tasks done", r.done.len())),
        "{cut}"
    );
    assert!(
        cut.contains(&format!("{}+ failed", r.failures.len())),
        "{cut}"
    );
    assert_eq!(r.summary()["done_more"], true);
}
