//! `report`: a status report of the system, written to a Markdown file in the task's workspace
//! and, when asked, summed up on a notification channel.
//!
//! Input ([`ReportInput`]): `{"title"?, "path"?, "notify_channel"?}`; the path defaults to
//! `reports/status-<UTC date>.md` and must stay inside the workspace (relative, no `..`).
//!
//! The report holds the goals (the newest [`MAX_GOALS`]): status, the latest reading against the
//! target with progress, the deadline (and whether it has passed), how many there are of each
//! status, and the money counted against today's budget (settled, reserved, calls, tokens). It is
//! written through `fs_write`; the summary goes through `notify`.
//!
//! Result: `{"path", "goals", "statuses", "spend_today_usd", "write_call", "notify_call"?}`.
//! Evidence: the `fs_write` call and its `File`, and the `notify` call and its `Message` when a
//! channel was named. The check: the `File` of the report's path, the calls the result names,
//! and a `Message` on the channel asked for.

use crate::markdown::{self, check_path, has_file, normalized, write_report};
use crate::{calls, notify};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use juggernaut_core::{Goal, GoalStatus};
use juggernaut_handler::{Done, Handler, HandlerError, InputSpec, Outcome, TaskContext, TaskInput};
use juggernaut_store::{CostFilter, GoalFilter, Spend, StoreError};
use serde_json::{Map, json};

/// Most goals listed.
pub const MAX_GOALS: u32 = 200;

/// Longest title, in characters.
const MAX_TITLE: usize = 200;

/// The `report` handler.
pub struct Report;

/// `report`'s input.
#[derive(Debug, Clone, Default, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    /// The report's title (default `Status report <UTC date>`).
    #[serde(default)]
    pub title: Option<String>,
    /// Where to write it in the task's workspace (default `reports/status-<UTC date>.md`).
    #[serde(default)]
    pub path: Option<String>,
    /// A notification channel to send a short summary on.
    #[serde(default)]
    pub notify_channel: Option<String>,
}

impl TaskInput for ReportInput {
    fn validate(&self) -> Result<(), String> {
        if let Some(t) = &self.title
            && (t.trim().is_empty()
                || t.chars().count() > MAX_TITLE
                || t.contains(char::is_control))
        {
            return Err(format!(
                "`title`: must be 1-{MAX_TITLE} characters on one line"
            ));
        }
        if let Some(p) = &self.path {
            check_path("path", p)?;
        }
        if let Some(c) = &self.notify_channel
            && !notify::is_channel(c)
        {
            return Err(format!(
                "`notify_channel`: `{c}` is not a channel name (1-64 letters, digits, `-` and `_`)"
            ));
        }
        Ok(())
    }
}

impl ReportInput {
    /// The report's path on `today`.
    pub fn path_on(&self, today: &str) -> String {
        normalized(
            &self
                .path
                .clone()
                .unwrap_or_else(|| format!("reports/status-{today}.md")),
        )
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

/// A number for people: integers without decimals, others to two places.
fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

fn with_unit(v: f64, unit: &str) -> String {
    if unit.is_empty() {
        number(v)
    } else {
        format!("{} {unit}", number(v))
    }
}

/// One goal's table row.
fn goal_row(g: &Goal, now: DateTime<Utc>) -> Vec<String> {
    let target = g.spec.target.as_ref();
    let unit = target.map_or("", |t| t.unit.as_str());
    let deadline = match g.spec.deadline {
        None => "—".to_owned(),
        Some(d) if d < now && !g.status.is_final() => format!("{} (passed)", d.format("%Y-%m-%d")),
        Some(d) if !g.status.is_final() => {
            format!(
                "{} ({} days left)",
                d.format("%Y-%m-%d"),
                (d - now).num_days()
            )
        }
        Some(d) => d.format("%Y-%m-%d").to_string(),
    };
    vec![
        format!("#{} {}", g.id.0, g.spec.title),
        g.status.as_str().to_owned(),
        g.current.map_or("—".into(), |c| with_unit(c, unit)),
        target.map_or("—".into(), |t| with_unit(t.target, unit)),
        g.progress()
            .map_or("—".into(), |p| format!("{:.0}%", p * 100.0)),
        deadline,
    ]
}

/// The report's Markdown.
fn render(title: &str, task: i64, now: DateTime<Utc>, goals: &[Goal], spend: &Spend) -> String {
    let mut md = format!(
        "# {}\n\nGenerated {} UTC by task {task}.\n\n## Goals\n\n",
        markdown::cell(title, MAX_TITLE),
        now.format("%Y-%m-%d %H:%M:%S")
    );
    if goals.is_empty() {
        md.push_str("No goals.\n");
    } else {
        let counts: Vec<String> = GoalStatus::ALL
            .iter()
            .map(|s| (s, goals.iter().filter(|g| g.status == *s).count()))
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| format!("{n} {s}"))
            .collect();
        let shown = if goals.len() as u32 >= MAX_GOALS {
            format!(" (the newest {MAX_GOALS})")
        } else {
            String::new()
        };
        md.push_str(&format!(
            "{} goals{shown}: {}.\n\n",
            goals.len(),
            counts.join(", ")
        ));
        let headers: Vec<String> = [
            "Goal", "Status", "Current", "Target", "Progress", "Deadline",
        ]
        .map(String::from)
        .to_vec();
        let rows: Vec<Vec<String>> = goals.iter().map(|g| goal_row(g, now)).collect();
        md.push_str(&markdown::table(&headers, &rows, 120));
    }
    md.push_str(&format!(
        "\n## Spend today ({})\n\n- Settled: ${:.4} over {} calls ({} tokens in, {} out)\n\
         - Reserved, not yet settled: ${:.4}\n- Counted against today's budget: ${:.4}\n",
        now.format("%Y-%m-%d"),
        spend.settled_usd,
        spend.calls,
        spend.tokens_in,
        spend.tokens_out,
        spend.reserved_usd,
        spend.total_usd()
    ));
    md
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
        "writes a status report (goals against their targets, today's spend) to a Markdown file \
         and optionally sends a summary"
    }

    fn input(&self) -> InputSpec {
        InputSpec::of::<ReportInput>()
    }

    async fn run(&self, ctx: &TaskContext) -> Result<Outcome, HandlerError> {
        let input = input_of(ctx).map_err(HandlerError::Permanent)?;
        let now = Utc::now();
        let today = now.format("%Y-%m-%d").to_string();
        let goals = ctx
            .handles
            .goals
            .list_goals(&GoalFilter::default(), MAX_GOALS)
            .await
            .map_err(|e| store_failed("listing goals", e))?;
        let spend = ctx
            .handles
            .costs
            .spend(&CostFilter {
                day: Some(now.date_naive()),
                ..CostFilter::default()
            })
            .await
            .map_err(|e| store_failed("reading today's spend", e))?;
        let title = input
            .title
            .clone()
            .unwrap_or_else(|| format!("Status report {today}"));
        let path = input.path_on(&today);
        let md = render(&title, ctx.task.id.0, now, &goals, &spend);
        let written = write_report(ctx, &path, &md).await?;
        let mut evidence = written.all_evidence();
        let mut statuses = Map::new();
        for s in GoalStatus::ALL {
            let n = goals.iter().filter(|g| g.status == s).count();
            statuses.insert(s.as_str().to_owned(), json!(n));
        }
        let mut result = json!({
            "path": path,
            "goals": goals.len(),
            "statuses": statuses,
            "spend_today_usd": spend.total_usd(),
            "write_call": written.id.0,
        });
        if let Some(channel) = &input.notify_channel {
            let counts = |s: GoalStatus| goals.iter().filter(|g| g.status == s).count();
            let text = format!(
                "{title}: {} goals ({} active, {} achieved, {} missed); ${:.2} counted against \
                 today's budget. Report: {path}",
                goals.len(),
                counts(GoalStatus::Active),
                counts(GoalStatus::Achieved),
                counts(GoalStatus::Missed),
                spend.total_usd()
            );
            let sent = notify::send(ctx, channel, Some(&title), &text).await?;
            evidence.extend(sent.all_evidence());
            result["notify_call"] = json!(sent.id.0);
            result["message_id"] = sent.output.content["id"].clone();
        }
        Ok(Outcome::done(result, evidence))
    }

    async fn verify(&self, ctx: &TaskContext, done: &Done) -> Result<(), String> {
        let input = input_of(ctx)?;
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
        if !has_file(done, path) {
            return Err(format!("no file evidence for the report `{path}`"));
        }
        let mut ids = vec![calls::call_id(&done.result["write_call"]).ok_or("no `write_call`")?];
        if let Some(channel) = &input.notify_channel {
            ids.push(calls::call_id(&done.result["notify_call"]).ok_or("no `notify_call`")?);
            if !notify::sent_on(done, channel) {
                return Err(format!("no message on channel `{channel}` in the evidence"));
            }
        }
        calls::has_calls(done, ids.iter().map(String::as_str))
    }
}
