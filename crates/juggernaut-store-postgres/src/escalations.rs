//! Escalations: raised with one `INSERT ... ON CONFLICT` on the partial unique index of open keys
//! (a new row with its event, or the open row of the same key counted; concurrent raisers of one
//! key count one row), acknowledged with their events in one transaction; listed newest first,
//! the unsent ones oldest first, and the keys ever used. Times come from the database clock.

use crate::audit::{self, Entry};
use crate::error::db;
use crate::store::{PostgresStore, finish};
use juggernaut_core::escalation::{
    Escalation, EscalationId, EscalationKind, EscalationLevel, NewEscalation, check_note,
};
use juggernaut_core::{EventKind, GoalId, TaskId};
use juggernaut_store::audit::{EscalationEvent, Payload};
use juggernaut_store::capability::escalations::{
    self as api, EscalationPage, already_acked, no_escalation,
};
use juggernaut_store::capability::tokens::check_actor;
use juggernaut_store::{StoreError, check_asked};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

/// Columns selected for an escalation, in the order [`row`] reads them.
const COLUMNS: &str = "id, key, kind, level, task_id, goal_id, message, count, first_at, \
     last_at, acked_at, acked_by, ack_note, notified_at";

/// A level's rank, for keeping the higher one.
fn rank(expr: &str) -> String {
    format!("(CASE {expr} WHEN 'critical' THEN 2 WHEN 'warning' THEN 1 ELSE 0 END)")
}

fn corrupt(e: impl ToString) -> StoreError {
    StoreError::Corrupt {
        table: "escalations",
        reason: e.to_string(),
    }
}

fn row(r: &PgRow) -> Result<Escalation, StoreError> {
    let kind: String = r.try_get("kind").map_err(corrupt)?;
    let level: String = r.try_get("level").map_err(corrupt)?;
    let count: i32 = r.try_get("count").map_err(corrupt)?;
    Ok(Escalation {
        id: EscalationId(r.try_get("id").map_err(corrupt)?),
        key: r.try_get("key").map_err(corrupt)?,
        kind: kind.parse::<EscalationKind>().map_err(corrupt)?,
        level: level.parse::<EscalationLevel>().map_err(corrupt)?,
        task_id: r
            .try_get::<Option<i64>, _>("task_id")
            .map_err(corrupt)?
            .map(TaskId),
        goal_id: r
            .try_get::<Option<i64>, _>("goal_id")
            .map_err(corrupt)?
            .map(GoalId),
        message: r.try_get("message").map_err(corrupt)?,
        count: u32::try_from(count).map_err(corrupt)?,
        first_at: r.try_get("first_at").map_err(corrupt)?,
        last_at: r.try_get("last_at").map_err(corrupt)?,
        acked_at: r.try_get("acked_at").map_err(corrupt)?,
        acked_by: r.try_get("acked_by").map_err(corrupt)?,
        ack_note: r.try_get("ack_note").map_err(corrupt)?,
        notified_at: r.try_get("notified_at").map_err(corrupt)?,
    })
}

/// The event of `kind` about `e`.
fn event<'a>(kind: EventKind, e: &Escalation, actor: &'a str, note: Option<&str>) -> Entry<'a> {
    let data = Payload::Escalation(EscalationEvent {
        escalation: e.id,
        key: e.key.clone(),
        kind: e.kind,
        level: e.level,
        note: note.map(str::to_owned),
    });
    let mut entry = Entry::about(kind, actor, data.to_value());
    entry.task_id = e.task_id.map(|t| t.0);
    entry.goal_id = e.goal_id.map(|g| g.0);
    entry
}

/// Raises one; see [`juggernaut_store::Escalations::raise`].
pub async fn raise(
    store: &PostgresStore,
    e: NewEscalation,
    actor: &str,
) -> Result<(Escalation, bool), StoreError> {
    e.check()?;
    check_actor(actor)?;
    juggernaut_core::text::check_text("actor", actor)?;
    let mut tx = store.begin().await?;
    let raised = upsert(&mut tx, e, actor).await;
    finish(tx, raised, "raise").await
}

async fn upsert(
    conn: &mut PgConnection,
    e: NewEscalation,
    actor: &str,
) -> Result<(Escalation, bool), StoreError> {
    let sql = format!(
        "INSERT INTO escalations (key, kind, level, task_id, goal_id, message, first_at, last_at) \
         VALUES ($1, $2, $3, $4, $5, $6, now(), now()) \
         ON CONFLICT (key) WHERE acked_at IS NULL DO UPDATE SET \
           count = escalations.count + 1, last_at = now(), message = EXCLUDED.message, \
           level = CASE WHEN {} > {} THEN EXCLUDED.level ELSE escalations.level END \
         RETURNING {COLUMNS}, (xmax = 0) AS created",
        rank("EXCLUDED.level"),
        rank("escalations.level")
    );
    let raised = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&e.key)
        .bind(e.kind.as_str())
        .bind(e.level.as_str())
        .bind(e.task_id.map(|t| t.0))
        .bind(e.goal_id.map(|g| g.0))
        .bind(&e.message)
        .fetch_one(&mut *conn)
        .await
        .map_err(db("raise"))?;
    let created: bool = raised.try_get("created").map_err(corrupt)?;
    let raised = row(&raised)?;
    if created {
        audit::record(
            conn,
            event(EventKind::EscalationRaised, &raised, actor, None),
        )
        .await?;
    }
    Ok((raised, created))
}

/// One page, newest first; see [`juggernaut_store::Escalations::escalations`].
pub async fn list(
    store: &PostgresStore,
    open_only: bool,
    page: EscalationPage,
) -> Result<Vec<Escalation>, StoreError> {
    api::check_limit(page.limit)?;
    let sql = format!(
        "SELECT {COLUMNS} FROM escalations WHERE id < $1 AND (NOT $2 OR acked_at IS NULL) \
         ORDER BY id DESC LIMIT $3"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(page.before.map_or(i64::MAX, |b| b.0))
        .bind(open_only)
        .bind(i64::from(page.limit))
        .fetch_all(store.pool())
        .await
        .map_err(db("escalations"))?;
    rows.iter().map(row).collect()
}

/// Acknowledges one; see [`juggernaut_store::Escalations::ack`].
pub async fn ack(
    store: &PostgresStore,
    id: EscalationId,
    actor: &str,
    note: &str,
) -> Result<Escalation, StoreError> {
    check_actor(actor)?;
    juggernaut_core::text::check_text("actor", actor)?;
    check_note(note)?;
    let mut tx = store.begin().await?;
    let acked = mark_acked(&mut tx, id, actor, note).await;
    finish(tx, acked, "ack").await
}

async fn mark_acked(
    conn: &mut PgConnection,
    id: EscalationId,
    actor: &str,
    note: &str,
) -> Result<Escalation, StoreError> {
    let sql = format!(
        "UPDATE escalations SET acked_at = now(), acked_by = $2, ack_note = $3 \
         WHERE id = $1 AND acked_at IS NULL RETURNING {COLUMNS}"
    );
    let acked = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .bind(actor)
        .bind(note)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db("ack"))?;
    let Some(acked) = acked else {
        let sql = format!("SELECT {COLUMNS} FROM escalations WHERE id = $1");
        let found = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db("ack"))?;
        return Err(match found.as_ref().map(row).transpose()? {
            Some(e) => already_acked(&e),
            None => no_escalation(id),
        });
    };
    let acked = row(&acked)?;
    audit::record(
        conn,
        event(EventKind::EscalationAcked, &acked, actor, Some(note)),
    )
    .await?;
    Ok(acked)
}

/// Marks them sent; see [`juggernaut_store::Escalations::mark_notified`].
pub async fn mark_notified(store: &PostgresStore, ids: &[EscalationId]) -> Result<(), StoreError> {
    check_asked("ids", ids.len())?;
    if ids.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = ids.iter().map(|i| i.0).collect();
    sqlx::query(
        "UPDATE escalations SET notified_at = now() WHERE notified_at IS NULL AND id = ANY($1)",
    )
    .bind(ids)
    .execute(store.pool())
    .await
    .map_err(db("mark_notified"))?;
    Ok(())
}

/// Open ones never sent, oldest first; see [`juggernaut_store::Escalations::unnotified`].
pub async fn unnotified(store: &PostgresStore, limit: u32) -> Result<Vec<Escalation>, StoreError> {
    api::check_limit(limit)?;
    let sql = format!(
        "SELECT {COLUMNS} FROM escalations WHERE acked_at IS NULL AND notified_at IS NULL \
         ORDER BY id LIMIT $1"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(i64::from(limit))
        .fetch_all(store.pool())
        .await
        .map_err(db("unnotified"))?;
    rows.iter().map(row).collect()
}

/// Keys ever used; see [`juggernaut_store::Escalations::escalation_keys_used`].
pub async fn keys_used(store: &PostgresStore, keys: &[String]) -> Result<Vec<String>, StoreError> {
    check_asked("keys", keys.len())?;
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    sqlx::query_scalar("SELECT DISTINCT key FROM escalations WHERE key = ANY($1)")
        .bind(keys)
        .fetch_all(store.pool())
        .await
        .map_err(db("escalation_keys_used"))
}
