//! Escalations: raised (a new row with its event, or the open row of the same key counted) and
//! acknowledged with their events in one `BEGIN IMMEDIATE` transaction, so raisers are
//! serialised (the partial unique index on open keys backs this up); listed newest first, the
//! unsent ones oldest first, and the keys ever used. Times are microseconds.

use crate::audit::{self, Entry};
use crate::error::db;
use crate::store::SqliteStore;
use crate::time::{from_us, now_us};
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
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

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

fn row(r: &SqliteRow) -> Result<Escalation, StoreError> {
    let kind: String = r.try_get("kind").map_err(corrupt)?;
    let level: String = r.try_get("level").map_err(corrupt)?;
    let at = |col: &str| -> Result<Option<_>, StoreError> {
        Ok(r.try_get::<Option<i64>, _>(col)
            .map_err(corrupt)?
            .map(from_us))
    };
    let count: i64 = r.try_get("count").map_err(corrupt)?;
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
        first_at: from_us(r.try_get("first_at").map_err(corrupt)?),
        last_at: from_us(r.try_get("last_at").map_err(corrupt)?),
        acked_at: at("acked_at")?,
        acked_by: r.try_get("acked_by").map_err(corrupt)?,
        ack_note: r.try_get("ack_note").map_err(corrupt)?,
        notified_at: at("notified_at")?,
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

async fn by_id(
    conn: &mut SqliteConnection,
    id: EscalationId,
) -> Result<Option<Escalation>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM escalations WHERE id = ?");
    let found = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_optional(conn)
        .await
        .map_err(db("escalation"))?;
    found.as_ref().map(row).transpose()
}

/// Raises one; see [`juggernaut_store::Escalations::raise`].
pub async fn raise(
    store: &SqliteStore,
    e: NewEscalation,
    actor: &str,
) -> Result<(Escalation, bool), StoreError> {
    e.check()?;
    check_actor(actor)?;
    juggernaut_core::text::check_text("actor", actor)?;
    let mut tx = store.write().await?;
    let now = now_us();
    let open: Option<i64> =
        sqlx::query_scalar("SELECT id FROM escalations WHERE key = ? AND acked_at IS NULL")
            .bind(&e.key)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db("raise"))?;
    if let Some(id) = open {
        let sql = format!(
            "UPDATE escalations SET count = count + 1, last_at = ?1, message = ?2, \
             level = CASE WHEN {} > {} THEN ?3 ELSE level END \
             WHERE id = ?4 RETURNING {COLUMNS}",
            rank("?3"),
            rank("level")
        );
        let counted = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(now)
            .bind(&e.message)
            .bind(e.level.as_str())
            .bind(id)
            .fetch_one(&mut *tx)
            .await
            .map_err(db("raise"))?;
        let counted = row(&counted)?;
        tx.commit().await.map_err(db("raise"))?;
        return Ok((counted, false));
    }
    let sql = format!(
        "INSERT INTO escalations (key, kind, level, task_id, goal_id, message, first_at, last_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) RETURNING {COLUMNS}"
    );
    let created = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&e.key)
        .bind(e.kind.as_str())
        .bind(e.level.as_str())
        .bind(e.task_id.map(|t| t.0))
        .bind(e.goal_id.map(|g| g.0))
        .bind(&e.message)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(db("raise"))?;
    let created = row(&created)?;
    audit::record(
        &mut tx,
        event(EventKind::EscalationRaised, &created, actor, None),
    )
    .await?;
    tx.commit().await.map_err(db("raise"))?;
    Ok((created, true))
}

/// One page, newest first; see [`juggernaut_store::Escalations::escalations`].
pub async fn list(
    store: &SqliteStore,
    open_only: bool,
    page: EscalationPage,
) -> Result<Vec<Escalation>, StoreError> {
    api::check_limit(page.limit)?;
    let sql = format!(
        "SELECT {COLUMNS} FROM escalations WHERE id < ?1 AND (?2 = 0 OR acked_at IS NULL) \
         ORDER BY id DESC LIMIT ?3"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(page.before.map_or(i64::MAX, |b| b.0))
        .bind(open_only)
        .bind(i64::from(page.limit))
        .fetch_all(store.reader())
        .await
        .map_err(db("escalations"))?;
    rows.iter().map(row).collect()
}

/// Acknowledges one; see [`juggernaut_store::Escalations::ack`].
pub async fn ack(
    store: &SqliteStore,
    id: EscalationId,
    actor: &str,
    note: &str,
) -> Result<Escalation, StoreError> {
    check_actor(actor)?;
    juggernaut_core::text::check_text("actor", actor)?;
    check_note(note)?;
    let mut tx = store.write().await?;
    let sql = format!(
        "UPDATE escalations SET acked_at = ?, acked_by = ?, ack_note = ? \
         WHERE id = ? AND acked_at IS NULL RETURNING {COLUMNS}"
    );
    let acked = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(now_us())
        .bind(actor)
        .bind(note)
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db("ack"))?;
    let Some(acked) = acked else {
        let why = match by_id(&mut tx, id).await? {
            Some(e) => already_acked(&e),
            None => no_escalation(id),
        };
        let _ = tx.rollback().await;
        return Err(why);
    };
    let acked = row(&acked)?;
    audit::record(
        &mut tx,
        event(EventKind::EscalationAcked, &acked, actor, Some(note)),
    )
    .await?;
    tx.commit().await.map_err(db("ack"))?;
    Ok(acked)
}

/// Marks them sent; see [`juggernaut_store::Escalations::mark_notified`].
pub async fn mark_notified(store: &SqliteStore, ids: &[EscalationId]) -> Result<(), StoreError> {
    check_asked("ids", ids.len())?;
    if ids.is_empty() {
        return Ok(());
    }
    let json =
        serde_json::to_string(&ids.iter().map(|i| i.0).collect::<Vec<_>>()).unwrap_or_default();
    let mut tx = store.write().await?;
    sqlx::query(
        "UPDATE escalations SET notified_at = ? \
         WHERE notified_at IS NULL AND id IN (SELECT value FROM json_each(?))",
    )
    .bind(now_us())
    .bind(json)
    .execute(&mut *tx)
    .await
    .map_err(db("mark_notified"))?;
    tx.commit().await.map_err(db("mark_notified"))?;
    Ok(())
}

/// Open ones never sent, oldest first; see [`juggernaut_store::Escalations::unnotified`].
pub async fn unnotified(store: &SqliteStore, limit: u32) -> Result<Vec<Escalation>, StoreError> {
    api::check_limit(limit)?;
    let sql = format!(
        "SELECT {COLUMNS} FROM escalations WHERE acked_at IS NULL AND notified_at IS NULL \
         ORDER BY id LIMIT ?"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(i64::from(limit))
        .fetch_all(store.reader())
        .await
        .map_err(db("unnotified"))?;
    rows.iter().map(row).collect()
}

/// Keys ever used; see [`juggernaut_store::Escalations::escalation_keys_used`].
pub async fn keys_used(store: &SqliteStore, keys: &[String]) -> Result<Vec<String>, StoreError> {
    check_asked("keys", keys.len())?;
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let json = serde_json::to_string(keys).unwrap_or_default();
    sqlx::query_scalar(
        "SELECT DISTINCT key FROM escalations WHERE key IN (SELECT value FROM json_each(?))",
    )
    .bind(json)
    .fetch_all(store.reader())
    .await
    .map_err(db("escalation_keys_used"))
}
