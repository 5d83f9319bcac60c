//! The learnings' capture: the cursor, the terminal events after it (with their tasks, goals'
//! tags and tool calls), and the batch recorded with the moved cursor in one `BEGIN IMMEDIATE`
//! transaction (the cursor compared and set, so a batch counts once).

use crate::audit::{self, Entry};
use crate::error::db;
use crate::learnings::{COLUMNS, row};
use crate::store::SqliteStore;
use crate::time::{dur_us, from_us, now_us};
use juggernaut_core::ids::EventId;
use juggernaut_core::learning::{NewLearning, Outcome, Terminal};
use juggernaut_core::{EventKind, GoalId, TaskId};
use juggernaut_store::audit::{LearningsRecorded, Payload};
use juggernaut_store::capability::learnings::{self as api, cursor_moved};
use juggernaut_store::capability::tokens::check_actor;
use juggernaut_store::{CaptureBatch, StoreError, check_asked};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use std::collections::BTreeMap;
use std::time::Duration;

/// The events that end a task or an attempt.
const ENDINGS: &str = "'task.completed', 'task.dead', 'task.failed', 'task.cancelled', \
     'task.retry_scheduled', 'task.timed_out'";

/// The cursor; see [`juggernaut_store::Learnings::capture_cursor`].
pub async fn cursor(store: &SqliteStore) -> Result<i64, StoreError> {
    sqlx::query_scalar("SELECT last_event FROM learning_cursor WHERE id = 1")
        .fetch_one(store.reader())
        .await
        .map_err(db("capture_cursor"))
}

/// Terminal events after the cursor; see [`juggernaut_store::Learnings::capture_source`].
pub async fn source(
    store: &SqliteStore,
    after: i64,
    settle: Duration,
    limit: u32,
) -> Result<CaptureBatch, StoreError> {
    api::check_limit(limit)?;
    let window: Vec<(i64, i64)> =
        sqlx::query_as("SELECT id, at FROM events WHERE id > ? ORDER BY id LIMIT ?")
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(store.reader())
            .await
            .map_err(db("capture_source"))?;
    let settled = now_us().saturating_sub(dur_us(settle));
    let next = window
        .iter()
        .take_while(|(_, at)| *at <= settled)
        .last()
        .map_or(after, |(id, _)| *id);
    if next == after {
        return Ok(CaptureBatch {
            after,
            next,
            ended: Vec::new(),
        });
    }
    let sql = format!(
        "SELECT e.id, e.at, e.to_status, COALESCE(e.data ->> '$.error', e.data ->> '$.reason') \
           AS error, t.id AS task, t.kind, t.title, t.goal_id, t.attempts, t.evidence, \
           COALESCE(g.tags, '[]') AS tags \
         FROM events e JOIN tasks t ON t.id = e.task_id LEFT JOIN goals g ON g.id = t.goal_id \
         WHERE e.id > ?1 AND e.id <= ?2 AND e.kind IN ({ENDINGS}) ORDER BY e.id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(after)
        .bind(next)
        .fetch_all(store.reader())
        .await
        .map_err(db("capture_source"))?;
    let mut ended = rows.iter().map(terminal).collect::<Result<Vec<_>, _>>()?;
    let tools = tools(store, &ended).await?;
    for t in &mut ended {
        if let Some((ok, failed)) = tools.get(&t.task.0) {
            t.tools = ok.clone();
            t.failed_tools = failed.clone();
        }
    }
    Ok(CaptureBatch { after, next, ended })
}

fn corrupt(e: impl ToString) -> StoreError {
    StoreError::Corrupt {
        table: "events",
        reason: e.to_string(),
    }
}

fn terminal(r: &SqliteRow) -> Result<Terminal, StoreError> {
    let to: Option<String> = r.try_get("to_status").map_err(corrupt)?;
    let outcome = match to.as_deref() {
        Some("completed") => Outcome::Succeeded,
        Some("dead") => Outcome::Dead,
        Some("cancelled") => Outcome::Cancelled,
        _ => Outcome::Failed,
    };
    let evidence: String = r.try_get("evidence").map_err(corrupt)?;
    let tags: String = r.try_get("tags").map_err(corrupt)?;
    let attempts: i64 = r.try_get("attempts").map_err(corrupt)?;
    Ok(Terminal {
        event: EventId(r.try_get("id").map_err(corrupt)?),
        at: from_us(r.try_get("at").map_err(corrupt)?),
        outcome,
        error: r.try_get("error").map_err(corrupt)?,
        task: TaskId(r.try_get("task").map_err(corrupt)?),
        kind: r.try_get("kind").map_err(corrupt)?,
        title: r.try_get("title").map_err(corrupt)?,
        goal: r
            .try_get::<Option<i64>, _>("goal_id")
            .map_err(corrupt)?
            .map(GoalId),
        tags: serde_json::from_str(&tags).unwrap_or_default(),
        attempts: u32::try_from(attempts).unwrap_or(0),
        evidence: api::evidence_kinds(&evidence),
        tools: Vec::new(),
        failed_tools: Vec::new(),
    })
}

/// Per task: the distinct tools it called successfully, and those whose calls failed.
async fn tools(
    store: &SqliteStore,
    ended: &[Terminal],
) -> Result<BTreeMap<i64, (Vec<String>, Vec<String>)>, StoreError> {
    let mut ids: Vec<i64> = ended.iter().map(|t| t.task.0).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out: BTreeMap<i64, (Vec<String>, Vec<String>)> = BTreeMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let json = serde_json::to_string(&ids).unwrap_or_default();
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT DISTINCT task_id, tool, status FROM tool_calls \
         WHERE task_id IN (SELECT value FROM json_each(?)) ORDER BY task_id, tool",
    )
    .bind(json)
    .fetch_all(store.reader())
    .await
    .map_err(db("capture_source"))?;
    for (task, tool, status) in rows {
        let entry = out.entry(task).or_default();
        if status == "ok" {
            entry.0.push(tool);
        } else {
            entry.1.push(tool);
        }
    }
    Ok(out)
}

/// Records a batch; see [`juggernaut_store::Learnings::record_learnings`].
pub async fn record(
    store: &SqliteStore,
    learnings: Vec<NewLearning>,
    after: i64,
    next: i64,
    actor: &str,
) -> Result<u64, StoreError> {
    check_asked("learnings", learnings.len())?;
    check_actor(actor)?;
    learnings.iter().try_for_each(NewLearning::check)?;
    let mut tx = store.write().await?;
    let moved =
        sqlx::query("UPDATE learning_cursor SET last_event = ?1 WHERE id = 1 AND last_event = ?2")
            .bind(next)
            .bind(after)
            .execute(&mut *tx)
            .await
            .map_err(db("record_learnings"))?;
    if moved.rows_affected() != 1 {
        let _ = tx.rollback().await;
        return Err(cursor_moved(after));
    }
    let sql = format!(
        "INSERT INTO learnings (fingerprint, kind, outcome, title, summary, tags, error, tools, \
           last_task, goal_id, first_seen, last_seen, count) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12) \
         ON CONFLICT (fingerprint) DO UPDATE SET count = count + excluded.count, \
           outcome = excluded.outcome, title = excluded.title, error = excluded.error, \
           tools = excluded.tools, last_task = excluded.last_task, goal_id = excluded.goal_id, \
           last_seen = MAX(last_seen, excluded.last_seen), \
           summary = CASE WHEN edited_at IS NULL THEN excluded.summary ELSE summary END, \
           tags = CASE WHEN edited_at IS NULL THEN excluded.tags ELSE tags END \
         RETURNING {COLUMNS}"
    );
    let mut ids = Vec::with_capacity(learnings.len());
    for (l, times) in api::fold(&learnings) {
        let written = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .bind(&l.fingerprint)
            .bind(&l.kind)
            .bind(l.outcome.as_str())
            .bind(&l.title)
            .bind(&l.summary)
            .bind(serde_json::to_string(&l.tags).unwrap_or_default())
            .bind(l.error.as_deref())
            .bind(serde_json::to_string(&l.tools).unwrap_or_default())
            .bind(l.task.0)
            .bind(l.goal.map(|g| g.0))
            .bind(l.at.timestamp_micros())
            .bind(i64::from(times))
            .fetch_one(&mut *tx)
            .await
            .map_err(db("record_learnings"))?;
        ids.push(row(&written)?.id);
    }
    let n = ids.len() as u64;
    if !ids.is_empty() {
        let data = Payload::LearningsRecorded(LearningsRecorded {
            learnings: ids,
            from: after,
            to: next,
        });
        audit::record(
            &mut tx,
            Entry::about(EventKind::LearningRecorded, actor, data.to_value()),
        )
        .await?;
    }
    tx.commit().await.map_err(db("record_learnings"))?;
    Ok(n)
}
