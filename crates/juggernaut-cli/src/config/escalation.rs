//! `[escalation]`: how the leader's escalator paces itself, its thresholds, and the notify
//! channel escalations are sent on (without one they are only recorded; `juggernaut escalation
//! list` shows them either way).
//!
//! ```toml
//! [escalation]
//! channel = "ops"               # a channel of [tools.notify.channels]; default: none
//! scan_secs = 60                # how often the leader looks
//! stuck_secs = 900              # a task ready (or due) this long without a claim is stuck
//! stale_approval_secs = 14400   # a task waiting for approval this long is reported
//! failures_per_hour = 5         # a kind failing this often within an hour is escalated
//! ```

use super::bounded;
use crate::exit::BadInput;
use juggernaut_engine::node::EscalatorConfig;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// `[escalation]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEscalation {
    channel: Option<String>,
    scan_secs: Option<u64>,
    stuck_secs: Option<u64>,
    stale_approval_secs: Option<u64>,
    failures_per_hour: Option<u64>,
}

/// The escalator's validated settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Escalation {
    /// The notify channel escalations are sent on, if any.
    pub channel: Option<String>,
    /// Pacing and thresholds (the daily budget is filled in from `[budgets]`).
    pub config: EscalatorConfig,
}

impl RawEscalation {
    /// Checks every key; `channels` are the names of `[tools.notify.channels]`.
    pub fn validate<T>(
        self,
        channels: &BTreeMap<String, T>,
        day_budget_usd: Option<f64>,
        file: &str,
    ) -> anyhow::Result<Escalation> {
        if let Some(c) = &self.channel
            && !channels.contains_key(c)
        {
            let known: Vec<&str> = channels.keys().map(String::as_str).collect();
            return Err(BadInput(format!(
                "{file}: [escalation] channel = \"{c}\" names no channel of \
                 [tools.notify.channels] ({})",
                if known.is_empty() {
                    "none is configured".to_owned()
                } else {
                    format!("known: {}", known.join(", "))
                }
            ))
            .into());
        }
        let secs = |name, v, default, range| -> anyhow::Result<Duration> {
            Ok(Duration::from_secs(bounded(name, v, default, range, file)?))
        };
        let failures = bounded(
            "escalation.failures_per_hour",
            self.failures_per_hour,
            5,
            (1, 1_000_000),
            file,
        )?;
        Ok(Escalation {
            channel: self.channel,
            config: EscalatorConfig {
                scan: secs("escalation.scan_secs", self.scan_secs, 60, (1, 86_400))?,
                stuck: secs(
                    "escalation.stuck_secs",
                    self.stuck_secs,
                    900,
                    (1, 30 * 86_400),
                )?,
                stale_approval: secs(
                    "escalation.stale_approval_secs",
                    self.stale_approval_secs,
                    14_400,
                    (1, 30 * 86_400),
                )?,
                failures_per_hour: u32::try_from(failures).unwrap_or(5),
                day_budget_usd,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, channels: &[&str]) -> anyhow::Result<Escalation> {
        let raw: RawEscalation = toml::from_str(text)?;
        let channels: BTreeMap<String, ()> =
            channels.iter().map(|c| ((*c).to_owned(), ())).collect();
        raw.validate(&channels, Some(20.0), "j.toml")
    }

    #[test]
    fn defaults_ranges_and_channels() {
        let d = parse("", &[]).unwrap();
        assert_eq!(d.channel, None);
        assert_eq!(d.config.scan, Duration::from_secs(60));
        assert_eq!(d.config.stuck, Duration::from_secs(900));
        assert_eq!(d.config.stale_approval, Duration::from_secs(14_400));
        assert_eq!(d.config.failures_per_hour, 5);
        assert_eq!(d.config.day_budget_usd, Some(20.0));
        let set = parse(
            "channel = \"ops\"\nscan_secs = 5\nfailures_per_hour = 2",
            &["ops"],
        );
        let set = set.unwrap();
        assert_eq!(set.channel.as_deref(), Some("ops"));
        assert_eq!(
            (set.config.scan, set.config.failures_per_hour),
            (Duration::from_secs(5), 2)
        );
        let unknown = parse("channel = \"pager\"", &["ops"])
            .unwrap_err()
            .to_string();
        assert!(
            unknown.contains("\"pager\"") && unknown.contains("known: ops"),
            "{unknown}"
        );
        let none = parse("channel = \"pager\"", &[]).unwrap_err().to_string();
        assert!(none.contains("none is configured"), "{none}");
        let zero = parse("scan_secs = 0", &[]).unwrap_err().to_string();
        assert!(zero.contains("escalation.scan_secs"), "{zero}");
        assert!(parse("color = 1", &[]).is_err());
    }
}
