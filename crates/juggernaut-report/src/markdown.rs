//! The report as Markdown: a summary, then one section per part of [`ExecutiveReport`], each
//! with its empty state. Every string from the database goes through [`fmt::md`].

use crate::data::{DoneTask, EvidenceLink, ExecutiveReport, GoalLine};
use crate::fmt::{self, md};

/// Longest title or error in a table cell, in characters.
const CELL: usize = 120;

fn table(out: &mut String, headers: &[&str], rows: &[Vec<String>]) {
    out.push_str(&format!("| {} |\n", headers.join(" | ")));
    out.push_str(&format!("|{}\n", "---|".repeat(headers.len())));
    for row in rows {
        out.push_str(&format!("| {} |\n", row.join(" | ")));
    }
}

fn forecast_cell(g: &GoalLine) -> String {
    match &g.forecast {
        None => "—".into(),
        Some(f) => format!(
            "{} (projected {}, 90%: {} to {})",
            f.status.as_str(),
            fmt::number(f.projected),
            fmt::number(f.low),
            fmt::number(f.high)
        ),
    }
}

fn goals(out: &mut String, r: &ExecutiveReport) {
    out.push_str("\n## Goals and forecasts\n\n");
    if r.goals.is_empty() {
        out.push_str("No goals yet.\n");
        return;
    }
    let rows: Vec<Vec<String>> = r
        .goals
        .iter()
        .map(|g| {
            vec![
                format!("#{} {}", g.id.0, md(&g.title, CELL)),
                g.status.as_str().to_owned(),
                fmt::with_unit(g.current, &md(&g.unit, 20)),
                fmt::with_unit(g.target, &md(&g.unit, 20)),
                fmt::percent(g.progress),
                g.deadline.map_or("—".into(), fmt::date),
                forecast_cell(g),
            ]
        })
        .collect();
    let headers = [
        "Goal", "Status", "Current", "Target", "Progress", "Deadline", "Forecast",
    ];
    table(out, &headers, &rows);
    if r.goals_more {
        out.push_str(&format!(
            "\nThe newest {} goals are shown.\n",
            r.goals.len()
        ));
    }
    let explained: Vec<String> = r
        .goals
        .iter()
        .filter_map(|g| {
            let f = g.forecast.as_ref()?;
            Some(format!("- #{}: {}\n", g.id.0, md(&f.explanation, 400)))
        })
        .collect();
    if !explained.is_empty() {
        out.push('\n');
        out.push_str(&explained.concat());
    }
}

fn link(l: &EvidenceLink) -> String {
    let label = md(&l.label, CELL);
    let text = match &l.href {
        Some(href) => format!("[{label}](<{}>)", href.replace(['<', '>', ' '], "")),
        None => label,
    };
    match &l.sha256 {
        Some(h) => format!("{text} (sha256 `{}`)", md(h, 64)),
        None => text,
    }
}

fn done_line(d: &DoneTask) -> String {
    let goal = d
        .goal
        .map_or(String::new(), |g| format!(" (goal #{})", g.0));
    let links: Vec<String> = d.links.iter().map(link).collect();
    format!(
        "- {} {}: {}{goal}: {}\n",
        fmt::minute(d.at),
        md(&d.kind, 64),
        md(&d.title, CELL),
        links.join(", ")
    )
}

fn work(out: &mut String, r: &ExecutiveReport) {
    out.push_str("\n## Work done\n\n");
    if r.done.is_empty() {
        out.push_str("No tasks completed in this period.\n");
        return;
    }
    for d in &r.done {
        out.push_str(&done_line(d));
    }
    if r.done_more {
        out.push_str(&format!("\nThe newest {} are shown.\n", r.done.len()));
    }
}

fn spend(out: &mut String, r: &ExecutiveReport) {
    let s = &r.spend;
    out.push_str("\n## Spend\n\n");
    let budget = s.day_budget_usd.map_or("no day budget is set".into(), |b| {
        format!("day budget {}", fmt::usd(b))
    });
    out.push_str(&format!(
        "{} in the period ({budget}; {} day(s) over it).\n\n",
        fmt::usd(s.total_usd()),
        s.days_over()
    ));
    let rows: Vec<Vec<String>> = s
        .days
        .iter()
        .map(|d| {
            let over = s.day_budget_usd.is_some_and(|b| d.usd > b);
            vec![
                d.day.format("%Y-%m-%d").to_string(),
                fmt::usd(d.usd),
                d.calls.to_string(),
                if over { "over budget" } else { "" }.to_owned(),
            ]
        })
        .collect();
    table(out, &["Day", "Spent", "Calls", ""], &rows);
    if s.goals.is_empty() {
        out.push_str("\nNo goal has spent money or has a money budget.\n");
        return;
    }
    out.push('\n');
    let rows: Vec<Vec<String>> = s
        .goals
        .iter()
        .map(|g| {
            vec![
                format!("#{} {}", g.goal.0, md(&g.title, CELL)),
                fmt::usd(g.usd),
                g.budget_usd.map_or("—".into(), fmt::usd),
                g.budget_usd
                    .filter(|b| *b > 0.0)
                    .map_or("—".into(), |b| format!("{:.0}%", g.usd / b * 100.0)),
            ]
        })
        .collect();
    table(out, &["Goal", "Spent (all time)", "Budget", "Used"], &rows);
}

fn failures(out: &mut String, r: &ExecutiveReport) {
    out.push_str("\n## Failures and dead letters\n\n");
    if r.failures.is_empty() {
        out.push_str("No task failed or went dead in this period.\n");
        return;
    }
    let rows: Vec<Vec<String>> = r
        .failures
        .iter()
        .map(|f| {
            vec![
                format!("[#{}](</#/tasks/{}>)", f.id.0, f.id.0),
                md(&f.kind, 64),
                md(&f.title, CELL),
                f.outcome.clone(),
                fmt::minute(f.at),
                md(&f.error, 200),
            ]
        })
        .collect();
    table(
        out,
        &["Task", "Kind", "Title", "Outcome", "At", "Error"],
        &rows,
    );
    if r.failures_more {
        out.push_str(&format!("\nThe newest {} are shown.\n", r.failures.len()));
    }
}

fn approvals(out: &mut String, r: &ExecutiveReport) {
    out.push_str("\n## Pending approvals\n\n");
    if r.approvals.is_empty() {
        out.push_str("Nothing waits for approval.\n");
        return;
    }
    let rows: Vec<Vec<String>> = r
        .approvals
        .iter()
        .map(|a| {
            vec![
                format!("[#{}](</#/tasks/{}>)", a.id.0, a.id.0),
                md(&a.kind, 64),
                md(&a.title, CELL),
                a.risk.as_str().to_owned(),
                a.score.map_or("—".into(), |s| s.to_string()),
                fmt::minute(a.since),
                md(&a.reason, 200),
            ]
        })
        .collect();
    let headers = ["Task", "Kind", "Title", "Risk", "Score", "Since", "Why"];
    table(out, &headers, &rows);
}

fn experiments_and_learnings(out: &mut String, r: &ExecutiveReport) {
    out.push_str("\n## Experiments\n\n");
    if r.experiments.is_empty() {
        out.push_str("No experiments recorded.\n");
    }
    for e in &r.experiments {
        let conclusion = e
            .conclusion
            .as_deref()
            .map_or(String::new(), |c| format!(": {}", md(c, 300)));
        out.push_str(&format!(
            "- #{} {} ({}){conclusion}\n",
            e.id,
            md(&e.hypothesis, 300),
            md(&e.status, 32)
        ));
    }
    out.push_str("\n## Learnings\n\n");
    if !r.learnings_read {
        out.push_str("Learnings were not read for this report.\n");
    } else if r.learnings.is_empty() {
        out.push_str("No learnings recorded.\n");
    }
    for l in &r.learnings {
        out.push_str(&format!("- {} (seen {}×)\n", md(&l.text, 300), l.seen));
    }
}

/// The report as Markdown.
pub fn render(r: &ExecutiveReport) -> String {
    let mut out = format!(
        "# {}\n\nPeriod: {} to {}.\n\n## Summary\n\n",
        md(&r.title, 200),
        fmt::minute(r.period.since),
        fmt::minute(r.period.until)
    );
    for line in r.summary_lines() {
        out.push_str(&format!("- {line}\n"));
    }
    goals(&mut out, r);
    work(&mut out, r);
    spend(&mut out, r);
    failures(&mut out, r);
    approvals(&mut out, r);
    experiments_and_learnings(&mut out, r);
    out
}
