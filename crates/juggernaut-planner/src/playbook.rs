//! Playbooks: an owner's standard procedures as TOML files. A playbook matches goals (by tag,
//! by a title pattern) and expands into a task graph whose titles and inputs are minijinja
//! templates over the goal's fields and the playbook's parameters. Every file is checked on load;
//! an error names the file, the task and the field.
//!
//! ```toml
//! description = "Weekly revenue review"
//! priority = 10                        # among matching playbooks, the highest wins
//! [match]
//! tags = ["revenue"]                   # the goal carries one of these tags
//! title = "(?i)revenue|sales"          # or its title matches this pattern
//! [params]
//! period_days = 30
//! [[tasks]]
//! key = "snapshot"
//! kind = "noop"
//! title = "Snapshot for {{ goal.title }}"
//! input = { days = "{{ params.period_days }}" }
//! [[tasks]]
//! key = "review"
//! kind = "noop"
//! title = "Review"
//! depends_on = ["snapshot"]
//! [[proactive]]                        # proposed for each matching active goal (see `proactive`)
//! key = "pulse"
//! kind = "noop"
//! title = "Daily pulse for {{ goal.title }}"
//! per_day = 1
//! ```

use juggernaut_core::Goal;
use juggernaut_core::plan::{PlanGraph, PlanTask};
use juggernaut_handler::Registry;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// A playbook file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    description: String,
    #[serde(default)]
    priority: i32,
    #[serde(rename = "match")]
    matcher: RawMatch,
    #[serde(default)]
    params: toml::Table,
    tasks: Vec<RawTask>,
    #[serde(default)]
    proactive: Vec<crate::proactive::RawProactive>,
    #[serde(default)]
    experiment: Option<toml::Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMatch {
    #[serde(default)]
    tags: Vec<String>,
    title: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTask {
    pub(crate) key: String,
    pub(crate) kind: String,
    pub(crate) title: String,
    #[serde(default)]
    pub(crate) input: Option<toml::Value>,
    #[serde(default)]
    pub(crate) depends_on: Vec<String>,
    #[serde(default)]
    pub(crate) priority: i32,
    #[serde(default)]
    pub(crate) acceptance: Vec<String>,
}

/// A checked playbook.
#[derive(Debug, Clone)]
pub struct Playbook {
    /// Its name: the file's stem.
    pub name: String,
    /// The file.
    pub path: PathBuf,
    /// What it is for.
    pub description: String,
    /// Among matching playbooks, the highest wins.
    pub priority: i32,
    /// A fingerprint of the file's text (FNV-1a, hex): a plan made by an earlier text of the
    /// playbook is planned again.
    pub fingerprint: String,
    tags: Vec<String>,
    title: Option<regex::Regex>,
    params: serde_json::Value,
    tasks: Vec<RawTask>,
    pub(crate) proactive: Vec<crate::proactive::Template>,
    /// The experiment started for each goal it plans (see [`crate::experiment`]).
    pub experiment: Option<juggernaut_core::experiment::ExperimentSpec>,
}

/// A playbook that failed its checks: the file, and every problem in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("playbook `{file}`: {}", problems.join("; "))]
pub struct PlaybookError {
    /// The file.
    pub file: String,
    /// What is wrong, each naming the task and the field where it can.
    pub problems: Vec<String>,
}

impl Playbook {
    /// Reads and checks one file: its TOML, its match rule, its graph, its templates (rendered
    /// with a sample goal), each task's kind and rendered input against `registry`.
    pub fn load(path: &Path, registry: &Registry) -> Result<Self, PlaybookError> {
        let file = path.display().to_string();
        let fail = |problems: Vec<String>| PlaybookError {
            file: file.clone(),
            problems,
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| fail(vec![format!("cannot read it: {e}")]))?;
        let raw: Raw = toml::from_str(&text).map_err(|e| fail(vec![e.to_string()]))?;
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let title = match &raw.matcher.title {
            Some(p) => Some(
                regex::Regex::new(p).map_err(|e| fail(vec![format!("[match] `title`: {e}")]))?,
            ),
            None => None,
        };
        if raw.matcher.tags.is_empty() && title.is_none() {
            return Err(fail(vec!["[match] needs `tags` or `title`".into()]));
        }
        let params =
            serde_json::to_value(&raw.params).map_err(|e| fail(vec![format!("[params]: {e}")]))?;
        let experiment = match &raw.experiment {
            Some(x) => Some(crate::experiment::parse(x, registry).map_err(fail)?),
            None => None,
        };
        let book = Self {
            name,
            path: path.to_owned(),
            description: raw.description,
            priority: raw.priority,
            fingerprint: fingerprint(&text),
            tags: raw.matcher.tags,
            title,
            params,
            tasks: raw.tasks,
            proactive: raw.proactive.into_iter().map(Into::into).collect(),
            experiment,
        };
        book.check(registry).map_err(fail)?;
        book.check_proactive(registry).map_err(fail)?;
        Ok(book)
    }

    /// Expands for a sample goal and checks the result as a plan would be checked.
    fn check(&self, registry: &Registry) -> Result<(), Vec<String>> {
        let sample = juggernaut_core::NewGoal {
            tags: self.tags.clone(),
            ..juggernaut_core::NewGoal::titled("sample goal")
        };
        let graph = self.expand_spec(self.tasks.iter(), &sample, 0)?;
        let mut problems = match graph.validate() {
            Ok(()) => Vec::new(),
            Err(e) => e.0,
        };
        for t in &graph.tasks {
            if let Err(e) = registry.check_task(&t.kind, &t.input) {
                problems.push(format!("task `{}`: {e}", t.key));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// Whether the playbook matches `goal` (one of its tags, or its title pattern).
    pub fn matches(&self, goal: &Goal) -> bool {
        self.tags.iter().any(|t| goal.spec.tags.contains(t))
            || self
                .title
                .as_ref()
                .is_some_and(|r| r.is_match(&goal.spec.title))
    }

    /// The match rule, for humans.
    pub fn rule(&self) -> String {
        let mut parts = Vec::new();
        if !self.tags.is_empty() {
            parts.push(format!("tags {}", self.tags.join(",")));
        }
        if let Some(t) = &self.title {
            parts.push(format!("title /{}/", t.as_str()));
        }
        parts.join(" or ")
    }

    /// Who a plan it makes is made by: `playbook:NAME@FINGERPRINT`.
    pub fn made_by(&self) -> String {
        format!("playbook:{}@{}", self.name, self.fingerprint)
    }

    /// How many tasks it makes.
    pub fn size(&self) -> usize {
        self.tasks.len()
    }

    /// The task graph for `goal`.
    pub fn expand(&self, goal: &Goal) -> Result<PlanGraph, PlaybookError> {
        self.expand_spec(self.tasks.iter(), &goal.spec, goal.id.0)
            .map_err(|problems| PlaybookError {
                file: self.path.display().to_string(),
                problems,
            })
    }

    /// `tasks` rendered for `goal` (with id `id`) as a graph; every problem is listed.
    pub(crate) fn expand_spec<'t>(
        &self,
        tasks: impl ExactSizeIterator<Item = &'t RawTask>,
        goal: &juggernaut_core::NewGoal,
        id: i64,
    ) -> Result<PlanGraph, Vec<String>> {
        let env = minijinja::Environment::new();
        let ctx = minijinja::context! {
            goal => serde_json::json!({
                "id": id,
                "title": goal.title,
                "description": goal.description,
                "tags": goal.tags,
                "target": goal.target.as_ref().map(|t| t.target),
                "unit": goal.target.as_ref().map(|t| t.unit.clone()),
                "deadline": goal.deadline.map(|d| d.to_rfc3339()),
            }),
            params => self.params.clone(),
        };
        let render = |at: &str, text: &str| -> Result<String, String> {
            env.render_str(text, &ctx).map_err(|e| format!("{at}: {e}"))
        };
        let mut problems = Vec::new();
        let mut out = Vec::with_capacity(tasks.len());
        for t in tasks {
            let at = format!("task `{}`", t.key);
            let title = render(&format!("{at}, `title`"), &t.title).unwrap_or_else(|e| {
                problems.push(e);
                String::new()
            });
            let input = match &t.input {
                None => serde_json::json!({}),
                Some(v) => {
                    let json = serde_json::to_value(v).unwrap_or_default();
                    let field = format!("{at}, `input`");
                    render_json(&json, &|s| render_value(&env, &ctx, &field, s)).unwrap_or_else(
                        |e| {
                            problems.push(e);
                            serde_json::Value::Null
                        },
                    )
                }
            };
            out.push(PlanTask {
                key: t.key.clone(),
                kind: t.kind.clone(),
                title,
                input,
                depends_on: t.depends_on.clone(),
                priority: t.priority,
                acceptance: t.acceptance.clone(),
            });
        }
        if problems.is_empty() {
            Ok(PlanGraph { tasks: out })
        } else {
            Err(problems)
        }
    }
}

/// Renders one string of an input: a string that is one `{{ expression }}` and nothing else
/// keeps the expression's type (`{{ params.days }}` stays a number); any other is rendered as text.
fn render_value(
    env: &minijinja::Environment<'_>,
    ctx: &minijinja::Value,
    at: &str,
    text: &str,
) -> Result<serde_json::Value, String> {
    let t = text.trim();
    let whole = t
        .strip_prefix("{{")
        .and_then(|r| r.strip_suffix("}}"))
        .filter(|inner| !inner.contains("{{") && !inner.contains("}}"));
    if let Some(expr) = whole {
        let value = env
            .compile_expression(expr)
            .and_then(|e| e.eval(ctx))
            .map_err(|e| format!("{at}: {e}"))?;
        return serde_json::to_value(&value).map_err(|e| format!("{at}: {e}"));
    }
    env.render_str(text, ctx)
        .map(serde_json::Value::String)
        .map_err(|e| format!("{at}: {e}"))
}

/// Renders every string of `v` (keys stay as written).
fn render_json(
    v: &serde_json::Value,
    render: &dyn Fn(&str) -> Result<serde_json::Value, String>,
) -> Result<serde_json::Value, String> {
    Ok(match v {
        serde_json::Value::String(s) => render(s)?,
        serde_json::Value::Array(a) => serde_json::Value::Array(
            a.iter()
                .map(|x| render_json(x, render))
                .collect::<Result<_, _>>()?,
        ),
        serde_json::Value::Object(o) => serde_json::Value::Object(
            o.iter()
                .map(|(k, x)| Ok((k.clone(), render_json(x, render)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

/// FNV-1a over `text`, as 16 hex digits: stable across builds and platforms.
fn fingerprint(text: &str) -> String {
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// Every playbook of a folder, checked: the good ones, and the errors of the others.
#[derive(Debug, Clone, Default)]
pub struct Playbooks {
    /// The ones that passed, by name.
    pub books: Vec<Playbook>,
    /// The ones that did not.
    pub errors: Vec<PlaybookError>,
}

impl Playbooks {
    /// Loads every `*.toml` of `dir` (none if the folder does not exist).
    pub fn load(dir: &Path, registry: &Registry) -> Self {
        let mut out = Self::default();
        let Ok(entries) = std::fs::read_dir(dir) else {
            return out;
        };
        let mut paths: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        for p in paths {
            match Playbook::load(&p, registry) {
                Ok(b) => out.books.push(b),
                Err(e) => out.errors.push(e),
            }
        }
        out
    }

    /// The best playbook for `goal`: the highest priority among those that match, then by name.
    pub fn best(&self, goal: &Goal) -> Option<&Playbook> {
        self.books
            .iter()
            .filter(|b| b.matches(goal))
            .max_by(|a, b| a.priority.cmp(&b.priority).then(b.name.cmp(&a.name)))
    }
}
