//! The verifier: a handler's done outcome becomes a completion only if its evidence is present,
//! well-formed, storable, and accepted by the kind's own check, within the kind's time limit.
//! Otherwise the attempt fails with the reason.

use crate::context::TaskContext;
use crate::handler::Handler;
use crate::outcome::Done;
use juggernaut_store::{ChildTask, Completion};

/// Turns a done outcome (and its children) into a completion, or says why the evidence does not
/// prove the work.
pub async fn verify(
    handler: &dyn Handler,
    ctx: &TaskContext,
    done: Done,
    children: Vec<ChildTask>,
) -> Result<Completion, String> {
    let fail = |reason: String| format!("verification failed: {reason}");
    if done.evidence.is_empty() {
        return Err(fail(format!("`{}` produced no evidence", handler.kind())));
    }
    for e in &done.evidence {
        e.validate().map_err(|e| fail(e.to_string()))?;
    }
    juggernaut_core::text::check_json("result", &done.result).map_err(|e| fail(e.to_string()))?;
    let limit = handler.verify_timeout();
    match tokio::time::timeout(limit, handler.verify(ctx, &done)).await {
        Ok(Ok(())) => {}
        Ok(Err(reason)) => return Err(fail(reason)),
        Err(_) => return Err(fail(format!("the check took longer than {limit:?}"))),
    }
    Ok(Completion {
        lease: ctx.lease,
        result: done.result,
        evidence: done.evidence,
        children,
    })
}
