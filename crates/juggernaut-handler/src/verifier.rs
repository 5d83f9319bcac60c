//! The verifier: a handler's done outcome becomes a completion only if its evidence is present,
//! well-formed, storable, re-checked where it names something that can be looked up again, and
//! accepted by the kind's own check, all within the kind's time limit. Otherwise the attempt
//! fails with the reason.
//!
//! Re-checked for every kind: each `ToolCall` is in the ledger, was made for this task, and
//! succeeded; each `File` lies in the task's own workspace and still has the recorded hash.

use crate::context::TaskContext;
use crate::handler::Handler;
use crate::outcome::Done;
use juggernaut_core::Evidence;
use juggernaut_store::{ChildTask, Completion, ToolCallId, ToolCallStatus};

/// Whether checking `done` does I/O, so that the task should show `verifying` while it runs
/// ([`juggernaut_store::Queue::begin_verify`]): the kind's check looks outside, or the evidence
/// names a tool call (re-read from the ledger) or a file (re-hashed on disk).
pub fn needs_verifying_state(handler: &dyn Handler, done: &Done) -> bool {
    handler.verifies_outside()
        || done
            .evidence
            .iter()
            .any(|e| matches!(e, Evidence::ToolCall { .. } | Evidence::File { .. }))
}

/// Turns a done outcome (and its children) into a completion, or says why the evidence does not
/// prove the work.
pub async fn verify(
    handler: &dyn Handler,
    ctx: &TaskContext,
    done: Done,
    children: Vec<ChildTask>,
) -> Result<Completion, String> {
    let redactor = ctx.handles.tools.redactor();
    let fail = |reason: String| redactor.text(&format!("verification failed: {reason}"));
    if done.evidence.is_empty() {
        return Err(fail(format!("`{}` produced no evidence", handler.kind())));
    }
    for e in &done.evidence {
        e.validate().map_err(|e| fail(e.to_string()))?;
    }
    juggernaut_core::text::check_json("result", &done.result).map_err(|e| fail(e.to_string()))?;
    let limit = handler.verify_timeout();
    let checks = async {
        recheck(ctx, &done.evidence).await?;
        handler.verify(ctx, &done).await
    };
    match tokio::time::timeout(limit, checks).await {
        Ok(Ok(())) => {}
        Ok(Err(reason)) => return Err(fail(reason)),
        Err(_) => return Err(fail(format!("the check took longer than {limit:?}"))),
    }
    Ok(Completion {
        lease: ctx.lease,
        // Stored results never carry a secret the configuration knows (a command's output, a
        // server's answer may quote one).
        result: redactor.json(&done.result),
        evidence: done.evidence,
        children,
    })
}

/// The checks every kind's evidence passes: tool calls in the ledger, files with their hashes.
pub async fn recheck(ctx: &TaskContext, evidence: &[Evidence]) -> Result<(), String> {
    tool_calls(ctx, evidence).await?;
    for e in evidence {
        if let Evidence::File { path, sha256 } = e {
            file(ctx, path, sha256).await?;
        }
    }
    Ok(())
}

async fn tool_calls(ctx: &TaskContext, evidence: &[Evidence]) -> Result<(), String> {
    let mut ids = Vec::new();
    for e in evidence {
        if let Evidence::ToolCall { id } = e {
            let parsed: ToolCallId = id
                .parse()
                .map_err(|_| format!("tool call `{id}` is not a ledger id"))?;
            ids.push(parsed);
        }
    }
    if ids.is_empty() {
        return Ok(());
    }
    ids.sort();
    ids.dedup();
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(juggernaut_store::MAX_ASKED) {
        let got = ctx
            .handles
            .tools
            .ledger()
            .tool_calls(chunk)
            .await
            .map_err(|e| format!("reading the tool-call ledger failed: {e}"))?;
        found.extend(got);
    }
    for id in ids {
        let Some(call) = found.iter().find(|c| c.id == id) else {
            return Err(format!("tool call {id} is not in the ledger"));
        };
        if call.task_id != Some(ctx.task.id) {
            return Err(format!("tool call {id} was not made by this task"));
        }
        if call.status != ToolCallStatus::Ok {
            return Err(format!(
                "tool call {id} (`{}`) did not succeed: {}",
                call.tool,
                call.error.as_deref().unwrap_or("no reason recorded")
            ));
        }
    }
    Ok(())
}

async fn file(ctx: &TaskContext, path: &str, sha256: &str) -> Result<(), String> {
    let own = ctx.workspace().evidence_path("");
    if !path.starts_with(&own) {
        return Err(format!(
            "file `{path}` is not in this task's workspace (`{own}`)"
        ));
    }
    let located = ctx
        .handles
        .workspaces
        .locate(path)
        .map_err(|e| format!("file evidence: {e}"))?;
    let shown = path.to_owned();
    let actual = tokio::task::spawn_blocking(move || juggernaut_tools::sha256_file(&located))
        .await
        .map_err(|e| format!("hashing `{shown}` failed: {e}"))?
        .map_err(|e| format!("file `{path}` cannot be read: {e}"))?;
    if actual.eq_ignore_ascii_case(sha256) {
        Ok(())
    } else {
        Err(format!(
            "file `{path}` has changed: its SHA-256 is {actual}, the evidence says {sha256}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{InputSpec, TaskInput};
    use crate::outcome::{HandlerError, Outcome};
    use async_trait::async_trait;

    #[derive(serde::Deserialize, schemars::JsonSchema)]
    struct Nothing {}

    impl TaskInput for Nothing {}

    struct Probe {
        outside: bool,
    }

    #[async_trait]
    impl Handler for Probe {
        fn kind(&self) -> &'static str {
            "probe"
        }
        fn description(&self) -> &'static str {
            "a probe"
        }
        fn input(&self) -> InputSpec {
            InputSpec::of::<Nothing>()
        }
        async fn run(&self, _: &TaskContext) -> Result<Outcome, HandlerError> {
            Err(HandlerError::Permanent("not run".into()))
        }
        async fn verify(&self, _: &TaskContext, _: &Done) -> Result<(), String> {
            Ok(())
        }
        fn verifies_outside(&self) -> bool {
            self.outside
        }
    }

    fn done(evidence: Vec<Evidence>) -> Done {
        Done {
            result: serde_json::json!({}),
            evidence,
        }
    }

    #[test]
    fn verifying_state_only_when_the_check_does_io() {
        let run = Evidence::HandlerRun {
            handler: "probe".into(),
            lease_token: 1,
            duration_us: 1,
        };
        let call = Evidence::ToolCall { id: "7".into() };
        let file = Evidence::File {
            path: "out.md".into(),
            sha256: "0".repeat(64),
        };
        let inside = Probe { outside: false };
        assert!(!needs_verifying_state(&inside, &done(vec![run.clone()])));
        assert!(needs_verifying_state(
            &inside,
            &done(vec![run.clone(), call])
        ));
        assert!(needs_verifying_state(&inside, &done(vec![file])));
        let outside = Probe { outside: true };
        assert!(needs_verifying_state(&outside, &done(vec![run])));
    }
}
