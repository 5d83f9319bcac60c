//! `report`'s input: the title, where to write the files, the notification channel and how
//! many days back the report looks.

use crate::markdown::{check_path, normalized};
use crate::notify;
use juggernaut_handler::TaskInput;
use juggernaut_report::gather::{DEFAULT_DAYS, MAX_DAYS};

/// Longest title, in characters.
const MAX_TITLE: usize = 200;

/// `report`'s input.
#[derive(Debug, Clone, Default, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    /// The report's title (default `Executive report <since> to <until>`).
    #[serde(default)]
    pub title: Option<String>,
    /// Where to write the Markdown in the task's workspace (default
    /// `reports/status-<UTC date>.md`); the HTML goes next to it, ending in `.html`.
    #[serde(default)]
    pub path: Option<String>,
    /// A notification channel to send the report's headline on.
    #[serde(default)]
    pub notify_channel: Option<String>,
    /// How many days back the report looks (1-92, default 7).
    #[serde(default)]
    pub days: Option<u32>,
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
            if html_path(&normalized(p)).is_none() {
                return Err(format!("`path`: `{p}` must end in `.md`"));
            }
        }
        if let Some(c) = &self.notify_channel
            && !notify::is_channel(c)
        {
            return Err(format!(
                "`notify_channel`: `{c}` is not a channel name (1-64 letters, digits, `-` and `_`)"
            ));
        }
        if let Some(d) = self.days
            && !(1..=MAX_DAYS).contains(&i64::from(d))
        {
            return Err(format!("`days`: {d} is out of range: use 1 to {MAX_DAYS}"));
        }
        Ok(())
    }
}

impl ReportInput {
    /// The Markdown's path on `today`.
    pub fn path_on(&self, today: &str) -> String {
        normalized(
            &self
                .path
                .clone()
                .unwrap_or_else(|| format!("reports/status-{today}.md")),
        )
    }

    /// How many days back.
    pub fn days(&self) -> i64 {
        self.days.map_or(DEFAULT_DAYS, i64::from)
    }
}

/// The HTML's path next to a Markdown path ending in `.md`.
pub fn html_path(md_path: &str) -> Option<String> {
    let stem = md_path.strip_suffix(".md")?;
    let name = stem.rsplit('/').next().unwrap_or(stem);
    (!name.is_empty()).then(|| format!("{stem}.html"))
}
