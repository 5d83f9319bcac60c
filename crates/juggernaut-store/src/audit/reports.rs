//! The details of the reports' event, `report.stored`: which report, its title and the period it
//! covers. Never the report's text.

use crate::capability::reports::ReportId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// `report.stored` (the event's actor is who stored it; its task, the task that made it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportEvent {
    /// The report.
    pub report: ReportId,
    /// Its title.
    pub title: String,
    /// The start of the period it covers.
    pub since: DateTime<Utc>,
    /// The end of the period it covers.
    pub until: DateTime<Utc>,
}
