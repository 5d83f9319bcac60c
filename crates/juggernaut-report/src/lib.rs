//! The executive report (SPEC §3.11): goals with their readings and forecasts, the work done in
//! a period with links to its evidence, spend per day against the day budget and per goal
//! against its budget, failures and dead letters, pending approvals, experiments and learnings.
//! [`gather`] reads it through the store's read traits; [`markdown`] and [`html`] render it
//! (the HTML self-contained, with the [`svg`] charts). The `report` handler stores and sends
//! it; the application layer makes one on demand.

pub mod data;
pub mod fmt;
pub mod gather;
pub mod html;
pub mod links;
pub mod markdown;
pub mod svg;

pub use data::{ExecutiveReport, Period};
pub use gather::{Request, Sources, gather};

/// The two renderings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Markdown.
    Md,
    /// Self-contained HTML with inline SVG charts.
    Html,
}

impl Format {
    /// `md` or `html`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Md => "md",
            Self::Html => "html",
        }
    }

    /// The report in this format.
    pub fn render(self, report: &ExecutiveReport) -> String {
        match self {
            Self::Md => markdown::render(report),
            Self::Html => html::render(report),
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "md" | "markdown" => Ok(Self::Md),
            "html" => Ok(Self::Html),
            other => Err(format!(
                "`format`: `{other}` is not a format (use md or html)"
            )),
        }
    }
}
