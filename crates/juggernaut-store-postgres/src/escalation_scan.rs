//! What the escalator reads, each one bounded statement on the pool: tasks waiting too long,
//! kinds failing often (from the audit log), and active goals whose spend reached their money
//! budget. Ages are measured against the database clock.

use crate::error::db;
use crate::store::PostgresStore;
use crate::time::dur_us;
use juggernaut_core::{GoalId, TaskId, TaskStatus};
use juggernaut_store::StoreError;
use juggernaut_store::capability::costs::EPSILON_USD;
use juggernaut_store::capability::escalations::{FailingKind, GoalSpend, OverdueTask, check_limit};
use sqlx::Row;
use std::time::Duration;

fn corrupt(e: impl ToString) -> StoreError {
    StoreError::Corrupt {
        table: "tasks",
        reason: e.to_string(),
    }
}

/// `now()` less the microseconds bound at parameter `$n`.
fn ago(n: u8) -> String {
    format!("(now() - ${n}::bigint * interval '1 microsecond')")
}

/// Tasks waiting too long; see [`juggernaut_store::Escalations::overdue_tasks`].
pub async fn overdue_tasks(
    store: &PostgresStore,
    stuck_after: Duration,
    approval_after: Duration,
    limit: u32,
) -> Result<Vec<OverdueTask>, StoreError> {
    check_limit(limit)?;
    let (stuck, approval) = (ago(1), ago(2));
    let sql = format!(
        "SELECT id, goal_id, kind, title, status, since FROM ( \
           SELECT id, goal_id, kind, title, status, GREATEST(run_at, updated_at) AS since \
             FROM tasks WHERE status = 'ready' AND GREATEST(run_at, updated_at) < {stuck} \
           UNION ALL \
           SELECT id, goal_id, kind, title, status, run_at AS since \
             FROM tasks WHERE status = 'pending' AND pending_deps = 0 AND run_at < {stuck} \
           UNION ALL \
           SELECT id, goal_id, kind, title, status, updated_at AS since \
             FROM tasks WHERE status = 'waiting_approval' AND updated_at < {approval} \
         ) AS overdue ORDER BY since, id LIMIT $3"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(dur_us(stuck_after))
        .bind(dur_us(approval_after))
        .bind(i64::from(limit))
        .fetch_all(store.pool())
        .await
        .map_err(db("overdue_tasks"))?;
    rows.iter()
        .map(|r| {
            let status: String = r.try_get("status").map_err(corrupt)?;
            Ok(OverdueTask {
                task: TaskId(r.try_get("id").map_err(corrupt)?),
                goal: r
                    .try_get::<Option<i64>, _>("goal_id")
                    .map_err(corrupt)?
                    .map(GoalId),
                kind: r.try_get("kind").map_err(corrupt)?,
                title: r.try_get("title").map_err(corrupt)?,
                status: status.parse::<TaskStatus>().map_err(corrupt)?,
                since: r.try_get("since").map_err(corrupt)?,
            })
        })
        .collect()
}

/// Kinds failing often; see [`juggernaut_store::Escalations::failing_kinds`].
pub async fn failing_kinds(
    store: &PostgresStore,
    window: Duration,
    at_least: u32,
    limit: u32,
) -> Result<Vec<FailingKind>, StoreError> {
    check_limit(limit)?;
    let sql = format!(
        "SELECT t.kind AS kind, COUNT(*) AS failures FROM events e JOIN tasks t ON t.id = e.task_id \
         WHERE e.kind IN ('task.retry_scheduled', 'task.dead', 'task.failed', 'task.timed_out') \
           AND e.at >= {} \
         GROUP BY t.kind HAVING COUNT(*) >= $2 ORDER BY failures DESC, t.kind LIMIT $3",
        ago(1)
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(dur_us(window))
        .bind(i64::from(at_least))
        .bind(i64::from(limit))
        .fetch_all(store.pool())
        .await
        .map_err(db("failing_kinds"))?;
    rows.iter()
        .map(|r| {
            let n: i64 = r.try_get("failures").map_err(corrupt)?;
            Ok(FailingKind {
                kind: r.try_get("kind").map_err(corrupt)?,
                failures: u64::try_from(n).map_err(corrupt)?,
            })
        })
        .collect()
}

/// Goals whose spend reached their budget; see
/// [`juggernaut_store::Escalations::goals_over_budget`].
pub async fn goals_over_budget(
    store: &PostgresStore,
    limit: u32,
) -> Result<Vec<GoalSpend>, StoreError> {
    check_limit(limit)?;
    let rows = sqlx::query(
        "SELECT g.id AS id, (g.budget ->> 'money_usd')::float8 AS budget_usd, \
                SUM(CASE WHEN c.state = 'settled' THEN c.amount_usd ELSE c.reserved_usd END)::float8 \
                  AS spent_usd \
         FROM goals g JOIN cost_ledger c ON c.goal_id = g.id \
         WHERE g.status = 'active' AND g.budget ->> 'money_usd' IS NOT NULL \
         GROUP BY g.id \
         HAVING SUM(CASE WHEN c.state = 'settled' THEN c.amount_usd ELSE c.reserved_usd END)::float8 \
                + $1 >= (g.budget ->> 'money_usd')::float8 \
         ORDER BY g.id LIMIT $2",
    )
    .bind(EPSILON_USD)
    .bind(i64::from(limit))
    .fetch_all(store.pool())
    .await
    .map_err(db("goals_over_budget"))?;
    rows.iter()
        .map(|r| {
            Ok(GoalSpend {
                goal: GoalId(r.try_get("id").map_err(corrupt)?),
                budget_usd: r.try_get("budget_usd").map_err(corrupt)?,
                spent_usd: r.try_get("spent_usd").map_err(corrupt)?,
            })
        })
        .collect()
}
