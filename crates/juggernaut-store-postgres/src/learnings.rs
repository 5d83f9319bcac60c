//! Learnings as people and prompts see them: listed newest first with filters, read one by one,
//! edited and retired (each change with its event in one transaction), the prompt candidates and
//! the failures seen repeatedly. Tags and tools are JSONB arrays; times come from the database.

use crate::audit::{self, Entry};
use crate::error::db;
use crate::store::{PostgresStore, finish};
use juggernaut_core::learning::{Learning, LearningEdit, LearningId, Outcome};
use juggernaut_core::{EventKind, GoalId, TaskId};
use juggernaut_store::audit::{LearningEvent, Payload};
use juggernaut_store::capability::learnings::{self as api, no_learning};
use juggernaut_store::capability::tokens::check_actor;
use juggernaut_store::{LearningFilter, LearningPage, RepeatedFailure, StoreError};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

/// Columns selected for a learning, as [`row`] reads them.
pub const COLUMNS: &str = "id, fingerprint, kind, outcome, title, summary, tags, error, tools, \
     count, last_task, goal_id, first_seen, last_seen, edited_at, edited_by, retired_at, retired_by";

fn corrupt(e: impl ToString) -> StoreError {
    StoreError::Corrupt {
        table: "learnings",
        reason: e.to_string(),
    }
}

/// A stored row as a [`Learning`].
pub fn row(r: &PgRow) -> Result<Learning, StoreError> {
    let list = |col: &str| -> Result<Vec<String>, StoreError> {
        let v: serde_json::Value = r.try_get(col).map_err(corrupt)?;
        serde_json::from_value(v).map_err(corrupt)
    };
    let outcome: String = r.try_get("outcome").map_err(corrupt)?;
    let count: i32 = r.try_get("count").map_err(corrupt)?;
    Ok(Learning {
        id: LearningId(r.try_get("id").map_err(corrupt)?),
        fingerprint: r.try_get("fingerprint").map_err(corrupt)?,
        kind: r.try_get("kind").map_err(corrupt)?,
        outcome: outcome.parse::<Outcome>().map_err(corrupt)?,
        title: r.try_get("title").map_err(corrupt)?,
        summary: r.try_get("summary").map_err(corrupt)?,
        tags: list("tags")?,
        error: r.try_get("error").map_err(corrupt)?,
        tools: list("tools")?,
        count: u32::try_from(count).map_err(corrupt)?,
        last_task: r
            .try_get::<Option<i64>, _>("last_task")
            .map_err(corrupt)?
            .map(TaskId),
        goal_id: r
            .try_get::<Option<i64>, _>("goal_id")
            .map_err(corrupt)?
            .map(GoalId),
        first_seen: r.try_get("first_seen").map_err(corrupt)?,
        last_seen: r.try_get("last_seen").map_err(corrupt)?,
        edited_at: r.try_get("edited_at").map_err(corrupt)?,
        edited_by: r.try_get("edited_by").map_err(corrupt)?,
        retired_at: r.try_get("retired_at").map_err(corrupt)?,
        retired_by: r.try_get("retired_by").map_err(corrupt)?,
    })
}

/// One page, newest first; see [`juggernaut_store::Learnings::learnings`].
pub async fn list(
    store: &PostgresStore,
    f: &LearningFilter,
    page: LearningPage,
) -> Result<Vec<Learning>, StoreError> {
    api::check_limit(page.limit)?;
    let sql = format!(
        "SELECT {COLUMNS} FROM learnings WHERE id < $1 AND ($2::text IS NULL OR kind = $2) \
         AND ($3::text IS NULL OR outcome = $3) AND ($4::text IS NULL OR tags ? $4) \
         AND ($5 OR retired_at IS NULL) ORDER BY id DESC LIMIT $6"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(page.before.map_or(i64::MAX, |b| b.0))
        .bind(f.kind.as_deref())
        .bind(f.outcome.map(Outcome::as_str))
        .bind(f.tag.as_deref())
        .bind(f.include_retired)
        .bind(i64::from(page.limit))
        .fetch_all(store.pool())
        .await
        .map_err(db("learnings"))?;
    rows.iter().map(row).collect()
}

async fn by_id(
    conn: &mut PgConnection,
    id: LearningId,
    lock: bool,
) -> Result<Learning, StoreError> {
    let lock = if lock { " FOR UPDATE" } else { "" };
    let sql = format!("SELECT {COLUMNS} FROM learnings WHERE id = $1{lock}");
    let found = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_optional(conn)
        .await
        .map_err(db("learning"))?;
    found.as_ref().map(row).transpose()?.ok_or(no_learning(id))
}

/// One learning; see [`juggernaut_store::Learnings::learning`].
pub async fn get(store: &PostgresStore, id: LearningId) -> Result<Option<Learning>, StoreError> {
    let mut conn = store.pool().acquire().await.map_err(db("learning"))?;
    match by_id(&mut conn, id, false).await {
        Ok(l) => Ok(Some(l)),
        Err(StoreError::Domain(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

fn event<'a>(kind: EventKind, l: &Learning, actor: &'a str, edit: &LearningEdit) -> Entry<'a> {
    let data = Payload::Learning(LearningEvent {
        learning: l.id,
        fingerprint: l.fingerprint.clone(),
        summary: edit.summary.clone(),
        tags: edit.tags.clone(),
    });
    let mut e = Entry::about(kind, actor, data.to_value());
    e.goal_id = l.goal_id.map(|g| g.0);
    e
}

/// A person's edit; see [`juggernaut_store::Learnings::edit_learning`].
pub async fn edit(
    store: &PostgresStore,
    id: LearningId,
    edit: &LearningEdit,
    actor: &str,
) -> Result<Learning, StoreError> {
    edit.check()?;
    check_actor(actor)?;
    juggernaut_core::text::check_text("actor", actor)?;
    let mut tx = store.begin().await?;
    let done = edit_in(&mut tx, id, edit, actor).await;
    finish(tx, done, "edit_learning").await
}

async fn edit_in(
    conn: &mut PgConnection,
    id: LearningId,
    edit: &LearningEdit,
    actor: &str,
) -> Result<Learning, StoreError> {
    let tags = edit.tags.as_ref().map(|t| serde_json::json!(t));
    let sql = format!(
        "UPDATE learnings SET summary = COALESCE($1, summary), tags = COALESCE($2, tags), \
         edited_at = now(), edited_by = $3 WHERE id = $4 RETURNING {COLUMNS}"
    );
    let updated = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(edit.summary.as_deref())
        .bind(tags)
        .bind(actor)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db("edit_learning"))?;
    let l = row(&updated.ok_or(no_learning(id))?)?;
    audit::record(conn, event(EventKind::LearningEdited, &l, actor, edit)).await?;
    Ok(l)
}

/// Retires or brings back; see [`juggernaut_store::Learnings::retire_learning`].
pub async fn retire(
    store: &PostgresStore,
    id: LearningId,
    retired: bool,
    actor: &str,
) -> Result<Learning, StoreError> {
    check_actor(actor)?;
    juggernaut_core::text::check_text("actor", actor)?;
    let mut tx = store.begin().await?;
    let done = retire_in(&mut tx, id, retired, actor).await;
    finish(tx, done, "retire_learning").await
}

async fn retire_in(
    conn: &mut PgConnection,
    id: LearningId,
    retired: bool,
    actor: &str,
) -> Result<Learning, StoreError> {
    let current = by_id(&mut *conn, id, true).await?;
    if current.retired_at.is_some() == retired {
        return Ok(current);
    }
    let sql = format!(
        "UPDATE learnings SET retired_at = CASE WHEN $1 THEN now() END, \
         retired_by = CASE WHEN $1 THEN $2 END WHERE id = $3 RETURNING {COLUMNS}"
    );
    let updated = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(retired)
        .bind(actor)
        .bind(id.0)
        .fetch_one(&mut *conn)
        .await
        .map_err(db("retire_learning"))?;
    let l = row(&updated)?;
    let kind = if retired {
        EventKind::LearningRetired
    } else {
        EventKind::LearningUnretired
    };
    let e = event(kind, &l, actor, &LearningEdit::default());
    audit::record(conn, e).await?;
    Ok(l)
}

/// Prompt candidates; see [`juggernaut_store::Learnings::learning_candidates`].
pub async fn candidates(
    store: &PostgresStore,
    kind: Option<&str>,
    tags: &[String],
    limit: u32,
) -> Result<Vec<Learning>, StoreError> {
    api::check_limit(limit)?;
    juggernaut_core::learning::check_tags(tags)?;
    let sql = format!(
        "SELECT {COLUMNS} FROM learnings WHERE retired_at IS NULL ORDER BY \
         CASE WHEN kind = $1 OR tags ?| $2 THEN 0 ELSE 1 END, last_seen DESC, id DESC LIMIT $3"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(kind)
        .bind(tags)
        .bind(i64::from(limit))
        .fetch_all(store.pool())
        .await
        .map_err(db("learning_candidates"))?;
    rows.iter().map(row).collect()
}

/// Failures seen repeatedly; see [`juggernaut_store::Learnings::repeated_failures`].
pub async fn repeated_failures(
    store: &PostgresStore,
    min_count: u32,
    limit: u32,
) -> Result<Vec<RepeatedFailure>, StoreError> {
    api::check_limit(limit)?;
    let sql = format!(
        "SELECT {COLUMNS} FROM learnings WHERE retired_at IS NULL \
         AND outcome IN ('failed', 'dead') AND count >= $1 \
         ORDER BY count DESC, last_seen DESC LIMIT $2"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(i64::from(min_count))
        .bind(i64::from(limit))
        .fetch_all(store.pool())
        .await
        .map_err(db("repeated_failures"))?;
    rows.iter().map(|r| row(r).map(api::repeated)).collect()
}
