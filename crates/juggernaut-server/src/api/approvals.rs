//! `GET /api/approvals` (read: the tasks waiting for a person, newest first, keyset pages),
//! `POST /api/approvals/{id}/approve` and `POST /api/approvals/{id}/reject` (approve: body
//! `{"reason": "..."}`, optional for approve, required for reject), decided through the
//! application layer as `token:NAME`.

use super::dto::{ErrorBody, ReasonBody, TaskPage, TaskView};
use super::extract::{Body, Id, Pairs};
use crate::AppState;
use crate::auth::{Allowed, Approve, Read};
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;
use juggernaut_core::TaskId;

/// One page of the tasks waiting for approval: `?limit=1-1000` (default 50) and
/// `?cursor=ID` (the previous page's `next_cursor`).
#[utoipa::path(get, path = "/api/approvals", tag = "approvals", security(("bearer" = [])),
    params(
        ("cursor" = Option<i64>, Query, description = "The previous page's `next_cursor`"),
        ("limit" = Option<u32>, Query, description = "Page size, 1-1000 (default 50)"),
    ),
    responses((status = 200, body = TaskPage), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    _: Allowed<Read>,
    State(s): State<AppState>,
    q: Pairs,
) -> Result<Json<TaskPage>, ApiError> {
    q.only(&["limit", "cursor"])?;
    let page = super::tasks::page(&q)?;
    Ok(Json(s.app.approvals(page).await?.into()))
}

/// Approves a task waiting for approval: it goes back to the queue.
#[utoipa::path(post, path = "/api/approvals/{id}/approve", tag = "approvals",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Task id")),
    request_body(content = Option<ReasonBody>, description = "Why (optional)"),
    responses((status = 200, body = TaskView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn approve(
    Allowed(caller, _): Allowed<Approve>,
    State(s): State<AppState>,
    Id(id): Id,
    Body(body): Body<ReasonBody>,
) -> Result<Json<TaskView>, ApiError> {
    let task = s
        .app
        .approve(TaskId(id), &caller.actor(), &body.reason)
        .await?;
    Ok(Json(task.into()))
}

/// Rejects a task waiting for approval: it is cancelled. The reason is required.
#[utoipa::path(post, path = "/api/approvals/{id}/reject", tag = "approvals",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Task id")),
    request_body = ReasonBody,
    responses((status = 200, body = TaskView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn reject(
    Allowed(caller, _): Allowed<Approve>,
    State(s): State<AppState>,
    Id(id): Id,
    Body(body): Body<ReasonBody>,
) -> Result<Json<TaskView>, ApiError> {
    let task = s
        .app
        .reject(TaskId(id), &caller.actor(), &body.reason)
        .await?;
    Ok(Json(task.into()))
}
