//! The risk score: deterministic points from what a task may do. Five factors, each explained:
//! the kind's own risk (the handler says), the riskiest tool it may call, how far its tools reach
//! (the workspace, programs, the network, acting outside), the money it may spend, and its
//! breadth (how many tools that change something it may call). The sum, capped at 100, falls in
//! the policy's bands.

use super::policy::Policy;
use juggernaut_core::{RiskAssessment, RiskFactor, RiskLevel};
use juggernaut_tools::{Permission, ToolRegistry};

/// What a task may do, as its handler reads its input: the permissions its tool calls may use,
/// the tools it names (when it names them), and the most money it may spend.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reach {
    /// Permissions its tool calls may use.
    pub permissions: Vec<Permission>,
    /// The tools it will call, when the input names them (`None`: any its permissions allow).
    pub tools: Option<Vec<String>>,
    /// The most it may spend, in US dollars.
    pub spend_usd: f64,
}

impl Reach {
    /// Calls tools with these permissions.
    pub fn with(permissions: &[Permission]) -> Self {
        Self {
            permissions: permissions.to_vec(),
            ..Self::default()
        }
    }

    /// Only these tools.
    pub fn only(mut self, tools: Vec<String>) -> Self {
        self.tools = Some(tools);
        self
    }

    /// Spends at most `usd`.
    pub fn spending(mut self, usd: f64) -> Self {
        self.spend_usd = usd;
        self
    }
}

/// A tool as the score sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolFacts {
    /// Its name.
    pub name: String,
    /// Its own risk.
    pub risk: RiskLevel,
    /// What it touches.
    pub permission: Permission,
}

/// The registered tools `reach` may call: the named ones its permissions allow, or every tool its
/// permissions allow. A named tool that is not registered cannot be called and adds nothing.
pub fn reachable(reach: &Reach, tools: &ToolRegistry) -> Vec<ToolFacts> {
    let mut out: Vec<ToolFacts> = tools
        .tools()
        .filter(|t| reach.permissions.contains(&t.permission()))
        .filter(|t| {
            reach
                .tools
                .as_ref()
                .is_none_or(|names| names.iter().any(|n| n == t.name()))
        })
        .map(|t| ToolFacts {
            name: t.name().to_owned(),
            risk: t.risk(),
            permission: t.permission(),
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Scores a task of `kind` (whose handler rates it `kind_risk`) that may call `tools` and spend
/// `spend_usd`.
pub fn score(
    kind: &str,
    kind_risk: RiskLevel,
    tools: &[ToolFacts],
    spend_usd: f64,
    policy: &Policy,
) -> RiskAssessment {
    let factors = vec![
        kind_factor(kind, kind_risk),
        tools_factor(tools),
        reach_factor(tools),
        money_factor(spend_usd),
        breadth_factor(tools),
    ];
    let score = factors.iter().map(|f| f.points).sum::<u32>().min(100);
    RiskAssessment {
        score,
        level: policy.level(score),
        factors,
        tools: tools.iter().map(|t| t.name.clone()).collect(),
    }
}

fn factor(name: &str, points: u32, why: String) -> RiskFactor {
    RiskFactor {
        factor: name.to_owned(),
        points,
        why,
    }
}

fn kind_factor(kind: &str, risk: RiskLevel) -> RiskFactor {
    let points = match risk {
        RiskLevel::Low => 0,
        RiskLevel::Medium => 15,
        RiskLevel::High => 30,
    };
    factor("kind", points, format!("`{kind}` is {risk}-risk work"))
}

fn tools_factor(tools: &[ToolFacts]) -> RiskFactor {
    let Some(worst) = tools.iter().max_by_key(|t| t.risk) else {
        return factor("tools", 0, "calls no tools".into());
    };
    let points = match worst.risk {
        RiskLevel::Low => 0,
        RiskLevel::Medium => 15,
        RiskLevel::High => 35,
    };
    let why = format!("may call `{}` ({} risk)", worst.name, worst.risk);
    factor("tools", points, why)
}

fn reach_factor(tools: &[ToolFacts]) -> RiskFactor {
    let Some(widest) = tools.iter().max_by_key(|t| reach_points(t.permission)) else {
        return factor("reach", 0, "touches nothing".into());
    };
    let why = match widest.permission {
        Permission::Read | Permission::Write => "stays in its workspace and read-only data",
        Permission::Execute => "runs programs (sandboxed)",
        Permission::Network => "reads from the network",
        Permission::External => "acts outside: messages, pushes, merges or other systems",
    };
    factor("reach", reach_points(widest.permission), why.into())
}

fn reach_points(p: Permission) -> u32 {
    match p {
        Permission::Read | Permission::Write => 0,
        Permission::Network => 5,
        Permission::Execute => 15,
        Permission::External => 25,
    }
}

fn money_factor(usd: f64) -> RiskFactor {
    let usd = if usd.is_finite() { usd.max(0.0) } else { 1e9 };
    let points = match usd {
        u if u <= 0.0 => 0,
        u if u <= 0.5 => 2,
        u if u <= 5.0 => 10,
        u if u <= 50.0 => 20,
        _ => 30,
    };
    let why = if usd == 0.0 {
        "spends no money".to_owned()
    } else {
        format!("may spend up to ${usd:.2}")
    };
    factor("money", points, why)
}

fn breadth_factor(tools: &[ToolFacts]) -> RiskFactor {
    let changing = tools
        .iter()
        .filter(|t| t.permission != Permission::Read)
        .count();
    let points = u32::try_from(changing * 2).unwrap_or(10).min(10);
    factor(
        "breadth",
        points,
        format!("{changing} tool(s) that change or send something"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(name: &str, risk: RiskLevel, permission: Permission) -> ToolFacts {
        ToolFacts {
            name: name.into(),
            risk,
            permission,
        }
    }

    #[test]
    fn nothing_scores_zero_and_low() {
        let a = score("noop", RiskLevel::Low, &[], 0.0, &Policy::default());
        assert_eq!((a.score, a.level), (0, RiskLevel::Low));
        assert!(a.explain().contains("nothing adds risk"));
    }

    #[test]
    fn each_factor_adds_its_points() {
        let p = Policy::default();
        let notify = [t("notify", RiskLevel::Medium, Permission::External)];
        let a = score("notify", RiskLevel::Medium, &notify, 0.0, &p);
        // kind 15 + tool 15 + reach 25 + breadth 2
        assert_eq!((a.score, a.level), (57, RiskLevel::Medium));
        assert_eq!(a.tools, vec!["notify".to_owned()]);
        let merge = [
            t("git", RiskLevel::Low, Permission::Write),
            t("github_merge", RiskLevel::High, Permission::External),
        ];
        let a = score("code", RiskLevel::Medium, &merge, 2.0, &p);
        // kind 15 + tool 35 + reach 25 + money 10 + breadth 4
        assert_eq!((a.score, a.level), (89, RiskLevel::High));
        assert!(a.explain().contains("github_merge"), "{}", a.explain());
        let read = [t("sql_query", RiskLevel::Low, Permission::Read)];
        assert_eq!(score("analysis", RiskLevel::Low, &read, 0.0, &p).score, 0);
    }

    #[test]
    fn money_is_scored_even_when_not_a_number() {
        assert_eq!(money_factor(f64::NAN).points, 30);
        assert_eq!(money_factor(-3.0).points, 0);
        assert_eq!(money_factor(0.25).points, 2);
        assert_eq!(money_factor(20.0).points, 20);
    }

    #[test]
    fn the_score_is_capped() {
        let many: Vec<ToolFacts> = (0..20)
            .map(|i| t(&format!("t{i}"), RiskLevel::High, Permission::External))
            .collect();
        let a = score("x", RiskLevel::High, &many, 1000.0, &Policy::default());
        assert_eq!(a.score, 100);
    }
}
