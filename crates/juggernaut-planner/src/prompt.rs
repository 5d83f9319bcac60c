//! The planner's prompt: a minijinja template (built in, or a file the user names in
//! `[planner] prompt_file`) rendered with the goal, the plan version, the kinds a plan may use
//! with their input schemas, and `lessons` (the "Lessons from earlier tasks" section, or empty).
//! A template that never names `lessons` gets the section after its text, so learnings reach
//! every planner prompt. A template that does not compile or render is reported with the file's
//! name, at load and never by a half-made prompt.

use crate::schema::KindInfo;
use juggernaut_core::Goal;
use juggernaut_core::plan::MAX_PLAN_TASKS;
use minijinja::Environment;
use std::path::Path;

/// The built-in template.
pub const DEFAULT: &str = include_str!("../prompts/plan.md");

/// A checked prompt template.
#[derive(Debug, Clone)]
pub struct PromptTemplate {
    source: String,
    origin: String,
}

impl PromptTemplate {
    /// The built-in template.
    pub fn builtin() -> Self {
        Self {
            source: DEFAULT.to_owned(),
            origin: "the built-in planner prompt".to_owned(),
        }
    }

    /// The template in `path`, checked by rendering it for a sample goal.
    pub fn load(path: &Path) -> Result<Self, String> {
        let source = std::fs::read_to_string(path)
            .map_err(|e| format!("planner prompt {}: {e}", path.display()))?;
        let t = Self {
            source,
            origin: path.display().to_string(),
        };
        t.render(&sample_goal(), 1, &[], None)?;
        Ok(t)
    }

    /// The prompt for `goal` at `version` over `kinds`, with `lessons` (a prompt section).
    pub fn render(
        &self,
        goal: &Goal,
        version: i64,
        kinds: &[KindInfo],
        lessons: Option<&str>,
    ) -> Result<String, String> {
        let mut env = Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        let bad = |e: minijinja::Error| format!("planner prompt {}: {e:#}", self.origin);
        env.add_template("plan", &self.source).map_err(bad)?;
        let ctx = minijinja::context! {
            goal => goal,
            version => version,
            kinds => kinds,
            max_tasks => MAX_PLAN_TASKS,
            lessons => lessons.unwrap_or(""),
        };
        let mut prompt = env
            .get_template("plan")
            .and_then(|t| t.render(ctx))
            .map_err(bad)?;
        if let Some(section) = lessons.filter(|_| !self.source.contains("lessons")) {
            prompt.push_str("\n\n");
            prompt.push_str(section);
            prompt.push('\n');
        }
        Ok(prompt)
    }
}

fn sample_goal() -> Goal {
    let now = chrono::Utc::now();
    Goal {
        id: juggernaut_core::GoalId(1),
        spec: juggernaut_core::NewGoal::titled("sample"),
        status: juggernaut_core::GoalStatus::Active,
        current: None,
        plan_version: 0,
        plan_error: None,
        created_at: now,
        updated_at: now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_prompt_renders_goal_and_kinds() {
        let mut goal = sample_goal();
        goal.spec.title = "Reach $50k".into();
        goal.spec.tags = vec!["revenue".into()];
        let kinds = vec![KindInfo {
            name: "noop".into(),
            description: "does nothing".into(),
            input_schema: serde_json::json!({"type": "object"}),
        }];
        let p = PromptTemplate::builtin()
            .render(&goal, 2, &kinds, None)
            .unwrap();
        assert!(p.contains("Reach $50k"), "{p}");
        assert!(!p.contains("Lessons"), "{p}");
        let with = PromptTemplate::builtin()
            .render(&goal, 2, &kinds, Some("=== Lessons x ==="))
            .unwrap();
        assert!(with.contains("=== Lessons x ==="), "{with}");
        assert!(p.contains("- `noop`: does nothing"), "{p}");
        assert!(p.contains("revenue"));
        assert!(p.contains("plan version 2"));
    }

    #[test]
    fn a_broken_template_names_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.md");
        std::fs::write(&path, "{{ goal.nope.deeper }}").unwrap();
        let err = PromptTemplate::load(&path).unwrap_err();
        assert!(err.contains("p.md"), "{err}");
        std::fs::write(&path, "{% if %}").unwrap();
        assert!(PromptTemplate::load(&path).is_err());
        std::fs::write(
            &path,
            "Plan {{ goal.title }} with {{ kinds | length }} kinds",
        )
        .unwrap();
        let custom = PromptTemplate::load(&path).unwrap();
        let p = custom
            .render(&sample_goal(), 1, &[], Some("=== Lessons y ==="))
            .unwrap();
        assert!(p.ends_with("=== Lessons y ===\n"), "{p}");
    }
}
