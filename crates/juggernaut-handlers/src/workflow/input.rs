//! `workflow`'s input and its templates. Every string inside a step's `args` is a minijinja
//! template, checked at enqueue (it parses, and every name it reads is `input`, `steps` of an
//! earlier step, or a built-in global) and rendered at run time with undefined values refused
//! and a budget of [`FUEL`] instructions per string, so a runaway loop fails fast.

use juggernaut_handler::TaskInput;
use minijinja::{Environment, ErrorKind, UndefinedBehavior};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// Most steps a workflow may have.
pub const MAX_STEPS: usize = 50;

/// Longest step id.
pub const MAX_ID: usize = 64;

/// Longest rendered string, in bytes.
pub const MAX_RENDERED: usize = 1024 * 1024;

/// Most template instructions one string may run when it renders (a loop over a few thousand
/// rows fits; a nested loop over millions does not).
pub const FUEL: u64 = 100_000;

/// `workflow`'s input.
#[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkflowInput {
    /// The steps, run in order (1-50).
    pub steps: Vec<Step>,
    /// Values the templates see as `input` (`{{ input.name }}`).
    #[serde(default)]
    pub vars: Map<String, Value>,
}

/// One step: a tool call.
#[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Unique within the workflow: 1-64 of a-z, 0-9 and `_`.
    pub id: String,
    /// The tool to call.
    pub tool: String,
    /// The tool's arguments. Every string inside is a minijinja template seeing `input` (the
    /// workflow's `vars`) and `steps.ID.output` (an earlier step's output); it renders to a
    /// string.
    #[serde(default = "empty_object")]
    pub args: Value,
    /// Go on to the next step when this one's tool reports a failure (a tool that cannot work
    /// at all, or a cancelled attempt, still ends it).
    #[serde(default)]
    pub continue_on_error: bool,
}

fn empty_object() -> Value {
    Value::Object(Map::new())
}

/// Whether `id` is a step id.
pub fn is_step_id(id: &str) -> bool {
    (1..=MAX_ID).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl TaskInput for WorkflowInput {
    fn validate(&self) -> Result<(), String> {
        if !(1..=MAX_STEPS).contains(&self.steps.len()) {
            return Err(format!(
                "`steps`: give 1 to {MAX_STEPS} steps (got {})",
                self.steps.len()
            ));
        }
        let env = environment();
        let globals: BTreeSet<&str> = env.globals().map(|(name, _)| name).collect();
        let mut earlier: Vec<&str> = Vec::new();
        for (i, step) in self.steps.iter().enumerate() {
            let at = format!("steps[{i}]");
            if !is_step_id(&step.id) {
                return Err(format!(
                    "`{at}.id`: `{}` must be 1-{MAX_ID} of a-z, 0-9 and `_`",
                    step.id
                ));
            }
            if let Some(j) = earlier.iter().position(|e| *e == step.id) {
                return Err(format!(
                    "`{at}.id`: `{}` is already the id of steps[{j}]",
                    step.id
                ));
            }
            if !juggernaut_tools::registry::valid_name(&step.tool) {
                return Err(format!(
                    "`{at}.tool`: `{}` is not a tool name (1-64 of A-Z, a-z, 0-9, `_` and `-`)",
                    step.tool
                ));
            }
            let mut problem = None;
            visit(&step.args, &format!("{at}.args"), &mut |path, source| {
                if problem.is_none() {
                    problem = check_template(&env, &globals, &earlier, source)
                        .err()
                        .map(|e| format!("`{path}`: {e}"));
                }
            });
            if let Some(p) = problem {
                return Err(p);
            }
            earlier.push(&step.id);
        }
        Ok(())
    }
}

/// The environment templates are checked and rendered in: undefined values are errors, a
/// trailing newline is kept (an argument is data, such as a file's content), and one rendering
/// may run at most [`FUEL`] instructions.
pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    env.set_fuel(Some(FUEL));
    env
}

/// Calls `f(path, text)` for every string inside `value`.
fn visit(value: &Value, path: &str, f: &mut impl FnMut(&str, &str)) {
    match value {
        Value::String(s) => f(path, s),
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                visit(v, &format!("{path}[{i}]"), f);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                visit(v, &format!("{path}.{k}"), f);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Checks that `source` parses and reads only `input`, earlier steps and globals.
fn check_template(
    env: &Environment<'_>,
    globals: &BTreeSet<&str>,
    earlier: &[&str],
    source: &str,
) -> Result<(), String> {
    let template = env
        .template_from_str(source)
        .map_err(|e| format!("the template does not parse: {e}"))?;
    let names: BTreeSet<String> = template.undeclared_variables(true).into_iter().collect();
    for name in &names {
        let mut parts = name.split('.');
        match (parts.next(), parts.next()) {
            (Some("input"), _) | (Some("steps"), None) => {}
            (Some("steps"), Some(step)) if earlier.contains(&step) => {}
            (Some("steps"), Some(step)) => {
                return Err(format!(
                    "the template reads `steps.{step}`, which is not an earlier step"
                ));
            }
            (Some(root), _) if globals.contains(root) => {}
            (root, _) => {
                return Err(format!(
                    "the template reads `{}`, which is not defined (templates see `input` and \
                     `steps`)",
                    root.unwrap_or_default()
                ));
            }
        }
    }
    Ok(())
}

/// `args` with every string rendered against `scope`; the error names the argument. This is
/// CPU work (up to [`FUEL`] instructions a string): async code runs it on a blocking thread.
pub fn render(env: &Environment<'_>, args: &Value, scope: &Value) -> Result<Value, String> {
    render_at(env, args, scope, "args")
}

fn render_at(
    env: &Environment<'_>,
    value: &Value,
    scope: &Value,
    path: &str,
) -> Result<Value, String> {
    match value {
        Value::String(s) => {
            let text = env.render_str(s, scope).map_err(|e| {
                if e.kind() == ErrorKind::OutOfFuel {
                    format!(
                        "`{path}`: the template used too much fuel (more than {FUEL} \
                         instructions); loop over less"
                    )
                } else {
                    format!("`{path}`: the template failed: {e}")
                }
            })?;
            if text.len() > MAX_RENDERED {
                return Err(format!(
                    "`{path}`: the template rendered {} bytes (at most {MAX_RENDERED})",
                    text.len()
                ));
            }
            Ok(Value::String(text))
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| render_at(env, v, scope, &format!("{path}[{i}]")))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| Ok((k.clone(), render_at(env, v, scope, &format!("{path}.{k}"))?)))
            .collect::<Result<Map<_, _>, String>>()
            .map(Value::Object),
        Value::Null | Value::Bool(_) | Value::Number(_) => Ok(value.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use juggernaut_handler::input::parse;
    use serde_json::json;

    fn refused(input: Value) -> String {
        match parse::<WorkflowInput>(&input) {
            Err(e) => e.to_string(),
            Ok(v) => panic!("{input} was accepted: {v:?}"),
        }
    }

    fn step(id: &str, args: Value) -> Value {
        json!({"id": id, "tool": "fs_read", "args": args})
    }

    #[test]
    fn good_workflows_pass() {
        let ok = json!({"steps": [
            step("a", json!({"path": "{{ input.file }}"})),
            step("b", json!({"path": "{{ steps.a.output.path | upper }}", "n": 3})),
            step("c", json!(["{% for x in range(2) %}{{ x }}{% endfor %}", "{{ steps['a'] }}"])),
        ], "vars": {"file": "x.txt"}});
        assert!(parse::<WorkflowInput>(&ok).is_ok());
        let defaults = parse::<WorkflowInput>(&json!({"steps": [{"id": "a", "tool": "t"}]}));
        assert_eq!(defaults.unwrap().steps[0].args, json!({}));
    }

    #[test]
    fn bad_workflows_are_refused_naming_the_field() {
        assert!(refused(json!({"steps": []})).contains("`steps`: give 1 to 50"));
        let many: Vec<_> = (0..51).map(|i| step(&format!("s{i}"), json!({}))).collect();
        assert!(refused(json!({ "steps": many })).contains("got 51"));
        assert!(refused(json!({"steps": [step("Bad-Id", json!({}))]})).contains("`steps[0].id`"));
        let dup = refused(json!({"steps": [step("a", json!({})), step("a", json!({}))]}));
        assert!(
            dup.contains("`steps[1].id`: `a` is already the id of steps[0]"),
            "{dup}"
        );
        let tool = refused(json!({"steps": [{"id": "a", "tool": "no tool"}]}));
        assert!(tool.contains("`steps[0].tool`"), "{tool}");
        let parse_err = refused(json!({"steps": [step("a", json!({"p": ["{{ x"]}))]}));
        assert!(
            parse_err.contains("`steps[0].args.p[0]`: the template does not parse"),
            "{parse_err}"
        );
        let later = refused(json!({"steps": [
            step("a", json!({"p": "{{ steps.b.output }}"})),
            step("b", json!({})),
        ]}));
        assert!(
            later.contains("`steps.b`, which is not an earlier step"),
            "{later}"
        );
        let own = refused(json!({"steps": [step("a", json!({"p": "{{ steps.a.output }}"}))]}));
        assert!(own.contains("not an earlier step"), "{own}");
        let unknown = refused(json!({"steps": [step("a", json!({"p": "{{ secret }}"}))]}));
        assert!(
            unknown.contains("reads `secret`, which is not defined"),
            "{unknown}"
        );
        assert!(refused(json!({"steps": [step("a", json!({}))], "vars": [1]})).contains("`vars`"));
        assert!(refused(json!({"steps": [step("a", json!({}))], "extra": 1})).contains("extra"));
    }

    #[test]
    fn rendering_is_strict_and_names_the_argument() {
        let env = environment();
        let scope = json!({"input": {"n": 2}, "steps": {"a": {"output": {"path": "x"}}}});
        let args =
            json!({"p": "{{ steps.a.output.path }}/{{ input.n + 1 }}", "k": [true, "{{ 1 }}\n"]});
        assert_eq!(
            render(&env, &args, &scope).unwrap(),
            json!({"p": "x/3", "k": [true, "1\n"]})
        );
        let err = render(&env, &json!({"q": ["{{ input.missing }}"]}), &scope).unwrap_err();
        assert!(err.starts_with("`args.q[0]`: the template failed"), "{err}");
    }

    #[test]
    fn a_runaway_loop_runs_out_of_fuel_fast() {
        let env = environment();
        let loops = "{% for i in range(100000) %}{% for j in range(100000) %}{{ j }}\
                     {% endfor %}{% endfor %}";
        let started = std::time::Instant::now();
        let err = render(&env, &json!({"x": {"big": loops}}), &json!({})).unwrap_err();
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        assert!(
            err.starts_with("`args.x.big`: the template used too much fuel"),
            "{err}"
        );
        let rows: Vec<_> = (0..1000)
            .map(|i| json!([i, "name", "city", 12.5]))
            .collect();
        let list = "{% for r in input.rows %}{{ r[0] }},{{ r[1] }},{{ r[2] }},{{ r[3] }}\n\
                    {% endfor %}";
        let scope = json!({"input": {"rows": rows}});
        let text = render(&env, &json!(list), &scope).unwrap();
        assert_eq!(text.as_str().unwrap().lines().count(), 1000);
    }
}
