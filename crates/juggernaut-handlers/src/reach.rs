//! What each built-in kind may do, read leniently from its input for the gate's risk score
//! (`juggernaut_handler::gate`): the permissions its tool calls use, the tools it calls, and
//! the money it may spend. A handler's `reach` and its tool calls must agree: a call outside the
//! reach is held by the run's envelope.

use crate::agent::DEFAULT_PERMISSIONS;
use crate::calls::ALL;
use juggernaut_handler::gate::Reach;
use juggernaut_tools::Permission;
use serde_json::Value;

/// The most the code kind's editor spends on model calls.
pub const CODE_EDITOR_USD: f64 = 2.0;
/// What an agent may spend unless its input says otherwise.
pub const AGENT_DEFAULT_USD: f64 = 1.0;

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

/// `shell`: one sandboxed command.
pub fn shell() -> Reach {
    Reach::with(&[Permission::Execute]).only(names(&["shell"]))
}

/// `http`: one request out.
pub fn http() -> Reach {
    Reach::with(&[Permission::Network, Permission::External]).only(names(&["http_request"]))
}

/// `notify`: one message out.
pub fn notify() -> Reach {
    Reach::with(&[Permission::External]).only(names(&["notify"]))
}

/// `report`: two files (the Markdown and the HTML), and a message when the input names a
/// channel.
pub fn report(input: &Value) -> Reach {
    if input.get("notify_channel").is_some_and(|c| !c.is_null()) {
        Reach::with(&[Permission::Write, Permission::External]).only(names(&["fs_write", "notify"]))
    } else {
        Reach::with(&[Permission::Write]).only(names(&["fs_write"]))
    }
}

/// `analysis`: read-only queries and a report file.
pub fn analysis() -> Reach {
    Reach::with(&[Permission::Read, Permission::Write]).only(names(&["sql_query", "fs_write"]))
}

/// `experiment_step`: one read-only query.
pub fn experiment_step() -> Reach {
    Reach::with(&[Permission::Read]).only(names(&["sql_query"]))
}

/// `research`: search, fetch and a report file (its model calls are held by the budgets).
pub fn research() -> Reach {
    Reach::with(&[Permission::Network, Permission::Write]).only(names(&[
        "web_search",
        "fetch_page",
        "fs_write",
    ]))
}

/// `code`: the repository, its tests, a push and a pull request, and the editor's model calls
/// when the input gives instructions instead of changes.
pub fn code(input: &Value) -> Reach {
    let edits = input.get("instructions").is_some_and(|i| !i.is_null());
    let tools = names(&["git", "shell", "fs_write", "git_push", "github"]);
    let reach = Reach::with(crate::code::ALLOWED).only(tools);
    if edits {
        reach.spending(CODE_EDITOR_USD)
    } else {
        reach
    }
}

/// `workflow`: the tools its steps name (any permission).
pub fn workflow(input: &Value) -> Reach {
    let tools = input
        .get("steps")
        .and_then(Value::as_array)
        .map(|steps| {
            steps
                .iter()
                .filter_map(|s| s.get("tool").and_then(Value::as_str))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    Reach::with(ALL).only(tools)
}

/// `agent`: the tools its input names with the permissions it grants, and its money limit. An
/// agent that names no tools is scored for the tools it may use freely (reading, its workspace,
/// the network); a call that runs programs or acts outside is then beyond its approval and
/// pauses the task to ask, scored with that tool.
pub fn agent(input: &Value) -> Reach {
    let permissions: Vec<Permission> = input
        .get("permissions")
        .and_then(|p| serde_json::from_value(p.clone()).ok())
        .unwrap_or_else(|| DEFAULT_PERMISSIONS.to_vec());
    let usd = input
        .get("max_cost_usd")
        .and_then(Value::as_f64)
        .unwrap_or(AGENT_DEFAULT_USD);
    match input
        .get("tools")
        .and_then(|t| serde_json::from_value::<Vec<String>>(t.clone()).ok())
    {
        Some(tools) => Reach::with(&permissions).only(tools).spending(usd),
        None => {
            let free: Vec<Permission> = permissions
                .into_iter()
                .filter(|p| {
                    matches!(
                        p,
                        Permission::Read | Permission::Write | Permission::Network
                    )
                })
                .collect();
            Reach::with(&free).spending(usd)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn inputs_shape_the_reach() {
        assert_eq!(report(&json!({})).permissions, vec![Permission::Write]);
        let told = report(&json!({"notify_channel": "ops"}));
        assert!(told.permissions.contains(&Permission::External));
        assert_eq!(
            code(&json!({"instructions": "fix"})).spend_usd,
            CODE_EDITOR_USD
        );
        assert_eq!(code(&json!({"changes": []})).spend_usd, 0.0);
        let w = workflow(
            &json!({"steps": [{"id": "a", "tool": "notify"}, {"id": "b", "tool": "fs_write"}]}),
        );
        assert_eq!(
            w.tools,
            Some(vec!["notify".to_owned(), "fs_write".to_owned()])
        );
        let a = agent(&json!({"instructions": "x"}));
        assert_eq!(
            (a.permissions.len(), a.tools.clone(), a.spend_usd),
            (3, None, 1.0)
        );
        let free = agent(&json!({"permissions": ["read", "external"]}));
        assert_eq!(free.permissions, vec![Permission::Read]);
        let a =
            agent(&json!({"permissions": ["external"], "tools": ["notify"], "max_cost_usd": 5.0}));
        assert_eq!(a.permissions, vec![Permission::External]);
        assert_eq!(a.tools, Some(vec!["notify".to_owned()]));
        assert_eq!(a.spend_usd, 5.0);
    }
}
