//! What the tool-calling handlers share: the permission set of a deterministic handler, a call
//! whose failure ends the attempt (naming what it was for), and the evidence checks their
//! verifiers make. Whether a `ToolCall` or `File` evidence is real (recorded for this task and
//! successful, the file still hashing the same) is the generic verifier's check; these only look
//! for the pieces a kind's result claims.

use juggernaut_core::Evidence;
use juggernaut_handler::{Done, HandlerError, TaskContext};
use juggernaut_store::ToolCallId;
use juggernaut_tools::{Permission, ToolError, ToolOutput};

/// Every permission: for handlers whose input names the tools (`workflow`).
pub const ALL: &[Permission] = &[
    Permission::Read,
    Permission::Write,
    Permission::Execute,
    Permission::Network,
    Permission::External,
];

/// Whether a tool's successful answer means the work happened: a `shell` command that exited
/// 0, an `http_request` answered below 400; other tools' answers do. `Err` says why not and
/// whether another attempt may do better (a 429 or 5xx, a command's failure).
pub fn effective(tool: &str, content: &serde_json::Value) -> Result<(), (String, bool)> {
    match tool {
        "shell" => match content["exit_code"].as_i64() {
            Some(0) => Ok(()),
            code => Err((
                format!(
                    "the command exited with {}",
                    code.map_or_else(|| "no exit code".to_owned(), |c| c.to_string())
                ),
                true,
            )),
        },
        "http_request" => match content["status"].as_u64() {
            Some(s) if s < 400 => Ok(()),
            Some(s) => Err((
                format!("the server answered HTTP {s}"),
                s == 429 || s >= 500,
            )),
            None => Err(("the answer has no status".to_owned(), false)),
        },
        _ => Ok(()),
    }
}

/// The evidence with only the last `File` piece for each path: a file written twice proves its
/// last content, and the earlier hash would no longer match.
pub fn latest_files(evidence: Vec<Evidence>) -> Vec<Evidence> {
    let mut out: Vec<Evidence> = Vec::with_capacity(evidence.len());
    for e in evidence {
        if let Evidence::File { path, .. } = &e {
            out.retain(|x| !matches!(x, Evidence::File { path: p, .. } if p == path));
        }
        out.push(e);
    }
    out
}

/// A call that succeeded: its ledger id and what it gave back.
#[derive(Debug, Clone)]
pub struct Called {
    /// The ledger id.
    pub id: ToolCallId,
    /// The output.
    pub output: ToolOutput,
}

impl Called {
    /// The call as evidence.
    pub fn evidence(&self) -> Evidence {
        Evidence::ToolCall {
            id: self.id.to_string(),
        }
    }

    /// The call's evidence followed by the output's own.
    pub fn all_evidence(&self) -> Vec<Evidence> {
        std::iter::once(self.evidence())
            .chain(self.output.evidence.iter().cloned())
            .collect()
    }
}

/// Calls `tool` for this attempt; a failed call ends it, the message starting with `what`
/// (retryable only when the tool says so: a model-facing error is permanent, since no model is
/// there to try differently).
pub async fn call(
    ctx: &TaskContext,
    tool: &str,
    args: serde_json::Value,
    allowed: &[Permission],
    what: &str,
) -> Result<Called, HandlerError> {
    let called = ctx
        .call_tool(tool, args, allowed)
        .await
        .map_err(|e| prefixed(what, e))?;
    match called.outcome {
        Ok(output) => Ok(Called {
            id: called.id,
            output,
        }),
        Err(e) => Err(failed(what, e)),
    }
}

/// The attempt's error for a failed call.
pub fn failed(what: &str, e: ToolError) -> HandlerError {
    prefixed(what, juggernaut_handler::outcome::tool_aborted(e))
}

/// `e` with its message prefixed by `what`.
pub fn prefixed(what: &str, e: HandlerError) -> HandlerError {
    match e {
        HandlerError::Retryable {
            message,
            retry_after,
        } => HandlerError::Retryable {
            message: format!("{what}: {message}"),
            retry_after,
        },
        HandlerError::Permanent(message) => HandlerError::Permanent(format!("{what}: {message}")),
        asks @ HandlerError::NeedsApproval { .. } => asks,
    }
}

/// Whether `done` carries the tool call `id` as evidence.
pub fn has_call(done: &Done, id: &str) -> bool {
    done.evidence
        .iter()
        .any(|e| matches!(e, Evidence::ToolCall { id: have } if have == id))
}

/// `Ok` when `done` carries every call in `ids`, else which one is missing.
pub fn has_calls<'a>(done: &Done, ids: impl IntoIterator<Item = &'a str>) -> Result<(), String> {
    match ids.into_iter().find(|id| !has_call(done, id)) {
        None => Ok(()),
        Some(id) => Err(format!(
            "the result names tool call {id} but the evidence does not"
        )),
    }
}

/// The ledger id a result field holds (a number or its decimal text), as evidence names it.
pub fn call_id(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Number(n) => n.as_i64().map(|n| n.to_string()),
        serde_json::Value::String(s) if s.parse::<i64>().is_ok() => Some(s.clone()),
        _ => None,
    }
}

/// The last `max` characters of `text` (for stderr tails).
pub fn tail(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max {
        return text.to_owned();
    }
    let skip = count - max;
    format!("…{}", text.chars().skip(skip).collect::<String>())
}

/// The first `max` characters of `text`.
pub fn head(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    format!("{}…", text.chars().take(max).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn excerpts_cut_at_characters() {
        assert_eq!(tail("abcdef", 3), "…def");
        assert_eq!(tail("ab", 3), "ab");
        assert_eq!(head("héllo", 2), "hé…");
        assert_eq!(head("hé", 2), "hé");
    }

    #[test]
    fn failures_keep_their_retryability() {
        let e = failed("step `a`", ToolError::model("404"));
        assert_eq!(e, HandlerError::Permanent("step `a`: 404".into()));
        let e = failed("step `a`", ToolError::transient("busy"));
        assert!(e.is_retryable() && e.to_string() == "step `a`: busy");
    }

    #[test]
    fn call_ids_are_read_from_numbers_or_text() {
        assert_eq!(call_id(&json!(7)), Some("7".into()));
        assert_eq!(call_id(&json!("8")), Some("8".into()));
        assert_eq!(call_id(&json!("x")), None);
        let done = Done {
            result: json!({}),
            evidence: vec![Evidence::ToolCall { id: "7".into() }],
        };
        assert!(has_calls(&done, ["7"]).is_ok());
        assert!(has_calls(&done, ["7", "9"]).unwrap_err().contains("9"));
    }
}
