//! `[governance]`: the policy the gate applies, written in the config (`[governance.policy]`)
//! or in its own file (`policy_file`), else the built-in default (low runs, medium and high wait
//! a day for a person, then expire as rejected). Checked on load like the rest of the config:
//! unknown keys, rules and out-of-range values are refused with the key named.

use crate::config::bounded;
use crate::exit::BadInput;
use juggernaut_core::RiskLevel;
use juggernaut_handler::gate::{OnTimeout, Policy, Rule};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `[governance]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGovernance {
    policy_file: Option<PathBuf>,
    policy: Option<RawPolicy>,
}

/// A policy as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    #[serde(default)]
    bands: RawBands,
    #[serde(default)]
    kinds: BTreeMap<String, Rule>,
    #[serde(default)]
    tools: BTreeMap<String, Rule>,
    #[serde(default)]
    timeouts: RawTimeouts,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBands {
    medium_from: Option<u64>,
    high_from: Option<u64>,
    low: Option<Rule>,
    medium: Option<Rule>,
    high: Option<Rule>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTimeouts {
    low_secs: Option<u64>,
    low_on_timeout: Option<OnTimeout>,
    medium_secs: Option<u64>,
    high_secs: Option<u64>,
}

/// The validated `[governance]`.
#[derive(Debug, Clone, Default)]
pub struct Governance {
    /// The policy the gate applies.
    pub policy: Policy,
    /// Where it came from: `built-in`, the config file, or the policy file.
    pub policy_source: String,
}

const YEAR: u64 = 365 * 86_400;

impl RawGovernance {
    /// Checks it; `base` resolves a relative `policy_file`.
    pub fn validate(self, base: &Path, file: &str) -> anyhow::Result<Governance> {
        let (raw, source) = match (self.policy_file, self.policy) {
            (Some(_), Some(_)) => {
                return Err(BadInput(format!(
                    "{file}: [governance] has both `policy_file` and [governance.policy]; keep one"
                ))
                .into());
            }
            (Some(path), None) => {
                let path = base.join(path);
                let shown = path.display().to_string();
                (read(&path)?, shown)
            }
            (None, Some(raw)) => (raw, file.to_owned()),
            (None, None) => (RawPolicy::default(), "built-in".to_owned()),
        };
        let policy = raw.validate(&source)?;
        Ok(Governance {
            policy,
            policy_source: source,
        })
    }
}

fn read(path: &Path) -> anyhow::Result<RawPolicy> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| BadInput(format!("cannot read policy file {}: {e}", path.display())))?;
    toml::from_str(&text)
        .map_err(|e| BadInput(format!("policy file {}: {e}", path.display())).into())
}

impl RawPolicy {
    fn validate(self, file: &str) -> anyhow::Result<Policy> {
        let mut p = Policy::default();
        let b = self.bands;
        let limit = |name, v: Option<u64>, default: u32| {
            bounded(name, v, u64::from(default), (1, 100), file)
                .map(|n| u32::try_from(n).unwrap_or(default))
        };
        p.medium_from = limit("bands.medium_from", b.medium_from, p.medium_from)?;
        p.high_from = limit("bands.high_from", b.high_from, p.high_from)?;
        for (level, rule) in [
            (RiskLevel::Low, b.low),
            (RiskLevel::Medium, b.medium),
            (RiskLevel::High, b.high),
        ] {
            if let Some(r) = rule {
                p.bands.insert(level, r);
            }
        }
        p.kinds = self.kinds;
        p.tools = self.tools;
        let t = self.timeouts;
        let secs = |name, v, d: Duration| {
            bounded(name, v, d.as_secs(), (1, YEAR), file).map(Duration::from_secs)
        };
        p.timeouts.low = secs("timeouts.low_secs", t.low_secs, p.timeouts.low)?;
        p.timeouts.medium = secs("timeouts.medium_secs", t.medium_secs, p.timeouts.medium)?;
        p.timeouts.high = secs("timeouts.high_secs", t.high_secs, p.timeouts.high)?;
        if let Some(on) = t.low_on_timeout {
            p.timeouts.low_on_timeout = on;
        }
        p.check()
            .map_err(|e| BadInput(format!("{file}: policy: {e}")))?;
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> anyhow::Result<Governance> {
        let raw: RawGovernance = toml::from_str(text)?;
        raw.validate(Path::new("."), "j.toml")
    }

    #[test]
    fn the_default_is_built_in_and_inline_policies_are_read() {
        let g = parse("").unwrap();
        assert_eq!(
            (g.policy, g.policy_source.as_str()),
            (Policy::default(), "built-in")
        );
        let g = parse(
            "[policy.bands]\nmedium = \"auto\"\nhigh_from = 70\n[policy.kinds]\nhttp = \"auto\"\n\
             [policy.tools]\ngithub_merge = \"forbidden\"\n[policy.timeouts]\nlow_on_timeout = \"approve\"\n",
        )
        .unwrap();
        assert_eq!(g.policy.band_rule(RiskLevel::Medium), Rule::Auto);
        assert_eq!(g.policy.high_from, 70);
        assert_eq!(g.policy.tools["github_merge"], Rule::Forbidden);
        assert_eq!(g.policy.timeouts.low_on_timeout, OnTimeout::Approve);
    }

    #[test]
    fn bad_policies_are_named() {
        let e = |t: &str| parse(t).unwrap_err().to_string();
        assert!(e("[policy.bands]\nhigh = \"auto\"\n").contains("high band"));
        assert!(e("[policy.bands]\nmedium_from = 0\n").contains("bands.medium_from"));
        assert!(e("[policy.kinds]\nhttp = \"maybe\"\n").contains("unknown variant"));
        assert!(e("[policy.timeouts]\nhigh_secs = 0\n").contains("timeouts.high_secs"));
        assert!(e("policy_file = \"/nonexistent/p.toml\"\n").contains("cannot read policy file"));
        assert!(e("policy_file = \"p.toml\"\n[policy]\n").contains("keep one"));
    }
}
