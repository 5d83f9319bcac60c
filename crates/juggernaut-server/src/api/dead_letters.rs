//! The dead-letter queue: `GET /api/dead-letters` (keyset pages newest first) and
//! `POST /api/dead-letters/{id}/requeue` (only a dead task; 409 for any other).

use super::dto::{ErrorBody, TaskPage, TaskView};
use super::extract::{Id, Pairs};
use crate::AppState;
use crate::auth::{Allowed, Operate, Read};
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;
use juggernaut_core::TaskId;

/// One page of dead tasks, newest first.
#[utoipa::path(get, path = "/api/dead-letters", tag = "dead letters", security(("bearer" = [])),
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
    q.only(&["cursor", "limit"])?;
    let page = super::tasks::page(&q)?;
    Ok(Json(s.app.dead_letters(page).await?.into()))
}

/// Sends a dead task back to the queue with fresh attempts.
#[utoipa::path(post, path = "/api/dead-letters/{id}/requeue", tag = "dead letters",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Task id")),
    responses((status = 200, body = TaskView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn requeue(
    Allowed(caller, _): Allowed<Operate>,
    State(s): State<AppState>,
    Id(id): Id,
) -> Result<Json<TaskView>, ApiError> {
    let done = s.app.requeue_dead(&[TaskId(id)], &caller.actor()).await?;
    match done.into_iter().next() {
        Some(task) => Ok(Json(task.into())),
        None => Err(ApiError::not_found(format!("task {id} not found"))),
    }
}
