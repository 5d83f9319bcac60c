//! Executive reports: saved with their `report.stored` event in one transaction, listed newest
//! first by id (without bodies) and read by id. Times come from the database clock; the summary
//! is JSONB.

use crate::audit::{self, Entry};
use crate::error::db;
use crate::store::{PostgresStore, finish};
use juggernaut_core::{EventKind, TaskId};
use juggernaut_store::StoreError;
use juggernaut_store::audit::{Payload, ReportEvent};
use juggernaut_store::capability::reports::{
    NewReport, ReportId, ReportInfo, ReportPage, StoredReport,
};
use juggernaut_store::capability::tokens::check_actor;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

/// Columns of a report's metadata, in the order [`info`] reads them.
const INFO: &str = "id, title, since, until, task_id, summary, created_at, created_by";

fn corrupt(e: impl ToString) -> StoreError {
    StoreError::Corrupt {
        table: "reports",
        reason: e.to_string(),
    }
}

fn info(r: &PgRow) -> Result<ReportInfo, StoreError> {
    Ok(ReportInfo {
        id: ReportId(r.try_get("id").map_err(corrupt)?),
        title: r.try_get("title").map_err(corrupt)?,
        since: r.try_get("since").map_err(corrupt)?,
        until: r.try_get("until").map_err(corrupt)?,
        task: r
            .try_get::<Option<i64>, _>("task_id")
            .map_err(corrupt)?
            .map(TaskId),
        summary: r.try_get("summary").map_err(corrupt)?,
        created_at: r.try_get("created_at").map_err(corrupt)?,
        created_by: r.try_get("created_by").map_err(corrupt)?,
    })
}

/// Stores a report with its event; see [`juggernaut_store::Reports::save_report`].
pub async fn save(
    store: &PostgresStore,
    report: NewReport,
    actor: &str,
) -> Result<ReportInfo, StoreError> {
    report.check()?;
    check_actor(actor)?;
    let mut tx = store.begin().await?;
    let saved = insert(&mut tx, report, actor).await;
    finish(tx, saved, "save_report").await
}

async fn insert(
    conn: &mut PgConnection,
    report: NewReport,
    actor: &str,
) -> Result<ReportInfo, StoreError> {
    let sql = format!(
        "INSERT INTO reports (title, since, until, task_id, summary, markdown, html, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {INFO}"
    );
    let saved = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&report.title)
        .bind(report.since)
        .bind(report.until)
        .bind(report.task.map(|t| t.0))
        .bind(&report.summary)
        .bind(&report.markdown)
        .bind(&report.html)
        .bind(actor)
        .fetch_one(&mut *conn)
        .await
        .map_err(db("save_report"))?;
    let saved = info(&saved)?;
    let data = Payload::Report(ReportEvent {
        report: saved.id,
        title: saved.title.clone(),
        since: saved.since,
        until: saved.until,
    });
    let mut entry = Entry::about(EventKind::ReportStored, actor, data.to_value());
    entry.task_id = saved.task.map(|t| t.0);
    audit::record(conn, entry).await?;
    Ok(saved)
}

/// One page of reports, newest first; see [`juggernaut_store::Reports::reports`].
pub async fn list(store: &PostgresStore, page: ReportPage) -> Result<Vec<ReportInfo>, StoreError> {
    page.check()?;
    let sql = format!("SELECT {INFO} FROM reports WHERE id < $1 ORDER BY id DESC LIMIT $2");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(page.before.map_or(i64::MAX, |b| b.0))
        .bind(i64::from(page.limit))
        .fetch_all(store.pool())
        .await
        .map_err(db("reports"))?;
    rows.iter().map(info).collect()
}

/// One report with its bodies; see [`juggernaut_store::Reports::report`].
pub async fn get(store: &PostgresStore, id: ReportId) -> Result<Option<StoredReport>, StoreError> {
    let sql = format!("SELECT {INFO}, markdown, html FROM reports WHERE id = $1");
    let found = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_optional(store.pool())
        .await
        .map_err(db("report"))?;
    let Some(r) = found else {
        return Ok(None);
    };
    Ok(Some(StoredReport {
        info: info(&r)?,
        markdown: r.try_get("markdown").map_err(corrupt)?,
        html: r.try_get("html").map_err(corrupt)?,
    }))
}
