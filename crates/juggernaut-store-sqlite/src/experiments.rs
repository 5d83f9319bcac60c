//! Experiments: created, read, listed newest first (of one status or all) and stopped, each
//! change with its `experiment.*` event in one `BEGIN IMMEDIATE` transaction. The spec and the
//! conclusion are kept as JSON. Times are microseconds.

use crate::audit::{self, Entry};
use crate::error::{db, json};
use crate::store::SqliteStore;
use crate::time::{from_us, now_us};
use juggernaut_core::EventKind;
use juggernaut_core::experiment::check::check_reason;
use juggernaut_core::experiment::{Experiment, ExperimentId, ExperimentSpec, ExperimentStatus};
use juggernaut_store::StoreError;
use juggernaut_store::audit::{ExperimentEvent, Payload};
use juggernaut_store::capability::experiments::{
    ExperimentPage, check_limit, no_experiment, not_running, refused,
};
use juggernaut_store::capability::tokens::check_actor;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

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
pub fn row(r: &SqliteRow) -> Result<Experiment, StoreError> {
    let spec: String = r.try_get("spec").map_err(corrupt)?;
    let status: String = r.try_get("status").map_err(corrupt)?;
    let conclusion: Option<String> = r.try_get("conclusion").map_err(corrupt)?;
    let iteration: i64 = r.try_get("iteration").map_err(corrupt)?;
    let at = |col: &str| -> Result<Option<_>, StoreError> {
        Ok(r.try_get::<Option<i64>, _>(col)
            .map_err(corrupt)?
            .map(from_us))
    };
    Ok(Experiment {
        id: ExperimentId(r.try_get("id").map_err(corrupt)?),
        spec: serde_json::from_str(&spec).map_err(corrupt)?,
        status: status.parse::<ExperimentStatus>().map_err(corrupt)?,
        iteration: u32::try_from(iteration).map_err(corrupt)?,
        started_at: from_us(r.try_get("started_at").map_err(corrupt)?),
        iterated_at: at("iterated_at")?,
        ended_at: at("ended_at")?,
        conclusion: conclusion
            .map(|c| serde_json::from_str(&c))
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

/// One experiment inside a transaction.
pub async fn by_id(
    conn: &mut SqliteConnection,
    id: ExperimentId,
) -> Result<Option<Experiment>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM experiments WHERE id = ?");
    let found = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_optional(conn)
        .await
        .map_err(db("experiment"))?;
    found.as_ref().map(row).transpose()
}

/// Creates one; see [`juggernaut_store::Experiments::create_experiment`].
pub async fn create(
    store: &SqliteStore,
    spec: ExperimentSpec,
    actor: &str,
) -> Result<Experiment, StoreError> {
    spec.check()?;
    check_actor(actor)?;
    juggernaut_core::text::check_text("actor", actor)?;
    let text = serde_json::to_string(&spec).map_err(json("experiments"))?;
    let mut tx = store.write().await?;
    if let Some(goal) = spec.goal_id {
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM goals WHERE id = ?")
            .bind(goal.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db("create_experiment"))?;
        if found.is_none() {
            return Err(refused("goal_id", format!("no goal has id {goal}")));
        }
    }
    let sql = format!(
        "INSERT INTO experiments (name, goal_id, status, spec, started_at, created_by) \
         VALUES (?, ?, 'running', ?, ?, ?) RETURNING {COLUMNS}"
    );
    let created = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&spec.name)
        .bind(spec.goal_id.map(|g| g.0))
        .bind(text)
        .bind(now_us())
        .bind(actor)
        .fetch_one(&mut *tx)
        .await
        .map_err(db("create_experiment"))?;
    let created = row(&created)?;
    let data = ExperimentEvent::about(created.id);
    audit::record(
        &mut tx,
        event(EventKind::ExperimentCreated, &created, actor, data),
    )
    .await?;
    tx.commit().await.map_err(db("create_experiment"))?;
    Ok(created)
}

/// One experiment; see [`juggernaut_store::Experiments::experiment`].
pub async fn get(store: &SqliteStore, id: ExperimentId) -> Result<Option<Experiment>, StoreError> {
    let mut conn = store.reader().acquire().await.map_err(db("experiment"))?;
    by_id(&mut conn, id).await
}

/// One page, newest first; see [`juggernaut_store::Experiments::experiments`].
pub async fn list(
    store: &SqliteStore,
    page: ExperimentPage,
) -> Result<Vec<Experiment>, StoreError> {
    check_limit(page.limit)?;
    let sql = format!(
        "SELECT {COLUMNS} FROM experiments WHERE id < ?1 AND (?2 IS NULL OR status = ?2) \
         ORDER BY id DESC LIMIT ?3"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(page.before.map_or(i64::MAX, |b| b.0))
        .bind(page.status.map(|s| s.as_str()))
        .bind(i64::from(page.limit))
        .fetch_all(store.reader())
        .await
        .map_err(db("experiments"))?;
    rows.iter().map(row).collect()
}

/// Stops one; see [`juggernaut_store::Experiments::stop_experiment`].
pub async fn stop(
    store: &SqliteStore,
    id: ExperimentId,
    reason: &str,
    actor: &str,
) -> Result<Experiment, StoreError> {
    check_actor(actor)?;
    juggernaut_core::text::check_text("actor", actor)?;
    check_reason(reason)?;
    let mut tx = store.write().await?;
    let sql = format!(
        "UPDATE experiments SET status = 'stopped', ended_at = ?, stop_reason = ? \
         WHERE id = ? AND status = 'running' RETURNING {COLUMNS}"
    );
    let stopped = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(now_us())
        .bind(reason)
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db("stop_experiment"))?;
    let Some(stopped) = stopped else {
        return Err(match by_id(&mut tx, id).await? {
            Some(e) => not_running(id, e.status),
            None => no_experiment(id),
        });
    };
    let stopped = row(&stopped)?;
    let mut data = ExperimentEvent::about(id);
    data.reason = Some(reason.to_owned());
    audit::record(
        &mut tx,
        event(EventKind::ExperimentStopped, &stopped, actor, data),
    )
    .await?;
    tx.commit().await.map_err(db("stop_experiment"))?;
    Ok(stopped)
}
