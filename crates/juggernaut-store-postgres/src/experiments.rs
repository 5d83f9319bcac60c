//! Experiments: created, read, listed newest first (of one status or all) and stopped, each
//! change with its `experiment.*` event in one transaction. The spec and the conclusion are kept
//! as JSONB; times come from the database clock.

use crate::audit::{self, Entry};
use crate::error::db;
use crate::store::{PostgresStore, finish};
use juggernaut_core::EventKind;
use juggernaut_core::experiment::check::check_reason;
use juggernaut_core::experiment::{Experiment, ExperimentId, ExperimentSpec, ExperimentStatus};
use juggernaut_store::StoreError;
use juggernaut_store::audit::{ExperimentEvent, Payload};
use juggernaut_store::capability::experiments::{
    ExperimentPage, check_limit, no_experiment, not_running, refused,
};
use juggernaut_store::capability::tokens::check_actor;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

/// Columns selected for an experiment, in the order [`row`] reads them.
pub const COLUMNS: &str = "id, spec, status, iteration, started_at, iterated_at, ended_at, \
     conclusion, stop_reason, created_by";

fn corrupt(e: impl ToString) -> StoreError {
    StoreError::Corrupt {
        table: "experiments",
        reason: e.to_string(),
    }
}

/// An experiment from a row of [`COLUMNS`].
pub fn row(r: &PgRow) -> Result<Experiment, StoreError> {
    let spec: serde_json::Value = r.try_get("spec").map_err(corrupt)?;
    let status: String = r.try_get("status").map_err(corrupt)?;
    let conclusion: Option<serde_json::Value> = r.try_get("conclusion").map_err(corrupt)?;
    let iteration: i32 = r.try_get("iteration").map_err(corrupt)?;
    Ok(Experiment {
        id: ExperimentId(r.try_get("id").map_err(corrupt)?),
        spec: serde_json::from_value(spec).map_err(corrupt)?,
        status: status.parse::<ExperimentStatus>().map_err(corrupt)?,
        iteration: u32::try_from(iteration).map_err(corrupt)?,
        started_at: r.try_get("started_at").map_err(corrupt)?,
        iterated_at: r.try_get("iterated_at").map_err(corrupt)?,
        ended_at: r.try_get("ended_at").map_err(corrupt)?,
        conclusion: conclusion
            .map(serde_json::from_value)
            .transpose()
            .map_err(corrupt)?,
        stop_reason: r.try_get("stop_reason").map_err(corrupt)?,
        created_by: r.try_get("created_by").map_err(corrupt)?,
    })
}

/// The event of `kind` about `e` with `data`.
pub fn event<'a>(
    kind: EventKind,
    e: &Experiment,
    actor: &'a str,
    data: ExperimentEvent,
) -> Entry<'a> {
    let mut entry = Entry::about(kind, actor, Payload::Experiment(data).to_value());
    entry.goal_id = e.spec.goal_id.map(|g| g.0);
    entry
}

/// One experiment on `conn`.
pub async fn by_id(
    conn: &mut PgConnection,
    id: ExperimentId,
) -> Result<Option<Experiment>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM experiments WHERE id = $1");
    let found = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_optional(conn)
        .await
        .map_err(db("experiment"))?;
    found.as_ref().map(row).transpose()
}

/// The refusal for `id`, which a conditional update did not match.
pub async fn why_not(conn: &mut PgConnection, id: ExperimentId) -> StoreError {
    match by_id(conn, id).await {
        Ok(Some(e)) => not_running(id, e.status),
        Ok(None) => no_experiment(id),
        Err(e) => e,
    }
}

/// Creates one; see [`juggernaut_store::Experiments::create_experiment`].
pub async fn create(
    store: &PostgresStore,
    spec: ExperimentSpec,
    actor: &str,
) -> Result<Experiment, StoreError> {
    spec.check()?;
    check_actor(actor)?;
    juggernaut_core::text::check_text("actor", actor)?;
    let mut tx = store.begin().await?;
    let created = insert(&mut tx, &spec, actor).await;
    finish(tx, created, "create_experiment").await
}

async fn insert(
    conn: &mut PgConnection,
    spec: &ExperimentSpec,
    actor: &str,
) -> Result<Experiment, StoreError> {
    if let Some(goal) = spec.goal_id {
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM goals WHERE id = $1")
            .bind(goal.0)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db("create_experiment"))?;
        if found.is_none() {
            return Err(refused("goal_id", format!("no goal has id {goal}")));
        }
    }
    let value = serde_json::to_value(spec).map_err(corrupt)?;
    let sql = format!(
        "INSERT INTO experiments (name, goal_id, status, spec, started_at, created_by) \
         VALUES ($1, $2, 'running', $3, now(), $4) RETURNING {COLUMNS}"
    );
    let created = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&spec.name)
        .bind(spec.goal_id.map(|g| g.0))
        .bind(value)
        .bind(actor)
        .fetch_one(&mut *conn)
        .await
        .map_err(db("create_experiment"))?;
    let created = row(&created)?;
    let data = ExperimentEvent::about(created.id);
    audit::record(
        conn,
        event(EventKind::ExperimentCreated, &created, actor, data),
    )
    .await?;
    Ok(created)
}

/// One experiment; see [`juggernaut_store::Experiments::experiment`].
pub async fn get(
    store: &PostgresStore,
    id: ExperimentId,
) -> Result<Option<Experiment>, StoreError> {
    let mut conn = store.pool().acquire().await.map_err(db("experiment"))?;
    by_id(&mut conn, id).await
}

/// One page, newest first; see [`juggernaut_store::Experiments::experiments`].
pub async fn list(
    store: &PostgresStore,
    page: ExperimentPage,
) -> Result<Vec<Experiment>, StoreError> {
    check_limit(page.limit)?;
    let sql = format!(
        "SELECT {COLUMNS} FROM experiments WHERE id < $1 AND ($2::text IS NULL OR status = $2) \
         ORDER BY id DESC LIMIT $3"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(page.before.map_or(i64::MAX, |b| b.0))
        .bind(page.status.map(|s| s.as_str()))
        .bind(i64::from(page.limit))
        .fetch_all(store.pool())
        .await
        .map_err(db("experiments"))?;
    rows.iter().map(row).collect()
}

/// Stops one; see [`juggernaut_store::Experiments::stop_experiment`].
pub async fn stop(
    store: &PostgresStore,
    id: ExperimentId,
    reason: &str,
    actor: &str,
) -> Result<Experiment, StoreError> {
    check_actor(actor)?;
    juggernaut_core::text::check_text("actor", actor)?;
    check_reason(reason)?;
    let mut tx = store.begin().await?;
    let stopped = mark_stopped(&mut tx, id, reason, actor).await;
    finish(tx, stopped, "stop_experiment").await
}

async fn mark_stopped(
    conn: &mut PgConnection,
    id: ExperimentId,
    reason: &str,
    actor: &str,
) -> Result<Experiment, StoreError> {
    let sql = format!(
        "UPDATE experiments SET status = 'stopped', ended_at = now(), stop_reason = $2 \
         WHERE id = $1 AND status = 'running' RETURNING {COLUMNS}"
    );
    let stopped = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .bind(reason)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db("stop_experiment"))?;
    let Some(stopped) = stopped else {
        return Err(why_not(conn, id).await);
    };
    let stopped = row(&stopped)?;
    let mut data = ExperimentEvent::about(id);
    data.reason = Some(reason.to_owned());
    audit::record(
        conn,
        event(EventKind::ExperimentStopped, &stopped, actor, data),
    )
    .await?;
    Ok(stopped)
}
