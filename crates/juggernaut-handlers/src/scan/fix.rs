//! The fix task for a repeated failure. A `code` failure whose last task's input names a
//! repository becomes a `code` task on the same repository (and test command) whose
//! instructions are to find and fix the error's cause, when `code` can edit from instructions;
//! any other failure becomes an `agent` task that investigates and fixes what it can with its
//! tools, told the error, its kind, how often it happened and the task that last failed so.
//! Both carry the dedupe key `scan:FINGERPRINT:LAST_TASK` and the origin `error_scan`.

use juggernaut_core::task::Origin;
use juggernaut_core::{DomainError, GoalId, NewTask, TaskKind};
use juggernaut_store::RepeatedFailure;
use serde_json::{Value, json};

/// Longest error quoted in a fix task.
const MAX_ERROR: usize = 2000;

/// The kinds whose failures `code` fixes (with its aliases).
const CODE_KINDS: [&str; 4] = ["code", "code_fix", "code_change", "code_implementation"];

/// The dedupe key of a fingerprint's fix for the failures up to `last_task`: a fix is made once
/// per failure seen, and again only if the failure comes back (a new last task).
pub fn dedupe_key(fingerprint: &str, last_task: Option<juggernaut_core::TaskId>) -> String {
    match last_task {
        Some(t) => format!("scan:{fingerprint}:{t}"),
        None => format!("scan:{fingerprint}"),
    }
}

/// The fix task for `f`; `last_input` is the input of the task that last failed so.
pub fn task(
    f: &RepeatedFailure,
    last_input: Option<&Value>,
    code_fixes: bool,
    goal: Option<GoalId>,
) -> Result<NewTask, DomainError> {
    let error = juggernaut_core::text::clipped(&f.sample_error, MAX_ERROR);
    let what = format!(
        "`{}` tasks failed {} times with the same error (fingerprint {}{}):\n\n{error}",
        f.kind,
        f.count,
        f.fingerprint,
        f.last_task
            .map(|t| format!("; last in task {t}"))
            .unwrap_or_default()
    );
    let code_input = last_input
        .filter(|_| code_fixes && CODE_KINDS.contains(&f.kind.as_str()))
        .and_then(|input| code_fix(input, &what));
    let (kind, input) = match code_input {
        Some(input) => ("code", input),
        None => ("agent", agent_fix(&what)),
    };
    Ok(NewTask {
        title: juggernaut_core::text::clipped(
            &format!("Fix repeated `{}` failure {}", f.kind, f.fingerprint),
            200,
        ),
        input,
        goal_id: goal,
        dedupe_key: Some(dedupe_key(&f.fingerprint, f.last_task)),
        origin: Origin::ErrorScan,
        max_attempts: 2,
        ..NewTask::new(TaskKind::new(kind)?)
    })
}

/// A `code` input on the failed task's repository, or `None` without one.
fn code_fix(last: &Value, what: &str) -> Option<Value> {
    let repo = last.get("repo_url")?.as_str()?;
    let mut input = json!({
        "repo_url": repo,
        "title": "Fix a repeated failure",
        "description": what,
        "instructions": format!(
            "Find the cause of this repeated failure and fix it; keep the change small and make \
             the tests pass.\n\n{what}"
        ),
    });
    for key in ["base", "github_repo", "test_command", "test_timeout_secs"] {
        if let Some(v) = last.get(key).filter(|v| !v.is_null()) {
            input[key] = v.clone();
        }
    }
    Some(input)
}

fn agent_fix(what: &str) -> Value {
    json!({
        "instructions": format!(
            "Investigate this repeated failure: find its cause with your tools (read the task's \
             input and events, check the service or data it uses), fix what you can, and cite \
             the tool calls that show what you found and changed. If it needs a person (a \
             credential, a decision), say exactly what.\n\n{what}"
        ),
    })
}
