//! The report as one self-contained HTML page: inline CSS, inline SVG charts ([`crate::svg`]),
//! no scripts, no external URLs (links go to the dashboard, `/#/tasks/ID`, or to a pull
//! request's own `http(s)` URL). Every string from the database goes through [`fmt::html`].

use crate::data::{EvidenceLink, ExecutiveReport};
use crate::fmt::{self, html, html_clipped};
use crate::svg;

/// Longest title or error in a table cell, in characters.
const CELL: usize = 160;

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:60em;\
color:#1b1f24;padding:0 1em}h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #d0d7de}\
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #d0d7de;\
padding:.3em .5em;text-align:left;vertical-align:top}th{background:#f6f8fa}.empty{color:#57606a}\
.chart{max-width:100%;height:auto;display:block;margin:.5em 0}.grid{stroke:#eaeef2}\
.axis{stroke:#57606a}.tick,.note{font-size:11px;fill:#57606a}.label{font-size:12px;fill:#1b1f24}\
.series{fill:none;stroke:#0969da;stroke-width:2}.dot{fill:#0969da}.target{stroke:#cf222e;\
stroke-dasharray:6 4}.deadline{stroke:#8250df;stroke-dasharray:2 3}.projection{stroke:#0969da;\
stroke-dasharray:4 4}.bar{fill:#0969da}.bar.over{fill:#cf222e}.at_risk{color:#cf222e}\
.on_track,.met{color:#1a7f37}code{font-size:12px}";

fn table(out: &mut String, headers: &[&str], rows: Vec<Vec<String>>) {
    out.push_str("<table><thead><tr>");
    for h in headers {
        out.push_str(&format!("<th>{h}</th>"));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            out.push_str(&format!("<td>{cell}</td>"));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
}

fn empty(out: &mut String, text: &str) {
    out.push_str(&format!("<p class=\"empty\">{text}</p>"));
}

fn task_link(id: i64) -> String {
    format!("<a href=\"/#/tasks/{id}\">#{id}</a>")
}

fn link(l: &EvidenceLink) -> String {
    let label = html_clipped(&l.label, CELL);
    let text = match &l.href {
        Some(href) => format!("<a href=\"{}\">{label}</a>", html(href)),
        None => label,
    };
    match &l.sha256 {
        Some(h) => format!(
            "{text} <code title=\"sha256 {}\">sha256 {}</code>",
            html_clipped(h, 64),
            html_clipped(h, 12)
        ),
        None => text,
    }
}

fn goals(out: &mut String, r: &ExecutiveReport) {
    out.push_str("<h2>Goals and forecasts</h2>");
    if r.goals.is_empty() {
        return empty(out, "No goals yet.");
    }
    let rows = r
        .goals
        .iter()
        .map(|g| {
            let forecast = g.forecast.as_ref().map_or("—".into(), |f| {
                format!(
                    "<span class=\"{0}\">{0}</span>: {1}",
                    f.status.as_str(),
                    html_clipped(&f.explanation, 400)
                )
            });
            vec![
                format!("#{} {}", g.id.0, html_clipped(&g.title, CELL)),
                g.status.as_str().to_owned(),
                html(&fmt::with_unit(g.current, &g.unit)),
                html(&fmt::with_unit(g.target, &g.unit)),
                fmt::percent(g.progress),
                g.deadline.map_or("—".into(), fmt::date),
                forecast,
            ]
        })
        .collect();
    let headers = [
        "Goal", "Status", "Current", "Target", "Progress", "Deadline", "Forecast",
    ];
    table(out, &headers, rows);
    if r.goals_more {
        empty(
            out,
            &format!("The newest {} goals are shown.", r.goals.len()),
        );
    }
    for g in &r.goals {
        if let Some(chart) = svg::progress(g, r.period.until) {
            out.push_str(&format!(
                "<h3>#{} {}</h3>",
                g.id.0,
                html_clipped(&g.title, CELL)
            ));
            out.push_str(&chart);
        }
    }
}

fn work(out: &mut String, r: &ExecutiveReport) {
    out.push_str("<h2>Work done</h2>");
    if r.done.is_empty() {
        return empty(out, "No tasks completed in this period.");
    }
    let rows = r
        .done
        .iter()
        .map(|d| {
            let links: Vec<String> = d.links.iter().map(link).collect();
            vec![
                fmt::minute(d.at),
                format!("<code>{}</code>", html_clipped(&d.kind, 64)),
                html_clipped(&d.title, CELL),
                d.goal.map_or("—".into(), |g| format!("#{}", g.0)),
                links.join("<br>"),
            ]
        })
        .collect();
    table(
        out,
        &["Completed", "Kind", "Task", "Goal", "Evidence"],
        rows,
    );
    if r.done_more {
        empty(out, &format!("The newest {} are shown.", r.done.len()));
    }
}

fn spend(out: &mut String, r: &ExecutiveReport) {
    let s = &r.spend;
    out.push_str("<h2>Spend</h2>");
    let budget = s.day_budget_usd.map_or("no day budget is set".into(), |b| {
        format!("day budget {}", fmt::usd(b))
    });
    out.push_str(&format!(
        "<p>{} in the period ({budget}; {} day(s) over it).</p>",
        fmt::usd(s.total_usd()),
        s.days_over()
    ));
    out.push_str(&svg::spend(s));
    if s.goals.is_empty() {
        return empty(out, "No goal has spent money or has a money budget.");
    }
    let rows = s
        .goals
        .iter()
        .map(|g| {
            vec![
                format!("#{} {}", g.goal.0, html_clipped(&g.title, CELL)),
                fmt::usd(g.usd),
                g.budget_usd.map_or("—".into(), fmt::usd),
                g.budget_usd
                    .filter(|b| *b > 0.0)
                    .map_or("—".into(), |b| format!("{:.0}%", g.usd / b * 100.0)),
            ]
        })
        .collect();
    table(out, &["Goal", "Spent (all time)", "Budget", "Used"], rows);
}

fn failures(out: &mut String, r: &ExecutiveReport) {
    out.push_str("<h2>Failures and dead letters</h2>");
    if r.failures.is_empty() {
        return empty(out, "No task failed or went dead in this period.");
    }
    let rows = r
        .failures
        .iter()
        .map(|f| {
            vec![
                task_link(f.id.0),
                html_clipped(&f.kind, 64),
                html_clipped(&f.title, CELL),
                f.outcome.clone(),
                fmt::minute(f.at),
                html_clipped(&f.error, 300),
            ]
        })
        .collect();
    table(
        out,
        &["Task", "Kind", "Title", "Outcome", "At", "Error"],
        rows,
    );
    if r.failures_more {
        empty(out, &format!("The newest {} are shown.", r.failures.len()));
    }
}

fn approvals(out: &mut String, r: &ExecutiveReport) {
    out.push_str("<h2>Pending approvals</h2>");
    if r.approvals.is_empty() {
        return empty(out, "Nothing waits for approval.");
    }
    let rows = r
        .approvals
        .iter()
        .map(|a| {
            vec![
                task_link(a.id.0),
                html_clipped(&a.kind, 64),
                html_clipped(&a.title, CELL),
                a.risk.as_str().to_owned(),
                a.score.map_or("—".into(), |s| s.to_string()),
                fmt::minute(a.since),
                html_clipped(&a.reason, 300),
            ]
        })
        .collect();
    let headers = ["Task", "Kind", "Title", "Risk", "Score", "Since", "Why"];
    table(out, &headers, rows);
}

fn experiments_and_learnings(out: &mut String, r: &ExecutiveReport) {
    out.push_str("<h2>Experiments</h2>");
    if r.experiments.is_empty() {
        empty(out, "No experiments recorded.");
    } else {
        let rows = r
            .experiments
            .iter()
            .map(|e| {
                vec![
                    format!("#{}", e.id),
                    html_clipped(&e.hypothesis, 300),
                    html_clipped(&e.status, 32),
                    e.conclusion
                        .as_deref()
                        .map_or("—".into(), |c| html_clipped(c, 300)),
                ]
            })
            .collect();
        table(
            out,
            &["Experiment", "Hypothesis", "Status", "Conclusion"],
            rows,
        );
    }
    out.push_str("<h2>Learnings</h2>");
    if !r.learnings_read {
        return empty(out, "Learnings were not read for this report.");
    }
    if r.learnings.is_empty() {
        return empty(out, "No learnings recorded.");
    }
    out.push_str("<ul>");
    for l in &r.learnings {
        out.push_str(&format!(
            "<li>{} (seen {}×)</li>",
            html_clipped(&l.text, 300),
            l.seen
        ));
    }
    out.push_str("</ul>");
}

/// The report as a self-contained HTML page.
pub fn render(r: &ExecutiveReport) -> String {
    let title = html_clipped(&r.title, 200);
    let mut out = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <style>{STYLE}</style></head><body><h1>{title}</h1><p>Period: {} to {}.</p>\
         <h2>Summary</h2><ul>",
        fmt::minute(r.period.since),
        fmt::minute(r.period.until),
    );
    for line in r.summary_lines() {
        out.push_str(&format!("<li>{}</li>", fmt::html(&line)));
    }
    out.push_str("</ul>");
    goals(&mut out, r);
    work(&mut out, r);
    spend(&mut out, r);
    failures(&mut out, r);
    approvals(&mut out, r);
    experiments_and_learnings(&mut out, r);
    out.push_str("</body></html>\n");
    out
}
