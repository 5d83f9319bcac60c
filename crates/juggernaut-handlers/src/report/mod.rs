//! `report`: the executive report (`juggernaut_report`) for the last days, stored in the
//! `reports` table, written as Markdown and self-contained HTML (with SVG charts) to the task's
//! workspace and, when asked, announced on a notification channel. On a cron schedule this is
//! the scheduled report (`juggernaut schedule add weekly-report --kind report ...`).
//!
//! Input ([`ReportInput`]): `{"title"?, "path"?, "notify_channel"?, "days"?}`; the Markdown's
//! path defaults to `reports/status-<UTC date>.md` and must end in `.md` and stay inside the
//! workspace; the HTML goes next to it (`.html`); `days` (1-92, default 7) is the period.
//!
//! Result: `{"report", "title", "since", "until", "summary", "path", "html_path", "write_call",
//! "html_call", "notify_call"?, "message_id"?}`. Evidence: the stored report (`Report`), both
//! `fs_write` calls with their `File`s, and the `notify` call with its `Message` when a channel
//! was named. The check reads the report back from the store (it must exist, be this task's,
//! and its Markdown and HTML must hash to the files' evidence), then the calls and the message.

mod input;

use crate::markdown::{has_file, normalized, write_report};
use crate::{calls, notify};
use async_trait::async_trait;
use chrono::{Duration, Utc};
use juggernaut_core::Evidence;
use juggernaut_handler::{Done, Handler, HandlerError, InputSpec, Outcome, TaskContext};
use juggernaut_report::{Period, Request, Sources, gather, html, markdown};
use juggernaut_store::{NewReport, ReportId, StoreError, StoredReport};
use serde_json::json;

pub use input::{ReportInput, html_path};

/// The `report` handler, drawing each day's spend against the day budget it was built with.
pub struct Report {
    day_budget_usd: Option<f64>,
}

impl Report {
    /// The handler, with `[budgets] day_usd` when one is configured.
    pub fn new(day_budget_usd: Option<f64>) -> Self {
        Self { day_budget_usd }
    }
}

fn input_of(ctx: &TaskContext) -> Result<ReportInput, String> {
    if ctx.task.input.is_null() {
        return Ok(ReportInput::default());
    }
    ctx.input().map_err(|e| format!("report input: {e}"))
}

fn store_failed(what: &str, e: StoreError) -> HandlerError {
    let message = format!("report: {what}: {e}");
    if e.is_retryable() {
        HandlerError::retry(message)
    } else {
        HandlerError::Permanent(message)
    }
}

/// Lowercase hex SHA-256 of `text`, as file evidence carries it.
fn sha256(text: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[async_trait]
impl Handler for Report {
    fn reach(&self, input: &serde_json::Value) -> juggernaut_handler::gate::Reach {
        crate::reach::report(input)
    }

    fn kind(&self) -> &'static str {
        "report"
    }

    fn description(&self) -> &'static str {
        "makes the executive report for the last days (goals and forecasts, work done with \
         evidence, spend against budget, failures, pending approvals), stores it, writes it as \
         Markdown and HTML with charts, and optionally announces it"
    }

    fn input(&self) -> InputSpec {
        InputSpec::of::<ReportInput>()
    }

    async fn run(&self, ctx: &TaskContext) -> Result<Outcome, HandlerError> {
        let input = input_of(ctx).map_err(HandlerError::Permanent)?;
        let now = Utc::now();
        let since = now - Duration::days(input.days());
        let period =
            Period::ending(Some(since), now).map_err(|e| HandlerError::Permanent(e.to_string()))?;
        let h = &ctx.handles;
        let sources = Sources {
            goals: h.goals.clone(),
            costs: h.costs.clone(),
            reads: h.reads.clone(),
            experiments: h.experiments.clone(),
            // Read below, through the task's narrow learnings handle.
            learnings: None,
        };
        let request = Request {
            title: input.title.clone(),
            period,
            day_budget_usd: self.day_budget_usd,
        };
        let mut report = gather(&sources, &request)
            .await
            .map_err(|e| store_failed("reading the report's data", e))?;
        let learned = h
            .learnings
            .recent(juggernaut_report::gather::MAX_LEARNINGS)
            .await
            .map_err(|e| store_failed("reading the learnings", e))?;
        report.learnings = juggernaut_report::gather::learning_lines(learned, period);
        report.learnings_read = true;
        let md = markdown::render(&report);
        let page = html::render(&report);
        let path = input.path_on(&now.format("%Y-%m-%d").to_string());
        let page_path = html_path(&path)
            .ok_or_else(|| HandlerError::Permanent(format!("`path`: `{path}` must end in .md")))?;
        let md_written = write_report(ctx, &path, &md).await?;
        let html_written = write_report(ctx, &page_path, &page).await?;
        let summary = report.summary();
        let new = NewReport {
            title: report.title.clone(),
            since: period.since,
            until: period.until,
            task: Some(ctx.task.id),
            summary: summary.clone(),
            markdown: md,
            html: page,
        };
        let actor = format!("report:task {}", ctx.task.id);
        let saved = h
            .reports
            .save_report(new, &actor)
            .await
            .map_err(|e| store_failed("storing the report", e))?;
        let mut evidence = vec![Evidence::Report {
            id: saved.id.0.to_string(),
        }];
        evidence.extend(md_written.all_evidence());
        evidence.extend(html_written.all_evidence());
        let mut result = json!({
            "report": saved.id.0,
            "title": saved.title,
            "since": saved.since,
            "until": saved.until,
            "summary": summary,
            "path": path,
            "html_path": page_path,
            "write_call": md_written.id.0,
            "html_call": html_written.id.0,
        });
        if let Some(channel) = &input.notify_channel {
            let text = format!(
                "{} Report {} (files {path} and {page_path}).",
                report.headline(),
                saved.id
            );
            let sent = notify::send(ctx, channel, Some(&report.title), &text).await?;
            evidence.extend(sent.all_evidence());
            result["notify_call"] = json!(sent.id.0);
            result["message_id"] = sent.output.content["id"].clone();
        }
        Ok(Outcome::done(result, evidence))
    }

    async fn verify(&self, ctx: &TaskContext, done: &Done) -> Result<(), String> {
        let input = input_of(ctx)?;
        let stored = stored_report(ctx, done).await?;
        let path = done.result["path"]
            .as_str()
            .ok_or("the result names no `path`")?;
        if let Some(asked) = &input.path
            && normalized(asked) != path
        {
            return Err(format!(
                "the report was asked at `{asked}` but the result says `{path}`"
            ));
        }
        let page_path = html_path(path).ok_or("the result's `path` does not end in .md")?;
        for (file, body) in [(path, &stored.markdown), (page_path.as_str(), &stored.html)] {
            if !has_file(done, file) {
                return Err(format!("no file evidence for the report `{file}`"));
            }
            if !holds(done, file, &sha256(body)) {
                return Err(format!(
                    "`{file}` does not hold the stored report {}",
                    stored.info.id
                ));
            }
        }
        let mut ids = vec![
            calls::call_id(&done.result["write_call"]).ok_or("no `write_call`")?,
            calls::call_id(&done.result["html_call"]).ok_or("no `html_call`")?,
        ];
        if let Some(channel) = &input.notify_channel {
            ids.push(calls::call_id(&done.result["notify_call"]).ok_or("no `notify_call`")?);
            if !notify::sent_on(done, channel) {
                return Err(format!("no message on channel `{channel}` in the evidence"));
            }
        }
        calls::has_calls(done, ids.iter().map(String::as_str))
    }
}

/// The report the evidence names, read back from the store: it must exist and be this task's.
async fn stored_report(ctx: &TaskContext, done: &Done) -> Result<StoredReport, String> {
    let id = done
        .evidence
        .iter()
        .find_map(|e| match e {
            Evidence::Report { id } => id.parse::<i64>().ok(),
            _ => None,
        })
        .ok_or("no report evidence")?;
    let stored = ctx
        .handles
        .reports
        .report(ReportId(id))
        .await
        .map_err(|e| format!("reading report {id}: {e}"))?
        .ok_or_else(|| format!("report {id} is not stored"))?;
    if stored.info.task != Some(ctx.task.id) {
        return Err(format!("report {id} was not made by this task"));
    }
    if done.result["report"] != json!(id) {
        return Err(format!("the result does not name report {id}"));
    }
    Ok(stored)
}

/// Whether `done` has the `File` evidence of `path` with this hash.
fn holds(done: &Done, path: &str, sha: &str) -> bool {
    let want = normalized(path);
    done.evidence.iter().any(|e| match e {
        Evidence::File { path: have, sha256 } => {
            (*have == want || have.ends_with(&format!("/{want}"))) && sha256 == sha
        }
        _ => false,
    })
}
