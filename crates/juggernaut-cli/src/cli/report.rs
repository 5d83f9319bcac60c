//! `juggernaut report`'s flags: the format, the period's start (a time or an age, as
//! `audit --since` takes it), a title, where to write it and whether to store it.

use super::audit::{Since, since_parser};
use clap::{Args, ValueEnum};

/// The report's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Markdown.
    Md,
    /// One self-contained HTML page with inline SVG charts.
    Html,
}

/// `juggernaut report`
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Md)]
    pub format: ReportFormat,
    /// The period's start (default 7 days ago; at most 92 days): RFC 3339, a date (its start in
    /// UTC) or an age (`36h`, `7d`, `2w`).
    #[arg(long, value_parser = since_parser)]
    pub since: Option<Since>,
    /// The title (default `Executive report <since> to <until>`).
    #[arg(long)]
    pub title: Option<String>,
    /// Write the report to this file instead of printing it.
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
    /// Also store it in the database (listed by `GET /api/reports`).
    #[arg(long)]
    pub store: bool,
}
