//! Doctor's governance checks: the policy the gate applies (where it comes from, its bands,
//! timeouts and rules, and rules that would never apply).

use super::Check;
use crate::config::Config;
use juggernaut_core::RiskLevel;
use juggernaut_handler::gate;

/// The policy: a summary, failing when a kind rule names a kind this binary does not have.
pub fn policy(cfg: &Config) -> Check {
    let g = &cfg.governance;
    let p = &g.policy;
    let band = |l: RiskLevel| format!("{l} {}", p.band_rule(l).as_str());
    let (low, on) = p.timeout(RiskLevel::Low);
    let summary = format!(
        "{} policy: {}, {}, {} (medium from {}, high from {}); approvals wait {}s low ({} after), \
         {}s medium, {}s high; {} kind rule(s), {} tool rule(s)",
        g.policy_source,
        band(RiskLevel::Low),
        band(RiskLevel::Medium),
        band(RiskLevel::High),
        p.medium_from,
        p.high_from,
        low.as_secs(),
        match on {
            gate::OnTimeout::Approve => "approved",
            gate::OnTimeout::Reject => "rejected",
        },
        p.timeouts.medium.as_secs(),
        p.timeouts.high.as_secs(),
        p.kinds.len(),
        p.tools.len(),
    );
    let registry = match crate::wiring::Wiring::load(cfg) {
        Ok(w) => w.registry,
        Err(e) => {
            return Check::warn(
                "policy",
                format!("{summary}; its kinds were not checked: {e}"),
                "fix the handlers' configuration first (see the other checks)",
            );
        }
    };
    let unknown = gate::unknown_kinds(p, &registry);
    if unknown.is_empty() {
        Check::ok("policy", summary)
    } else {
        let kinds: Vec<String> = registry.all_kinds().iter().map(|k| k.to_string()).collect();
        Check::fail(
            "policy",
            format!(
                "{summary}; {}; kinds here: {}",
                unknown.join("; "),
                kinds.join(", ")
            ),
            "name only canonical kinds in the policy's [kinds]",
        )
    }
}

/// The API tokens: how many are active, by role; a warning when there are none (the API refuses
/// every call and `up` listens only on loopback).
pub async fn tokens(url: &str) -> Check {
    const NAME: &str = "tokens";
    let store = match crate::db::open(url, crate::db::Access::ReadOnly).await {
        Ok(s) => s,
        Err(_) => {
            return Check::warn(
                NAME,
                "not checked: the database is not ready (see `database`)",
                "fix the database first",
            );
        }
    };
    let listed = store.tokens().await;
    store.close().await;
    let active: Vec<_> = match listed {
        Ok(all) => all.into_iter().filter(|t| t.is_active()).collect(),
        Err(e) => {
            return Check::fail(
                NAME,
                format!("cannot list API tokens: {e}"),
                "see `database`",
            );
        }
    };
    if active.is_empty() {
        return Check::warn(
            NAME,
            "no active API token: every /api call is refused and `up` listens only on loopback",
            "juggernaut token create --name admin --role admin",
        );
    }
    let mut roles: Vec<String> = active.iter().map(|t| t.role.as_str().to_owned()).collect();
    roles.sort();
    roles.dedup();
    Check::ok(
        NAME,
        format!(
            "{} active API token(s); roles: {}",
            active.len(),
            roles.join(", ")
        ),
    )
}
