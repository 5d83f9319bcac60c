//! What the built-in handlers are built with, and which kinds the configuration leaves out: a
//! kind whose model or tools are not configured is not registered (it cannot be enqueued or
//! planned), and asking for it says what it needs instead of that it is unknown.

use crate::agent::Model;
use std::collections::BTreeSet;

/// What the built-in handlers are built with.
#[derive(Clone, Default)]
pub struct Deps {
    /// The model for `agent` and `research` (and `code`'s LLM edits); without one, `agent` and
    /// `research` are absent.
    pub model: Option<Model>,
    /// The names of the tools the binary registers; `None` (tests, benchmarks): assume all.
    pub tools: Option<BTreeSet<String>>,
    /// `[budgets] day_usd`: what `report` draws each day's spend against.
    pub day_budget_usd: Option<f64>,
}

/// The tools each kind cannot work without, and where each is configured.
const NEEDS: [(&str, &[(&str, &str)]); 7] = [
    (
        "analysis",
        &[("sql_query", "a data source ([sources.NAME])")],
    ),
    (
        "code",
        &[
            ("git", "[tools.git]"),
            ("git_push", "[tools.git]"),
            ("shell", "[tools.shell]"),
        ],
    ),
    (
        "experiment_step",
        &[("sql_query", "a data source ([sources.NAME])")],
    ),
    ("http", &[("http_request", "[tools.http]")]),
    (
        "notify",
        &[("notify", "a channel ([tools.notify.channels.NAME])")],
    ),
    (
        "research",
        &[
            ("web_search", "[tools.search]"),
            ("fetch_page", "[tools.fetch]"),
        ],
    ),
    ("shell", &[("shell", "[tools.shell]")]),
];

/// Kinds that need a model (`scan`: its fix tasks are `agent` or `code` tasks with instructions).
const NEEDS_MODEL: [&str; 3] = ["agent", "research", "scan"];

const LLM_HINT: &str = "an LLM provider (set JUGGERNAUT_LLM_BASE_URL, OPENROUTER_API_KEY, or \
                        [llm.providers.NAME] in juggernaut.toml)";

impl Deps {
    /// Why `kind` cannot run with these deps, if it cannot.
    pub fn missing(&self, kind: &str) -> Option<String> {
        let mut wanted = Vec::new();
        if NEEDS_MODEL.contains(&kind) && self.model.is_none() {
            wanted.push(LLM_HINT.to_owned());
        }
        if let Some(have) = &self.tools {
            let needs = NEEDS
                .iter()
                .find(|(k, _)| *k == kind)
                .map_or(&[][..], |(_, n)| *n);
            let mut by_hint: Vec<(&str, Vec<&str>)> = Vec::new();
            for (tool, hint) in needs.iter().filter(|(t, _)| !have.contains(*t)) {
                match by_hint.iter_mut().find(|(h, _)| h == hint) {
                    Some((_, tools)) => tools.push(tool),
                    None => by_hint.push((hint, vec![tool])),
                }
            }
            for (hint, tools) in by_hint {
                let names: Vec<String> = tools.iter().map(|t| format!("`{t}`")).collect();
                wanted.push(match names.len() {
                    1 => format!("the {} tool, which needs {hint}", names[0]),
                    _ => format!("the {} tools, which need {hint}", names.join(" and ")),
                });
            }
        }
        wanted.dedup();
        (!wanted.is_empty()).then(|| format!("it needs {}", wanted.join(" and ")))
    }
}

/// The kinds [`crate::builtin`] leaves out with these `deps`, and what each needs.
pub fn unavailable(deps: &Deps) -> Vec<(&'static str, String)> {
    let mut kinds: BTreeSet<&'static str> = NEEDS.iter().map(|(k, _)| *k).collect();
    kinds.extend(NEEDS_MODEL);
    kinds
        .into_iter()
        .filter_map(|k| deps.missing(k).map(|why| (k, why)))
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn kinds_name_what_they_lack() {
        let deps = Deps {
            model: None,
            tools: Some(
                ["shell", "fs_write", "http_request", "fetch_page"]
                    .map(String::from)
                    .into(),
            ),
            day_budget_usd: None,
        };
        let missing: Vec<_> = unavailable(&deps).into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            missing,
            [
                "agent",
                "analysis",
                "code",
                "experiment_step",
                "notify",
                "research",
                "scan"
            ]
        );
        assert_eq!(
            deps.missing("code").unwrap(),
            "it needs the `git` and `git_push` tools, which need [tools.git]"
        );
        assert!(deps.missing("research").unwrap().contains("LLM provider"));
        assert!(deps.missing("shell").is_none());
        assert!(Deps::default().missing("code").is_none());
    }
}
