//! An experiment's run: iterations started with their step tasks, points recorded once per
//! iteration and variant, read back, and the conclusion written with its follow-up tasks, each
//! with its event in one `BEGIN IMMEDIATE` transaction.

use crate::audit;
use crate::enqueue;
use crate::error::{db, json};
use crate::experiments::{COLUMNS, by_id, event, row};
use crate::store::SqliteStore;
use crate::time::{from_us, now_us};
use juggernaut_core::experiment::{Conclusion, Experiment, ExperimentId, ExperimentPoint};
use juggernaut_core::{EventKind, NewTask, Origin, TaskId};
use juggernaut_store::audit::ExperimentEvent;
use juggernaut_store::capability::experiments::{
    NewPoint, check_limit, check_point, no_experiment, not_running, refused,
};
use juggernaut_store::capability::tokens::check_actor;
use juggernaut_store::{Enqueued, StoreError};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

const POINT_COLUMNS: &str = "iteration, variant, successes, trials, task_id, at";

fn point(r: &SqliteRow) -> Result<ExperimentPoint, StoreError> {
    let corrupt = |e: sqlx::Error| StoreError::Corrupt {
        table: "experiment_points",
        reason: e.to_string(),
    };
    let n = |col: &str| -> Result<u64, StoreError> {
        let v: i64 = r.try_get(col).map_err(corrupt)?;
        u64::try_from(v).map_err(|e| StoreError::Corrupt {
            table: "experiment_points",
            reason: e.to_string(),
        })
    };
    Ok(ExperimentPoint {
        iteration: u32::try_from(n("iteration")?).unwrap_or(u32::MAX),
        variant: r.try_get("variant").map_err(corrupt)?,
        successes: n("successes")?,
        trials: n("trials")?,
        task_id: r
            .try_get::<Option<i64>, _>("task_id")
            .map_err(corrupt)?
            .map(TaskId),
        at: from_us(r.try_get("at").map_err(corrupt)?),
    })
}

async fn running(conn: &mut SqliteConnection, id: ExperimentId) -> Result<Experiment, StoreError> {
    match by_id(conn, id).await? {
        None => Err(no_experiment(id)),
        Some(e) if e.status != juggernaut_core::experiment::ExperimentStatus::Running => {
            Err(not_running(id, e.status))
        }
        Some(e) => Ok(e),
    }
}

/// Enqueues `tasks` as the experiment's, in the caller's transaction.
async fn enqueue_all(
    conn: &mut SqliteConnection,
    tasks: Vec<NewTask>,
) -> Result<Vec<Enqueued>, StoreError> {
    let mut out = Vec::with_capacity(tasks.len());
    for mut t in tasks {
        t.origin = Origin::Experiment;
        t.validate()?;
        out.push(enqueue::one(conn, t).await?);
    }
    Ok(out)
}

/// Starts an iteration; see [`juggernaut_store::Experiments::start_iteration`].
pub async fn start_iteration(
    store: &SqliteStore,
    id: ExperimentId,
    iteration: u32,
    steps: Vec<NewTask>,
    actor: &str,
) -> Result<Vec<Enqueued>, StoreError> {
    check_actor(actor)?;
    let mut tx = store.write().await?;
    let e = running(&mut tx, id).await?;
    if iteration != e.iteration.saturating_add(1) {
        return Err(refused(
            "iteration",
            format!(
                "experiment {id} is at iteration {}; {iteration} does not follow",
                e.iteration
            ),
        ));
    }
    sqlx::query("UPDATE experiments SET iteration = ?, iterated_at = ? WHERE id = ?")
        .bind(i64::from(iteration))
        .bind(now_us())
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(db("start_iteration"))?;
    let enqueued = enqueue_all(&mut tx, steps).await?;
    let mut data = ExperimentEvent::about(id);
    data.iteration = Some(iteration);
    data.tasks = enqueued.iter().map(|q| q.task.id).collect();
    audit::record(
        &mut tx,
        event(EventKind::ExperimentIterated, &e, actor, data),
    )
    .await?;
    tx.commit().await.map_err(db("start_iteration"))?;
    store.signal.notify_waiters();
    Ok(enqueued)
}

/// Records a point; see [`juggernaut_store::Experiments::record_point`].
pub async fn record_point(
    store: &SqliteStore,
    p: NewPoint,
    actor: &str,
) -> Result<(ExperimentPoint, bool), StoreError> {
    check_actor(actor)?;
    let mut tx = store.write().await?;
    let e = by_id(&mut tx, p.experiment)
        .await?
        .ok_or_else(|| no_experiment(p.experiment))?;
    check_point(&e, &p)?;
    let sql = format!(
        "INSERT INTO experiment_points (experiment_id, iteration, variant, successes, trials, \
         task_id, at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING {POINT_COLUMNS}"
    );
    let inserted = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(p.experiment.0)
        .bind(i64::from(p.iteration))
        .bind(&p.variant)
        .bind(p.successes as i64)
        .bind(p.trials as i64)
        .bind(p.task_id.map(|t| t.0))
        .bind(now_us())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db("record_point"))?;
    if let Some(inserted) = inserted {
        let stored = point(&inserted)?;
        let mut data = ExperimentEvent::about(p.experiment);
        data.iteration = Some(p.iteration);
        data.variant = Some(p.variant.clone());
        data.counts = Some([p.successes, p.trials]);
        let mut entry = event(EventKind::ExperimentPointRecorded, &e, actor, data);
        entry.task_id = p.task_id.map(|t| t.0);
        audit::record(&mut tx, entry).await?;
        tx.commit().await.map_err(db("record_point"))?;
        return Ok((stored, true));
    }
    let sql = format!(
        "SELECT {POINT_COLUMNS} FROM experiment_points \
         WHERE experiment_id = ? AND iteration = ? AND variant = ?"
    );
    let existing = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(p.experiment.0)
        .bind(i64::from(p.iteration))
        .bind(&p.variant)
        .fetch_one(&mut *tx)
        .await
        .map_err(db("record_point"))?;
    Ok((point(&existing)?, false))
}

/// Points newest first; see [`juggernaut_store::Experiments::experiment_points`].
pub async fn points(
    store: &SqliteStore,
    id: ExperimentId,
    limit: u32,
) -> Result<Vec<ExperimentPoint>, StoreError> {
    check_limit(limit)?;
    let sql = format!(
        "SELECT {POINT_COLUMNS} FROM experiment_points WHERE experiment_id = ? \
         ORDER BY iteration DESC, variant LIMIT ?"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .bind(i64::from(limit))
        .fetch_all(store.reader())
        .await
        .map_err(db("experiment_points"))?;
    rows.iter().map(point).collect()
}

/// Each variant's latest point; see [`juggernaut_store::Experiments::latest_points`].
pub async fn latest(
    store: &SqliteStore,
    id: ExperimentId,
) -> Result<Vec<ExperimentPoint>, StoreError> {
    let sql = format!(
        "SELECT {POINT_COLUMNS} FROM experiment_points p WHERE experiment_id = ?1 \
         AND iteration = (SELECT MAX(iteration) FROM experiment_points q \
                          WHERE q.experiment_id = ?1 AND q.variant = p.variant) \
         ORDER BY variant"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_all(store.reader())
        .await
        .map_err(db("latest_points"))?;
    rows.iter().map(point).collect()
}

/// Concludes one; see [`juggernaut_store::Experiments::conclude_experiment`].
pub async fn conclude(
    store: &SqliteStore,
    id: ExperimentId,
    conclusion: Conclusion,
    follow_ups: Vec<NewTask>,
    actor: &str,
) -> Result<(Experiment, Vec<Enqueued>), StoreError> {
    check_actor(actor)?;
    juggernaut_core::text::check_text("reason", &conclusion.reason)?;
    let text = serde_json::to_string(&conclusion).map_err(json("experiments"))?;
    let mut tx = store.write().await?;
    running(&mut tx, id).await?;
    let sql = format!(
        "UPDATE experiments SET status = 'concluded', ended_at = ?, conclusion = ? \
         WHERE id = ? AND status = 'running' RETURNING {COLUMNS}"
    );
    let done = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(now_us())
        .bind(text)
        .bind(id.0)
        .fetch_one(&mut *tx)
        .await
        .map_err(db("conclude_experiment"))?;
    let done = row(&done)?;
    let enqueued = enqueue_all(&mut tx, follow_ups).await?;
    let mut data = ExperimentEvent::about(id);
    data.verdict = Some(conclusion.verdict);
    data.winner = conclusion.winner.clone();
    data.reason = Some(conclusion.reason.clone());
    data.tasks = enqueued.iter().map(|q| q.task.id).collect();
    audit::record(
        &mut tx,
        event(EventKind::ExperimentConcluded, &done, actor, data),
    )
    .await?;
    tx.commit().await.map_err(db("conclude_experiment"))?;
    store.signal.notify_waiters();
    Ok((done, enqueued))
}
