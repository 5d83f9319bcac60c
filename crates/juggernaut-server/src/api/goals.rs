//! Goals: `GET /api/goals` (by status and tag; keyset pages newest first), `POST /api/goals`,
//! `GET /api/goals/{id}` (progress, newest plan, open tasks, idle reason, spend),
//! `POST /api/goals/{id}/pause|resume|cancel` (409 for a move the goal's status does not allow)
//! and `GET /api/goals/{id}/progress` (the metric series, oldest first).

use super::dto::{ErrorBody, GoalDetailView, GoalView, MetricPointView, NewGoalBody, ReasonBody};
use super::extract::{Body, Id, Pairs};
use crate::AppState;
use crate::auth::{Allowed, Operate, Read};
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use juggernaut_core::{GoalId, GoalStatus};
use juggernaut_store::GoalFilter;
use serde::Serialize;
use utoipa::ToSchema;

/// Most readings one series holds.
pub const MAX_SERIES: u32 = 10_000;

/// One page of goals, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct GoalPage {
    /// The goals.
    pub items: Vec<GoalView>,
    /// Pass as `?cursor=` for the next (older) page; null on the last page.
    pub next_cursor: Option<i64>,
}

/// One page of goals, newest first.
#[utoipa::path(get, path = "/api/goals", tag = "goals", security(("bearer" = [])),
    params(
        ("status" = Option<Vec<String>>, Query, description = "Any of these statuses (repeat or comma list)"),
        ("tag" = Option<String>, Query, description = "Carrying this tag"),
        ("cursor" = Option<i64>, Query, description = "The previous page's `next_cursor`"),
        ("limit" = Option<u32>, Query, description = "Page size, 1-1000 (default 50)"),
    ),
    responses((status = 200, body = GoalPage), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    _: Allowed<Read>,
    State(s): State<AppState>,
    q: Pairs,
) -> Result<Json<GoalPage>, ApiError> {
    q.only(&["status", "tag", "cursor", "limit"])?;
    let statuses = q
        .all("status")
        .into_iter()
        .map(|t| t.parse::<GoalStatus>())
        .collect::<Result<_, _>>()
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let limit = q.limit(super::tasks::DEFAULT_LIMIT, super::tasks::MAX_LIMIT)?;
    let filter = GoalFilter {
        statuses,
        tag: q.one("tag")?.map(str::to_owned),
        parent: None,
        before: q.id("cursor")?.map(GoalId),
    };
    // One more than asked says whether there is a next page.
    let mut goals = s
        .app
        .goals(&filter, limit.saturating_add(1).min(1000))
        .await?;
    let more = goals.len() > limit as usize;
    goals.truncate(limit as usize);
    let next_cursor = if more {
        goals.last().map(|g| g.id.0)
    } else {
        None
    };
    Ok(Json(GoalPage {
        items: goals.into_iter().map(GoalView::from).collect(),
        next_cursor,
    }))
}

/// Adds a goal (`active`); the planner takes it from there.
#[utoipa::path(post, path = "/api/goals", tag = "goals", security(("bearer" = [])),
    request_body = NewGoalBody,
    responses((status = 201, body = GoalView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn add(
    Allowed(caller, _): Allowed<Operate>,
    State(s): State<AppState>,
    Body(body): Body<NewGoalBody>,
) -> Result<(StatusCode, Json<GoalView>), ApiError> {
    let goal = body.into_goal(&caller.0.name);
    let added = s.app.add_goal(goal, &caller.actor()).await?;
    Ok((StatusCode::CREATED, Json(added.into())))
}

/// One goal with its progress, newest plan, open tasks, idle reason and spend.
#[utoipa::path(get, path = "/api/goals/{id}", tag = "goals", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Goal id")),
    responses((status = 200, body = GoalDetailView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn show(
    _: Allowed<Read>,
    State(s): State<AppState>,
    Id(id): Id,
) -> Result<Json<GoalDetailView>, ApiError> {
    Ok(Json(s.app.goal_detail(GoalId(id)).await?.into()))
}

/// A goal's readings, oldest first (the newest `limit`).
#[utoipa::path(get, path = "/api/goals/{id}/progress", tag = "goals", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Goal id"),
        ("limit" = Option<u32>, Query, description = "The newest readings, 1-10000 (default 1000)")),
    responses((status = 200, body = Vec<MetricPointView>), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn progress(
    _: Allowed<Read>,
    State(s): State<AppState>,
    Id(id): Id,
    q: Pairs,
) -> Result<Json<Vec<MetricPointView>>, ApiError> {
    q.only(&["limit"])?;
    let limit = q.limit(1000, MAX_SERIES)?;
    let series = s.app.progress(GoalId(id), limit).await?;
    Ok(Json(series.into_iter().map(Into::into).collect()))
}

async fn set(
    s: &AppState,
    caller: &crate::auth::Caller,
    id: i64,
    to: GoalStatus,
    reason: &str,
) -> Result<Json<GoalView>, ApiError> {
    let goal = s
        .app
        .set_goal_status(GoalId(id), to, &caller.actor(), reason)
        .await?;
    Ok(Json(goal.into()))
}

/// Pauses an active goal.
#[utoipa::path(post, path = "/api/goals/{id}/pause", tag = "goals", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Goal id")),
    request_body(content = Option<ReasonBody>, description = "Why (optional)"),
    responses((status = 200, body = GoalView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn pause(
    Allowed(caller, _): Allowed<Operate>,
    State(s): State<AppState>,
    Id(id): Id,
    Body(body): Body<ReasonBody>,
) -> Result<Json<GoalView>, ApiError> {
    set(&s, &caller, id, GoalStatus::Paused, &body.reason).await
}

/// Resumes a paused goal.
#[utoipa::path(post, path = "/api/goals/{id}/resume", tag = "goals", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Goal id")),
    request_body(content = Option<ReasonBody>, description = "Why (optional)"),
    responses((status = 200, body = GoalView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn resume(
    Allowed(caller, _): Allowed<Operate>,
    State(s): State<AppState>,
    Id(id): Id,
    Body(body): Body<ReasonBody>,
) -> Result<Json<GoalView>, ApiError> {
    set(&s, &caller, id, GoalStatus::Active, &body.reason).await
}

/// Cancels an active or paused goal.
#[utoipa::path(post, path = "/api/goals/{id}/cancel", tag = "goals", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Goal id")),
    request_body(content = Option<ReasonBody>, description = "Why (optional)"),
    responses((status = 200, body = GoalView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn cancel(
    Allowed(caller, _): Allowed<Operate>,
    State(s): State<AppState>,
    Id(id): Id,
    Body(body): Body<ReasonBody>,
) -> Result<Json<GoalView>, ApiError> {
    set(&s, &caller, id, GoalStatus::Cancelled, &body.reason).await
}
