//! Executive reports, stored: each one's title, the period it covers, the task that made it (if
//! a task did), a small JSON summary (counts, spend) and its Markdown and HTML. Saving writes a
//! `report.stored` audit event in the same transaction; reports are never changed afterwards.
//! Lists are keyset pages, newest first, without the bodies.

use super::StoreResult;
use crate::error::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use juggernaut_core::text::{check_json, check_text};
use juggernaut_core::{DomainError, TaskId};
use serde::{Deserialize, Serialize};

/// Longest title, in characters.
pub const MAX_REPORT_TITLE: usize = 200;

/// Largest Markdown or HTML body, in bytes.
pub const MAX_REPORT_BODY: usize = 4 * 1024 * 1024;

/// Largest summary, in bytes of JSON.
pub const MAX_REPORT_SUMMARY: usize = 16 * 1024;

/// Most reports one page holds.
pub const MAX_REPORT_PAGE: u32 = 200;

/// Identifies one stored report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ReportId(pub i64);

impl std::fmt::Display for ReportId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A report to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReport {
    /// Its title (1-200 characters on one line).
    pub title: String,
    /// The start of the period it covers.
    pub since: DateTime<Utc>,
    /// The end of the period (after `since`).
    pub until: DateTime<Utc>,
    /// The task that made it, if a task did.
    pub task: Option<TaskId>,
    /// Counts and totals for lists and notifications (a JSON object, at most 16 KiB).
    pub summary: serde_json::Value,
    /// The Markdown (at most 4 MiB).
    pub markdown: String,
    /// The self-contained HTML (at most 4 MiB).
    pub html: String,
}

fn bad(field: &'static str, reason: impl Into<String>) -> StoreError {
    StoreError::Domain(DomainError::InvalidField {
        field,
        reason: reason.into(),
    })
}

impl NewReport {
    /// What every backend refuses before writing: a blank, overlong or multi-line title, a
    /// period that ends before it starts, a summary that is not a small object, an empty or
    /// oversized body, and NUL anywhere.
    pub fn check(&self) -> StoreResult<()> {
        let title = self.title.trim();
        if title.is_empty()
            || self.title.chars().count() > MAX_REPORT_TITLE
            || self.title.contains(char::is_control)
        {
            return Err(bad(
                "title",
                format!("must be 1-{MAX_REPORT_TITLE} characters on one line"),
            ));
        }
        if self.until <= self.since {
            return Err(bad("until", "the period must end after it starts"));
        }
        let size = self.summary.to_string().len();
        if !self.summary.is_object() || size > MAX_REPORT_SUMMARY {
            return Err(bad(
                "summary",
                format!("must be a JSON object of at most {MAX_REPORT_SUMMARY} bytes"),
            ));
        }
        for (field, body) in [("markdown", &self.markdown), ("html", &self.html)] {
            if body.trim().is_empty() || body.len() > MAX_REPORT_BODY {
                return Err(bad(
                    field,
                    format!("must hold 1 to {MAX_REPORT_BODY} bytes"),
                ));
            }
            check_text(field, body)?;
        }
        check_text("title", &self.title)?;
        check_json("summary", &self.summary)?;
        Ok(())
    }
}

/// A stored report without its bodies: what lists show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportInfo {
    /// Its id.
    pub id: ReportId,
    /// Its title.
    pub title: String,
    /// The start of the period it covers.
    pub since: DateTime<Utc>,
    /// The end of the period it covers.
    pub until: DateTime<Utc>,
    /// The task that made it.
    pub task: Option<TaskId>,
    /// Counts and totals.
    pub summary: serde_json::Value,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
    /// Who stored it.
    pub created_by: String,
}

/// A stored report with its bodies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredReport {
    /// What lists show.
    #[serde(flatten)]
    pub info: ReportInfo,
    /// The Markdown.
    pub markdown: String,
    /// The HTML.
    pub html: String,
}

/// A page of reports: newest first, ids below `before`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportPage {
    /// The last id of the previous page, or `None` for the newest.
    pub before: Option<ReportId>,
    /// Page size (1-200; outside is refused).
    pub limit: u32,
}

impl Default for ReportPage {
    fn default() -> Self {
        Self {
            before: None,
            limit: 50,
        }
    }
}

impl ReportPage {
    /// Refuses a limit outside 1-[`MAX_REPORT_PAGE`], naming it.
    pub fn check(&self) -> StoreResult<()> {
        if (1..=MAX_REPORT_PAGE).contains(&self.limit) {
            return Ok(());
        }
        Err(bad(
            "limit",
            format!("{} is out of range: use 1 to {MAX_REPORT_PAGE}", self.limit),
        ))
    }
}

/// The reports table.
#[async_trait]
pub trait Reports: Send + Sync {
    /// Stores a report with its `report.stored` event (naming `actor` and, when a task made
    /// it, that task) in one transaction. Refuses (`StoreError::Domain`, nothing written) what
    /// [`NewReport::check`] refuses and a blank actor.
    async fn save_report(&self, report: NewReport, actor: &str) -> StoreResult<ReportInfo>;

    /// Reports newest first, one page, without their bodies; a limit outside 1-200 is refused.
    async fn reports(&self, page: ReportPage) -> StoreResult<Vec<ReportInfo>>;

    /// One report with its bodies.
    async fn report(&self, id: ReportId) -> StoreResult<Option<StoredReport>>;
}
