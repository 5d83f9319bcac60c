//! Goals whose plan came from a playbook that has since changed are marked changed, so the
//! planner looks at them again; one `goal.replan_requested` event each, in the same transaction.
//! A plan stored before plans recorded the playbook's fingerprint (`playbook:NAME`) is taken as
//! current: an upgrade alone plans nothing again.

use crate::audit;
use crate::error::db;
use crate::goals::goal_entry;
use crate::store::{PostgresStore, finish};
use juggernaut_core::{EventKind, GoalId};
use juggernaut_store::StoreError;
use juggernaut_store::audit::{Payload, Reason};

/// See [`juggernaut_store::GoalStore::replan_outdated`].
pub async fn outdated(
    store: &PostgresStore,
    current: &[String],
    actor: &str,
) -> Result<Vec<GoalId>, StoreError> {
    juggernaut_store::check_asked("playbooks", current.len())?;
    let mut tx = store.begin().await?;
    let marked = async {
        let ids: Vec<i64> = sqlx::query_scalar(
            "UPDATE goals g SET changed_at = now(), updated_at = now() \
             WHERE g.status = 'active' AND g.planned_at IS NOT NULL AND g.changed_at <= g.planned_at \
               AND EXISTS (SELECT 1 FROM plans p WHERE p.goal_id = g.id \
                   AND p.version = g.plan_version AND p.made_by LIKE 'playbook:%@%' \
                   AND p.made_by <> ALL($1)) \
             RETURNING g.id",
        )
        .bind(current)
        .fetch_all(&mut *tx)
        .await
        .map_err(db("replan_outdated"))?;
        for id in &ids {
            let data = Payload::Reason(Reason {
                reason: "the playbook that made its plan changed".to_owned(),
            });
            audit::record(
                &mut tx,
                goal_entry(EventKind::GoalReplanRequested, GoalId(*id), actor)
                    .with(data.to_value()),
            )
            .await?;
        }
        Ok(ids)
    }
    .await;
    let ids = finish(tx, marked, "replan_outdated").await?;
    let mut out: Vec<GoalId> = ids.into_iter().map(GoalId).collect();
    out.sort();
    Ok(out)
}
