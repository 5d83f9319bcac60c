//! The verifier: a handler's outcome becomes a completion only if its evidence is present,
//! well-formed, and accepted by the kind's own check. Otherwise the attempt fails with the reason.

use crate::handler::{Handler, Outcome, TaskContext};
use juggernaut_store::Completion;

/// Turns an outcome into a completion, or says why the evidence does not prove the work.
pub fn verify(
    handler: &dyn Handler,
    ctx: &TaskContext,
    outcome: Outcome,
) -> Result<Completion, String> {
    if outcome.evidence.is_empty() {
        return Err(format!(
            "verification failed: `{}` produced no evidence",
            handler.kind()
        ));
    }
    for e in &outcome.evidence {
        e.validate()
            .map_err(|e| format!("verification failed: {e}"))?;
    }
    juggernaut_core::text::check_json("result", &outcome.result)
        .map_err(|e| format!("verification failed: {e}"))?;
    handler
        .verify(ctx, &outcome)
        .map_err(|reason| format!("verification failed: {reason}"))?;
    Ok(Completion {
        lease: ctx.lease,
        result: outcome.result,
        evidence: outcome.evidence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handlers::noop::Noop;
    use juggernaut_core::{Evidence, NewTask, Task, TaskId, TaskKind, TaskStatus};
    use juggernaut_store::LeaseRef;
    use tokio_util::sync::CancellationToken;

    /// A context for a running `noop` attempt under lease token `token`, over a fresh store
    /// (the checks here never touch it).
    async fn ctx(token: i64) -> TaskContext {
        let n = NewTask::new(TaskKind::new("noop").unwrap());
        let now = chrono::Utc::now();
        TaskContext {
            task: Task {
                id: TaskId(1),
                kind: n.kind,
                title: n.title,
                status: TaskStatus::Running,
                input: n.input,
                goal_id: None,
                parent_id: None,
                priority: 0,
                run_at: now,
                attempts: 1,
                max_attempts: 5,
                lease: None,
                pending_deps: 0,
                result: None,
                evidence: vec![],
                last_error: None,
                dedupe_key: None,
                origin: n.origin,
                created_at: now,
                updated_at: now,
                finished_at: None,
            },
            lease: LeaseRef {
                task_id: TaskId(1),
                token,
            },
            cancel: CancellationToken::new(),
            store: juggernaut_testkit::fresh_sqlite().await,
        }
    }

    #[tokio::test]
    async fn noop_run_verifies() {
        let c = ctx(4).await;
        let out = Noop.run(&c).await.unwrap();
        let done = verify(&Noop, &c, out).unwrap();
        assert_eq!(done.lease.token, 4);
    }

    #[tokio::test]
    async fn an_llm_saying_done_is_not_evidence() {
        let c = ctx(4).await;
        let claim = Outcome {
            result: serde_json::json!({"status": "done"}),
            evidence: vec![],
        };
        assert!(
            verify(&Noop, &c, claim)
                .unwrap_err()
                .contains("no evidence")
        );
    }

    #[tokio::test]
    async fn evidence_of_another_attempt_is_refused() {
        let c = ctx(4).await;
        let stale = Outcome {
            result: serde_json::json!({}),
            evidence: vec![Evidence::HandlerRun {
                handler: "noop".into(),
                lease_token: 3,
                duration_us: 1,
            }],
        };
        assert!(
            verify(&Noop, &c, stale)
                .unwrap_err()
                .contains("lease token 4")
        );
        let malformed = Outcome {
            result: serde_json::json!({}),
            evidence: vec![Evidence::File {
                path: "a".into(),
                sha256: "zz".into(),
            }],
        };
        assert!(verify(&Noop, &c, malformed).unwrap_err().contains("sha256"));
        let mut unstorable = Noop.run(&c).await.unwrap();
        unstorable.result = serde_json::json!({"note": "a\u{0}"});
        assert!(verify(&Noop, &c, unstorable).unwrap_err().contains("NUL"));
    }
}
