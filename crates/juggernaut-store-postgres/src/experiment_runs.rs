//! An experiment's run: iterations started with their step tasks (a conditional update on the
//! iteration, so two leaders cannot start one twice), points recorded once per iteration and
//! variant (`ON CONFLICT DO NOTHING`), read back, and the conclusion written with its follow-up
//! tasks, each with its event in one transaction.

use crate::audit;
use crate::enqueue;
use crate::error::db;
use crate::experiments::{COLUMNS, by_id, event, row, why_not};
use crate::store::{PostgresStore, finish};
use juggernaut_core::experiment::{
    Conclusion, Experiment, ExperimentId, ExperimentPoint, ExperimentStatus,
};
use juggernaut_core::{EventKind, NewTask, Origin, TaskId};
use juggernaut_store::audit::ExperimentEvent;
use juggernaut_store::capability::experiments::{
    NewPoint, check_limit, check_point, no_experiment, refused,
};
use juggernaut_store::capability::tokens::check_actor;
use juggernaut_store::{Enqueued, StoreError};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

const POINT_COLUMNS: &str = "iteration, variant, successes, trials, task_id, at";

fn corrupt(e: impl ToString) -> StoreError {
    StoreError::Corrupt {
        table: "experiment_points",
        reason: e.to_string(),
    }
}

fn point(r: &PgRow) -> Result<ExperimentPoint, StoreError> {
    let iteration: i32 = r.try_get("iteration").map_err(corrupt)?;
    let successes: i64 = r.try_get("successes").map_err(corrupt)?;
    let trials: i64 = r.try_get("trials").map_err(corrupt)?;
    Ok(ExperimentPoint {
        iteration: u32::try_from(iteration).map_err(corrupt)?,
        variant: r.try_get("variant").map_err(corrupt)?,
        successes: u64::try_from(successes).map_err(corrupt)?,
        trials: u64::try_from(trials).map_err(corrupt)?,
        task_id: r
            .try_get::<Option<i64>, _>("task_id")
            .map_err(corrupt)?
            .map(TaskId),
        at: r.try_get("at").map_err(corrupt)?,
    })
}

/// Enqueues `tasks` as the experiment's, in the caller's transaction.
async fn enqueue_all(
    conn: &mut PgConnection,
    tasks: Vec<NewTask>,
) -> Result<Vec<Enqueued>, StoreError> {
    let mut out = Vec::with_capacity(tasks.len());
    for mut t in tasks {
        t.origin = Origin::Experiment;
        t.validate()?;
        out.push(enqueue::one(&mut *conn, t).await?);
    }
    Ok(out)
}

fn created(enqueued: &[Enqueued]) -> u64 {
    enqueued.iter().filter(|q| q.created).count() as u64
}

/// Starts an iteration; see [`juggernaut_store::Experiments::start_iteration`].
pub async fn start_iteration(
    store: &PostgresStore,
    id: ExperimentId,
    iteration: u32,
    steps: Vec<NewTask>,
    actor: &str,
) -> Result<Vec<Enqueued>, StoreError> {
    check_actor(actor)?;
    let mut tx = store.begin().await?;
    let started = advance(&mut tx, id, iteration, steps, actor).await;
    let enqueued = finish(tx, started, "start_iteration").await?;
    store.note_ready(created(&enqueued));
    Ok(enqueued)
}

async fn advance(
    conn: &mut PgConnection,
    id: ExperimentId,
    iteration: u32,
    steps: Vec<NewTask>,
    actor: &str,
) -> Result<Vec<Enqueued>, StoreError> {
    let sql = format!(
        "UPDATE experiments SET iteration = $2, iterated_at = now() \
         WHERE id = $1 AND status = 'running' AND iteration = $2 - 1 RETURNING {COLUMNS}"
    );
    let moved = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .bind(i32::try_from(iteration).unwrap_or(i32::MAX))
        .fetch_optional(&mut *conn)
        .await
        .map_err(db("start_iteration"))?;
    let e = match moved {
        Some(r) => row(&r)?,
        None => {
            return Err(match by_id(conn, id).await? {
                Some(e) if e.status == ExperimentStatus::Running => refused(
                    "iteration",
                    format!(
                        "experiment {id} is at iteration {}; {iteration} does not follow",
                        e.iteration
                    ),
                ),
                _ => why_not(conn, id).await,
            });
        }
    };
    let enqueued = enqueue_all(conn, steps).await?;
    let mut data = ExperimentEvent::about(id);
    data.iteration = Some(iteration);
    data.tasks = enqueued.iter().map(|q| q.task.id).collect();
    audit::record(conn, event(EventKind::ExperimentIterated, &e, actor, data)).await?;
    Ok(enqueued)
}

/// Records a point; see [`juggernaut_store::Experiments::record_point`].
pub async fn record_point(
    store: &PostgresStore,
    p: NewPoint,
    actor: &str,
) -> Result<(ExperimentPoint, bool), StoreError> {
    check_actor(actor)?;
    let mut tx = store.begin().await?;
    let recorded = insert_point(&mut tx, p, actor).await;
    finish(tx, recorded, "record_point").await
}

async fn insert_point(
    conn: &mut PgConnection,
    p: NewPoint,
    actor: &str,
) -> Result<(ExperimentPoint, bool), StoreError> {
    let e: Experiment = by_id(conn, p.experiment)
        .await?
        .ok_or_else(|| no_experiment(p.experiment))?;
    check_point(&e, &p)?;
    let iteration = i32::try_from(p.iteration).unwrap_or(i32::MAX);
    let sql = format!(
        "INSERT INTO experiment_points (experiment_id, iteration, variant, successes, trials, \
         task_id, at) VALUES ($1, $2, $3, $4, $5, $6, now()) ON CONFLICT DO NOTHING \
         RETURNING {POINT_COLUMNS}"
    );
    let inserted = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(p.experiment.0)
        .bind(iteration)
        .bind(&p.variant)
        .bind(p.successes as i64)
        .bind(p.trials as i64)
        .bind(p.task_id.map(|t| t.0))
        .fetch_optional(&mut *conn)
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
        audit::record(conn, entry).await?;
        return Ok((stored, true));
    }
    let sql = format!(
        "SELECT {POINT_COLUMNS} FROM experiment_points \
         WHERE experiment_id = $1 AND iteration = $2 AND variant = $3"
    );
    let existing = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(p.experiment.0)
        .bind(iteration)
        .bind(&p.variant)
        .fetch_one(&mut *conn)
        .await
        .map_err(db("record_point"))?;
    Ok((point(&existing)?, false))
}

/// Points newest first; see [`juggernaut_store::Experiments::experiment_points`].
pub async fn points(
    store: &PostgresStore,
    id: ExperimentId,
    limit: u32,
) -> Result<Vec<ExperimentPoint>, StoreError> {
    check_limit(limit)?;
    let sql = format!(
        "SELECT {POINT_COLUMNS} FROM experiment_points WHERE experiment_id = $1 \
         ORDER BY iteration DESC, variant COLLATE \"C\" LIMIT $2"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .bind(i64::from(limit))
        .fetch_all(store.pool())
        .await
        .map_err(db("experiment_points"))?;
    rows.iter().map(point).collect()
}

/// Each variant's latest point; see [`juggernaut_store::Experiments::latest_points`].
pub async fn latest(
    store: &PostgresStore,
    id: ExperimentId,
) -> Result<Vec<ExperimentPoint>, StoreError> {
    let sql = format!(
        "SELECT DISTINCT ON (variant COLLATE \"C\") {POINT_COLUMNS} FROM experiment_points \
         WHERE experiment_id = $1 ORDER BY variant COLLATE \"C\", iteration DESC"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_all(store.pool())
        .await
        .map_err(db("latest_points"))?;
    rows.iter().map(point).collect()
}

/// Concludes one; see [`juggernaut_store::Experiments::conclude_experiment`].
pub async fn conclude(
    store: &PostgresStore,
    id: ExperimentId,
    conclusion: Conclusion,
    follow_ups: Vec<NewTask>,
    actor: &str,
) -> Result<(Experiment, Vec<Enqueued>), StoreError> {
    check_actor(actor)?;
    juggernaut_core::text::check_text("reason", &conclusion.reason)?;
    let mut tx = store.begin().await?;
    let done = write_conclusion(&mut tx, id, conclusion, follow_ups, actor).await;
    let (done, enqueued) = finish(tx, done, "conclude_experiment").await?;
    store.note_ready(created(&enqueued));
    Ok((done, enqueued))
}

async fn write_conclusion(
    conn: &mut PgConnection,
    id: ExperimentId,
    conclusion: Conclusion,
    follow_ups: Vec<NewTask>,
    actor: &str,
) -> Result<(Experiment, Vec<Enqueued>), StoreError> {
    let value = serde_json::to_value(&conclusion).map_err(corrupt)?;
    let sql = format!(
        "UPDATE experiments SET status = 'concluded', ended_at = now(), conclusion = $2 \
         WHERE id = $1 AND status = 'running' RETURNING {COLUMNS}"
    );
    let done = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .bind(value)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db("conclude_experiment"))?;
    let Some(done) = done else {
        return Err(why_not(conn, id).await);
    };
    let done = row(&done)?;
    let enqueued = enqueue_all(conn, follow_ups).await?;
    let mut data = ExperimentEvent::about(id);
    data.verdict = Some(conclusion.verdict);
    data.winner = conclusion.winner.clone();
    data.reason = Some(conclusion.reason.clone());
    data.tasks = enqueued.iter().map(|q| q.task.id).collect();
    audit::record(
        conn,
        event(EventKind::ExperimentConcluded, &done, actor, data),
    )
    .await?;
    Ok((done, enqueued))
}
