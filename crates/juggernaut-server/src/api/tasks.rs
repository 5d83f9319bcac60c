//! Tasks: `GET /api/tasks` (filtered by status, kind and goal; keyset pages newest first),
//! `GET /api/tasks/{id}` (with dependencies, events, tool calls and evidence), `POST /api/tasks`
//! (enqueue, checked by the application layer like `juggernaut enqueue`),
//! `POST /api/tasks/{id}/retry` and `POST /api/tasks/{id}/cancel`.

use super::dto::{
    EnqueuedView, ErrorBody, NewTaskBody, ReasonBody, TaskDetailView, TaskPage, TaskView,
};
use super::extract::{Body, Id, Pairs};
use crate::AppState;
use crate::auth::{Allowed, Operate, Read};
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use juggernaut_core::{GoalId, NewTask, TaskId, TaskKind, TaskStatus};
use juggernaut_store::{PageRequest, TaskFilter};

/// Largest page.
pub const MAX_LIMIT: u32 = 1000;
/// Page size when none is asked for.
pub const DEFAULT_LIMIT: u32 = 50;
/// Longest delay before a task may run, in seconds (as `juggernaut enqueue --delay-secs`).
pub const MAX_DELAY_SECS: u64 = 315_360_000;

/// `?cursor=&limit=` as a page request.
pub fn page(q: &Pairs) -> Result<PageRequest, ApiError> {
    Ok(PageRequest {
        before: q.id("cursor")?.map(TaskId),
        limit: q.limit(DEFAULT_LIMIT, MAX_LIMIT)?,
    })
}

/// One page of tasks, newest first.
#[utoipa::path(get, path = "/api/tasks", tag = "tasks", security(("bearer" = [])),
    params(
        ("status" = Option<Vec<String>>, Query, description = "Any of these statuses (repeat the parameter or give a comma list)"),
        ("kind" = Option<Vec<String>>, Query, description = "Any of these kinds (repeat or comma list)"),
        ("goal" = Option<i64>, Query, description = "Only this goal's tasks"),
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
    q.only(&["status", "kind", "goal", "cursor", "limit"])?;
    let statuses = q
        .all("status")
        .into_iter()
        .map(|t| t.parse::<TaskStatus>())
        .collect::<Result<_, _>>()
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let kinds = q
        .all("kind")
        .into_iter()
        .map(TaskKind::new)
        .collect::<Result<_, _>>()
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let filter = TaskFilter {
        statuses,
        kinds,
        goal_id: q.id("goal")?.map(GoalId),
    };
    Ok(Json(s.app.list_tasks(&filter, page(&q)?).await?.into()))
}

/// One task with its dependencies, events, tool calls and evidence.
#[utoipa::path(get, path = "/api/tasks/{id}", tag = "tasks", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Task id")),
    responses((status = 200, body = TaskDetailView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn show(
    _: Allowed<Read>,
    State(s): State<AppState>,
    Id(id): Id,
) -> Result<Json<TaskDetailView>, ApiError> {
    let detail = s.app.show_task(TaskId(id)).await?;
    let calls = s
        .app
        .task_tool_calls(TaskId(id), juggernaut_app::reads::MAX_TASK_TOOL_CALLS)
        .await?;
    Ok(Json(TaskDetailView {
        task: detail.task.into(),
        depends_on: detail.depends_on,
        events: detail.events.into_iter().map(Into::into).collect(),
        tool_calls: calls.into_iter().map(Into::into).collect(),
    }))
}

/// The task a body describes, before the application layer's checks.
fn new_task(b: NewTaskBody) -> Result<NewTask, ApiError> {
    let bad = |e: juggernaut_core::DomainError| ApiError::bad_request(e.to_string());
    let mut t = NewTask::new(TaskKind::new(&b.kind).map_err(bad)?);
    if let Some(title) = b.title {
        t.title = title;
    }
    if let Some(input) = b.input {
        t.input = input;
    }
    let id = |field: &str, n: i64| {
        (n > 0).then_some(n).ok_or_else(|| {
            ApiError::bad_request(format!("{field} {n} is not an id (ids start at 1)"))
        })
    };
    t.goal_id = b
        .goal_id
        .map(|g| id("goal_id", g).map(GoalId))
        .transpose()?;
    t.depends_on = b
        .depends_on
        .into_iter()
        .map(|d| id("depends_on", d).map(TaskId))
        .collect::<Result<_, _>>()?;
    t.priority = b.priority.unwrap_or(0);
    if let Some(secs) = b.delay_secs {
        if secs > MAX_DELAY_SECS {
            return Err(ApiError::bad_request(format!(
                "delay_secs {secs} is out of range: use 0 to {MAX_DELAY_SECS}"
            )));
        }
        let secs = i64::try_from(secs).unwrap_or(i64::MAX);
        t.run_at = Some(chrono::Utc::now() + chrono::Duration::seconds(secs));
    }
    if let Some(n) = b.max_attempts {
        t.max_attempts = n;
    }
    t.dedupe_key = b.dedupe_key;
    Ok(t)
}

/// Enqueues a task: 201 with the new task, or 200 with the unfinished task that already has
/// its dedupe key.
#[utoipa::path(post, path = "/api/tasks", tag = "tasks", security(("bearer" = [])),
    request_body = NewTaskBody,
    responses((status = 201, body = EnqueuedView), (status = 200, body = EnqueuedView),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn enqueue(
    _: Allowed<Operate>,
    State(s): State<AppState>,
    Body(body): Body<NewTaskBody>,
) -> Result<(StatusCode, Json<EnqueuedView>), ApiError> {
    let done = s.app.enqueue(new_task(body)?).await?;
    let status = if done.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(EnqueuedView {
            task: done.task.into(),
            created: done.created,
        }),
    ))
}

/// Sends a dead, failed or cancelled task back to the queue with fresh attempts.
#[utoipa::path(post, path = "/api/tasks/{id}/retry", tag = "tasks", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Task id")),
    responses((status = 200, body = TaskView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn retry(
    Allowed(caller, _): Allowed<Operate>,
    State(s): State<AppState>,
    Id(id): Id,
) -> Result<Json<TaskView>, ApiError> {
    Ok(Json(s.app.retry(TaskId(id), &caller.actor()).await?.into()))
}

/// Cancels an unfinished task; body `{"reason": "..."}` (optional).
#[utoipa::path(post, path = "/api/tasks/{id}/cancel", tag = "tasks", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Task id")),
    request_body(content = Option<ReasonBody>, description = "Why (optional)"),
    responses((status = 200, body = TaskView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn cancel(
    Allowed(caller, _): Allowed<Operate>,
    State(s): State<AppState>,
    Id(id): Id,
    Body(body): Body<ReasonBody>,
) -> Result<Json<TaskView>, ApiError> {
    let task = s
        .app
        .cancel(TaskId(id), &caller.actor(), &body.reason)
        .await?;
    Ok(Json(task.into()))
}
