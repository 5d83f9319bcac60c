//! Learnings as people and prompts see them: listed newest first with filters, read one by one,
//! edited and retired (each change with its event in one `BEGIN IMMEDIATE` transaction), the
//! prompt candidates and the failures seen repeatedly. Tags and tools are JSON arrays; times are
//! microseconds.

use crate::audit::{self, Entry};
use crate::error::db;
use crate::store::SqliteStore;
use crate::time::{from_us, now_us};
use juggernaut_core::learning::{Learning, LearningEdit, LearningId, Outcome};
use juggernaut_core::{EventKind, GoalId, TaskId};
use juggernaut_store::audit::{LearningEvent, Payload};
use juggernaut_store::capability::learnings::{self as api, no_learning};
use juggernaut_store::capability::tokens::check_actor;
use juggernaut_store::{LearningFilter, LearningPage, RepeatedFailure, StoreError};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

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
pub fn row(r: &SqliteRow) -> Result<Learning, StoreError> {
    let list = |col: &str| -> Result<Vec<String>, StoreError> {
        let text: String = r.try_get(col).map_err(corrupt)?;
        serde_json::from_str(&text).map_err(corrupt)
    };
    let at = |col: &str| -> Result<Option<_>, StoreError> {
        Ok(r.try_get::<Option<i64>, _>(col)
            .map_err(corrupt)?
            .map(from_us))
    };
    let outcome: String = r.try_get("outcome").map_err(corrupt)?;
    let count: i64 = r.try_get("count").map_err(corrupt)?;
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
        first_seen: from_us(r.try_get("first_seen").map_err(corrupt)?),
        last_seen: from_us(r.try_get("last_seen").map_err(corrupt)?),
        edited_at: at("edited_at")?,
        edited_by: r.try_get("edited_by").map_err(corrupt)?,
        retired_at: at("retired_at")?,
        retired_by: r.try_get("retired_by").map_err(corrupt)?,
    })
}

/// One page, newest first; see [`juggernaut_store::Learnings::learnings`].
pub async fn list(
    store: &SqliteStore,
    f: &LearningFilter,
    page: LearningPage,
) -> Result<Vec<Learning>, StoreError> {
    api::check_limit(page.limit)?;
    let sql = format!(
        "SELECT {COLUMNS} FROM learnings WHERE id < ?1 AND (?2 IS NULL OR kind = ?2) \
         AND (?3 IS NULL OR outcome = ?3) \
         AND (?4 IS NULL OR EXISTS (SELECT 1 FROM json_each(tags) WHERE value = ?4)) \
         AND (?5 OR retired_at IS NULL) ORDER BY id DESC LIMIT ?6"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(page.before.map_or(i64::MAX, |b| b.0))
        .bind(f.kind.as_deref())
        .bind(f.outcome.map(Outcome::as_str))
        .bind(f.tag.as_deref())
        .bind(f.include_retired)
        .bind(i64::from(page.limit))
        .fetch_all(store.reader())
        .await
        .map_err(db("learnings"))?;
    rows.iter().map(row).collect()
}

async fn by_id(conn: &mut SqliteConnection, id: LearningId) -> Result<Learning, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM learnings WHERE id = ?");
    let found = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_optional(conn)
        .await
        .map_err(db("learning"))?;
    found.as_ref().map(row).transpose()?.ok_or(no_learning(id))
}

/// One learning; see [`juggernaut_store::Learnings::learning`].
pub async fn get(store: &SqliteStore, id: LearningId) -> Result<Option<Learning>, StoreError> {
    let mut conn = store.reader().acquire().await.map_err(db("learning"))?;
    match by_id(&mut conn, id).await {
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
    store: &SqliteStore,
    id: LearningId,
    edit: &LearningEdit,
    actor: &str,
) -> Result<Learning, StoreError> {
    edit.check()?;
    check_actor(actor)?;
    juggernaut_core::text::check_text("actor", actor)?;
    let tags = edit
        .tags
        .as_ref()
        .map(|t| serde_json::to_string(t).unwrap_or_default());
    let mut tx = store.write().await?;
    let sql = format!(
        "UPDATE learnings SET summary = COALESCE(?1, summary), tags = COALESCE(?2, tags), \
         edited_at = ?3, edited_by = ?4 WHERE id = ?5 RETURNING {COLUMNS}"
    );
    let updated = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(edit.summary.as_deref())
        .bind(tags)
        .bind(now_us())
        .bind(actor)
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db("edit_learning"))?;
    let Some(updated) = updated else {
        let _ = tx.rollback().await;
        return Err(no_learning(id));
    };
    let l = row(&updated)?;
    audit::record(&mut tx, event(EventKind::LearningEdited, &l, actor, edit)).await?;
    tx.commit().await.map_err(db("edit_learning"))?;
    Ok(l)
}

/// Retires or brings back; see [`juggernaut_store::Learnings::retire_learning`].
pub async fn retire(
    store: &SqliteStore,
    id: LearningId,
    retired: bool,
    actor: &str,
) -> Result<Learning, StoreError> {
    check_actor(actor)?;
    juggernaut_core::text::check_text("actor", actor)?;
    let mut tx = store.write().await?;
    let current = match by_id(&mut tx, id).await {
        Ok(l) => l,
        Err(e) => {
            let _ = tx.rollback().await;
            return Err(e);
        }
    };
    if current.retired_at.is_some() == retired {
        let _ = tx.rollback().await;
        return Ok(current);
    }
    let (at, by) = if retired {
        (Some(now_us()), Some(actor))
    } else {
        (None, None)
    };
    let sql = format!(
        "UPDATE learnings SET retired_at = ?1, retired_by = ?2 WHERE id = ?3 RETURNING {COLUMNS}"
    );
    let updated = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(at)
        .bind(by)
        .bind(id.0)
        .fetch_one(&mut *tx)
        .await
        .map_err(db("retire_learning"))?;
    let l = row(&updated)?;
    let kind = if retired {
        EventKind::LearningRetired
    } else {
        EventKind::LearningUnretired
    };
    let e = event(kind, &l, actor, &LearningEdit::default());
    audit::record(&mut tx, e).await?;
    tx.commit().await.map_err(db("retire_learning"))?;
    Ok(l)
}

/// Prompt candidates; see [`juggernaut_store::Learnings::learning_candidates`].
pub async fn candidates(
    store: &SqliteStore,
    kind: Option<&str>,
    tags: &[String],
    limit: u32,
) -> Result<Vec<Learning>, StoreError> {
    api::check_limit(limit)?;
    juggernaut_core::learning::check_tags(tags)?;
    let tags = serde_json::to_string(tags).unwrap_or_default();
    let sql = format!(
        "SELECT {COLUMNS} FROM learnings WHERE retired_at IS NULL ORDER BY \
         CASE WHEN kind = ?1 OR EXISTS (SELECT 1 FROM json_each(tags) t \
           WHERE t.value IN (SELECT value FROM json_each(?2))) THEN 0 ELSE 1 END, \
         last_seen DESC, id DESC LIMIT ?3"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(kind)
        .bind(tags)
        .bind(i64::from(limit))
        .fetch_all(store.reader())
        .await
        .map_err(db("learning_candidates"))?;
    rows.iter().map(row).collect()
}

/// Failures seen repeatedly; see [`juggernaut_store::Learnings::repeated_failures`].
pub async fn repeated_failures(
    store: &SqliteStore,
    min_count: u32,
    limit: u32,
) -> Result<Vec<RepeatedFailure>, StoreError> {
    api::check_limit(limit)?;
    let sql = format!(
        "SELECT {COLUMNS} FROM learnings WHERE retired_at IS NULL \
         AND outcome IN ('failed', 'dead') AND count >= ?1 \
         ORDER BY count DESC, last_seen DESC LIMIT ?2"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(i64::from(min_count))
        .bind(i64::from(limit))
        .fetch_all(store.reader())
        .await
        .map_err(db("repeated_failures"))?;
    rows.iter().map(|r| row(r).map(api::repeated)).collect()
}
