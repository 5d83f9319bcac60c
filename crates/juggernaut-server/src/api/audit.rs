//! `GET /api/audit`: the append-only audit log with `juggernaut audit`'s filters (task, exact
//! actor, kinds, since) in keyset pages newest first (`?before=` is the previous page's
//! `next_cursor`).

use super::dto::{AuditPageView, ErrorBody};
use super::extract::Pairs;
use crate::AppState;
use crate::auth::{Allowed, Read};
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use juggernaut_core::ids::EventId;
use juggernaut_core::{EventKind, TaskId};
use juggernaut_store::{AuditCursor, AuditFilter, MAX_AUDIT_PAGE};

/// One page of the audit log, newest first.
#[utoipa::path(get, path = "/api/audit", tag = "audit", security(("bearer" = [])),
    params(
        ("task" = Option<i64>, Query, description = "Only this task's events"),
        ("actor" = Option<String>, Query, description = "Only events by this actor (exact)"),
        ("kind" = Option<Vec<String>>, Query, description = "Any of these kinds, e.g. task.enqueued (repeat or comma list)"),
        ("since" = Option<String>, Query, description = "Written at or after this RFC 3339 time"),
        ("before" = Option<i64>, Query, description = "Event ids below this (the previous page's `next_cursor`)"),
        ("limit" = Option<u32>, Query, description = "Page size, 1-1000 (default 50)"),
    ),
    responses((status = 200, body = AuditPageView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    _: Allowed<Read>,
    State(s): State<AppState>,
    q: Pairs,
) -> Result<Json<AuditPageView>, ApiError> {
    q.only(&["task", "actor", "kind", "since", "before", "limit"])?;
    let kinds = q
        .all("kind")
        .into_iter()
        .map(|k| {
            EventKind::parse(k).ok_or_else(|| {
                ApiError::bad_request(format!("invalid kind `{k}`: not an event kind"))
            })
        })
        .collect::<Result<_, _>>()?;
    let since = q.parsed(
        "since",
        |t| {
            DateTime::parse_from_rfc3339(t)
                .ok()
                .map(|d| d.with_timezone(&Utc))
        },
        "use an RFC 3339 time such as 2026-01-31T12:00:00Z",
    )?;
    let filter = AuditFilter {
        task_id: q.id("task")?.map(TaskId),
        actor: q.one("actor")?.map(str::to_owned),
        kinds,
        since,
    };
    let page = AuditCursor {
        before: q.id("before")?.map(EventId),
        limit: q.limit(super::tasks::DEFAULT_LIMIT, MAX_AUDIT_PAGE)?,
    };
    Ok(Json(s.app.audit(&filter, page).await?.into()))
}
