//! Stored executive reports: the metadata lists show, one report with its Markdown, and the
//! body of a request to make one now.

use chrono::{DateTime, Utc};
use juggernaut_app::ReportList;
use juggernaut_store::{ReportId, ReportInfo, StoredReport};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A stored report without its bodies.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportView {
    /// Its id.
    #[schema(value_type = i64)]
    pub id: ReportId,
    /// Its title.
    pub title: String,
    /// The start of the period it covers.
    pub since: DateTime<Utc>,
    /// The end of the period it covers.
    pub until: DateTime<Utc>,
    /// The task that made it (a scheduled `report` task), if a task did.
    #[schema(value_type = Option<i64>)]
    pub task: Option<juggernaut_core::TaskId>,
    /// Counts and totals: goals, active, achieved, missed, at_risk, done, failures, dead,
    /// approvals, spend_usd, days_over_budget, experiments, learnings.
    #[schema(value_type = Object)]
    pub summary: serde_json::Value,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
    /// Who stored it (`token:NAME`, `cli`, `report:task N`).
    pub created_by: String,
}

impl From<ReportInfo> for ReportView {
    fn from(r: ReportInfo) -> Self {
        Self {
            id: r.id,
            title: r.title,
            since: r.since,
            until: r.until,
            task: r.task,
            summary: r.summary,
            created_at: r.created_at,
            created_by: r.created_by,
        }
    }
}

/// A stored report with its Markdown (the HTML is at `/api/reports/{id}/html`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDetailView {
    /// What lists show.
    #[serde(flatten)]
    pub report: ReportView,
    /// The report as Markdown.
    pub markdown: String,
}

impl From<StoredReport> for ReportDetailView {
    fn from(r: StoredReport) -> Self {
        Self {
            report: r.info.into(),
            markdown: r.markdown,
        }
    }
}

/// One page of reports, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportPageView {
    /// The reports.
    pub items: Vec<ReportView>,
    /// Pass as `?cursor=` for the next (older) page; null on the last page.
    #[schema(value_type = Option<i64>)]
    pub next_cursor: Option<ReportId>,
}

impl From<ReportList> for ReportPageView {
    fn from(l: ReportList) -> Self {
        Self {
            items: l.items.into_iter().map(ReportView::from).collect(),
            next_cursor: l.next_cursor,
        }
    }
}

/// What report to make now.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReportBody {
    /// The period's start (RFC 3339; default 7 days ago; at most 92 days ago).
    #[serde(default)]
    pub since: Option<DateTime<Utc>>,
    /// The title (default `Executive report <since> to <until>`).
    #[serde(default)]
    pub title: Option<String>,
}
