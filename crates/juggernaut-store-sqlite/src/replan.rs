//! Goals whose plan came from a playbook that has since changed are marked changed, so the
//! planner looks at them again; one `goal.replan_requested` event each, in the same transaction.
//! A plan stored before plans recorded the playbook's fingerprint (`playbook:NAME`) is taken as
//! current: an upgrade alone plans nothing again.

use crate::audit;
use crate::error::db;
use crate::goals::goal_entry;
use crate::store::SqliteStore;
use crate::time::now_us;
use juggernaut_core::{EventKind, GoalId};
use juggernaut_store::StoreError;
use juggernaut_store::audit::{Payload, Reason};

/// See [`juggernaut_store::GoalStore::replan_outdated`].
pub async fn outdated(
    store: &SqliteStore,
    current: &[String],
    actor: &str,
) -> Result<Vec<GoalId>, StoreError> {
    juggernaut_store::check_asked("playbooks", current.len())?;
    let names = serde_json::to_string(current).unwrap_or_default();
    let mut tx = store.write().await?;
    let now = now_us();
    let ids: Vec<i64> = sqlx::query_scalar(
        "UPDATE goals SET changed_at = ?1, updated_at = ?1 \
         WHERE status = 'active' AND planned_at IS NOT NULL AND changed_at <= planned_at \
           AND EXISTS (SELECT 1 FROM plans p WHERE p.goal_id = goals.id \
               AND p.version = goals.plan_version AND p.made_by LIKE 'playbook:%@%' \
               AND p.made_by NOT IN (SELECT value FROM json_each(?2))) \
         RETURNING id",
    )
    .bind(now)
    .bind(names)
    .fetch_all(&mut *tx)
    .await
    .map_err(db("replan_outdated"))?;
    for id in &ids {
        let data = Payload::Reason(Reason {
            reason: "the playbook that made its plan changed".to_owned(),
        });
        audit::record(
            &mut tx,
            goal_entry(EventKind::GoalReplanRequested, GoalId(*id), actor).with(data.to_value()),
        )
        .await?;
    }
    tx.commit().await.map_err(db("replan_outdated"))?;
    let mut out: Vec<GoalId> = ids.into_iter().map(GoalId).collect();
    out.sort();
    Ok(out)
}
