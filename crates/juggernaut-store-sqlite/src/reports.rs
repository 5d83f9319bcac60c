//! Executive reports: saved with their `report.stored` event in one `BEGIN IMMEDIATE`
//! transaction, listed newest first by id (without bodies) and read by id from the read pool.
//! Times are microseconds; the summary is JSON text.

use crate::audit::{self, Entry};
use crate::error::db;
use crate::store::SqliteStore;
use crate::time::{from_us, now_us};
use juggernaut_core::{EventKind, TaskId};
use juggernaut_store::StoreError;
use juggernaut_store::audit::{Payload, ReportEvent};
use juggernaut_store::capability::reports::{
    NewReport, ReportId, ReportInfo, ReportPage, StoredReport,
};
use juggernaut_store::capability::tokens::check_actor;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

/// Columns of a report's metadata, in the order [`info`] reads them.
const INFO: &str = "id, title, since, until, task_id, summary, created_at, created_by";

fn corrupt(e: impl ToString) -> StoreError {
    StoreError::Corrupt {
        table: "reports",
        reason: e.to_string(),
    }
}

fn info(r: &SqliteRow) -> Result<ReportInfo, StoreError> {
    let summary: String = r.try_get("summary").map_err(corrupt)?;
    Ok(ReportInfo {
        id: ReportId(r.try_get("id").map_err(corrupt)?),
        title: r.try_get("title").map_err(corrupt)?,
        since: from_us(r.try_get("since").map_err(corrupt)?),
        until: from_us(r.try_get("until").map_err(corrupt)?),
        task: r
            .try_get::<Option<i64>, _>("task_id")
            .map_err(corrupt)?
            .map(TaskId),
        summary: serde_json::from_str(&summary).map_err(corrupt)?,
        created_at: from_us(r.try_get("created_at").map_err(corrupt)?),
        created_by: r.try_get("created_by").map_err(corrupt)?,
    })
}

/// Stores a report with its event; see [`juggernaut_store::Reports::save_report`].
pub async fn save(
    store: &SqliteStore,
    report: NewReport,
    actor: &str,
) -> Result<ReportInfo, StoreError> {
    report.check()?;
    check_actor(actor)?;
    let mut tx = store.write().await?;
    let sql = format!(
        "INSERT INTO reports (title, since, until, task_id, summary, markdown, html, \
         created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {INFO}"
    );
    let saved = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(&report.title)
        .bind(report.since.timestamp_micros())
        .bind(report.until.timestamp_micros())
        .bind(report.task.map(|t| t.0))
        .bind(report.summary.to_string())
        .bind(&report.markdown)
        .bind(&report.html)
        .bind(now_us())
        .bind(actor)
        .fetch_one(&mut *tx)
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
    audit::record(&mut tx, entry).await?;
    tx.commit().await.map_err(db("save_report"))?;
    Ok(saved)
}

/// One page of reports, newest first; see [`juggernaut_store::Reports::reports`].
pub async fn list(store: &SqliteStore, page: ReportPage) -> Result<Vec<ReportInfo>, StoreError> {
    page.check()?;
    let sql = format!("SELECT {INFO} FROM reports WHERE id < ? ORDER BY id DESC LIMIT ?");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(page.before.map_or(i64::MAX, |b| b.0))
        .bind(i64::from(page.limit))
        .fetch_all(store.reader())
        .await
        .map_err(db("reports"))?;
    rows.iter().map(info).collect()
}

/// One report with its bodies; see [`juggernaut_store::Reports::report`].
pub async fn get(store: &SqliteStore, id: ReportId) -> Result<Option<StoredReport>, StoreError> {
    let sql = format!("SELECT {INFO}, markdown, html FROM reports WHERE id = ?");
    let found = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_optional(store.reader())
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
