//! Executive reports on demand: made now for a period (default the last 7 days) from the store,
//! rendered as Markdown and HTML, and stored when asked (with a `report.stored` event naming who
//! asked); stored reports listed newest first in keyset pages and read by id. The scheduled
//! report is the `report` task kind, which gathers and renders the same way.

use crate::{App, AppError};
use chrono::{DateTime, Utc};
use juggernaut_report::{ExecutiveReport, Period, Request, Sources, gather, html, markdown};
use juggernaut_store::capability::reports::MAX_REPORT_PAGE;
use juggernaut_store::{NewReport, ReportId, ReportInfo, ReportPage, StoredReport};
use serde::Serialize;

/// A report made now, in both formats.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MadeReport {
    /// Its data, section by section.
    pub report: ExecutiveReport,
    /// As Markdown.
    pub markdown: String,
    /// As self-contained HTML.
    pub html: String,
}

/// One page of stored reports, newest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportList {
    /// The reports, without their bodies.
    pub items: Vec<ReportInfo>,
    /// Pass as the cursor for the next (older) page; `None` on the last page.
    pub next_cursor: Option<ReportId>,
}

impl App {
    /// Makes the executive report for `since` (default: 7 days ago) to now, titled `title`
    /// (default `Executive report <since> to <until>`). A period that does not start in the
    /// past or spans more than 92 days is refused, naming `since`.
    pub async fn make_report(
        &self,
        since: Option<DateTime<Utc>>,
        title: Option<String>,
    ) -> Result<MadeReport, AppError> {
        if let Some(t) = &title
            && (t.trim().is_empty() || t.chars().count() > 200 || t.contains(char::is_control))
        {
            return Err(juggernaut_core::DomainError::InvalidField {
                field: "title",
                reason: "must be 1-200 characters on one line".into(),
            }
            .into());
        }
        let period = Period::ending(since, Utc::now())?;
        let request = Request {
            title,
            period,
            day_budget_usd: self.day_budget_usd,
        };
        let report = gather(&Sources::over(self.store.clone()), &request).await?;
        Ok(MadeReport {
            markdown: markdown::render(&report),
            html: html::render(&report),
            report,
        })
    }

    /// Stores a report made by [`App::make_report`], with its event naming `actor`.
    pub async fn store_report(
        &self,
        made: &MadeReport,
        actor: &str,
    ) -> Result<ReportInfo, AppError> {
        let new = NewReport {
            title: made.report.title.clone(),
            since: made.report.period.since,
            until: made.report.period.until,
            task: None,
            summary: made.report.summary(),
            markdown: made.markdown.clone(),
            html: made.html.clone(),
        };
        Ok(self.store.save_report(new, actor).await?)
    }

    /// One page of stored reports: newest first, ids below `cursor`, at most `limit` (1-200).
    pub async fn reports(
        &self,
        cursor: Option<ReportId>,
        limit: u32,
    ) -> Result<ReportList, AppError> {
        ReportPage {
            before: cursor,
            limit,
        }
        .check()?;
        // One more than asked says whether there is a next page (a full page of the largest
        // size points to the next one, which may be empty).
        let asked = ReportPage {
            before: cursor,
            limit: (limit + 1).min(MAX_REPORT_PAGE),
        };
        let mut items = self.store.reports(asked).await?;
        let more =
            items.len() > limit as usize || (asked.limit == limit && items.len() == limit as usize);
        items.truncate(limit as usize);
        let next_cursor = if more {
            items.last().map(|r| r.id)
        } else {
            None
        };
        Ok(ReportList { items, next_cursor })
    }

    /// One stored report with its bodies; an unknown id is [`AppError::NotFound`].
    pub async fn report(&self, id: ReportId) -> Result<StoredReport, AppError> {
        self.store
            .report(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no report has id {id}")))
    }
}
