//! Changing a goal and its plan: `PATCH /api/goals/{id}` (some of its fields; the planner looks
//! at it again), `POST /api/goals/{id}/plan` (ask for a new plan now) and
//! `GET /api/goals/{id}/plan` (the newest plan with its diff from the one before, 404 with none).

use super::dto::{ErrorBody, GoalPatchBody, GoalView, ReasonBody};
use super::extract::{Body, Id};
use crate::AppState;
use crate::auth::{Allowed, Operate, Read};
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use juggernaut_core::GoalId;

/// Changes some of an active or paused goal's fields (the rest are kept; the result is checked
/// like a new goal); the planner looks at the goal again.
#[utoipa::path(patch, path = "/api/goals/{id}", tag = "goals", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Goal id")),
    request_body = GoalPatchBody,
    responses((status = 200, body = GoalView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn edit(
    Allowed(caller, _): Allowed<Operate>,
    State(s): State<AppState>,
    Id(id): Id,
    Body(body): Body<GoalPatchBody>,
) -> Result<Json<GoalView>, ApiError> {
    let goal = s
        .app
        .edit_goal(GoalId(id), body.into(), &caller.actor())
        .await?;
    Ok(Json(goal.into()))
}

/// Asks for a new plan: the planner plans the active goal again on its next pass, once its
/// open tasks have ended (202: accepted, not yet done).
#[utoipa::path(post, path = "/api/goals/{id}/plan", tag = "goals", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Goal id")),
    request_body(content = Option<ReasonBody>, description = "Why (optional)"),
    responses((status = 202, body = GoalView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn replan(
    Allowed(caller, _): Allowed<Operate>,
    State(s): State<AppState>,
    Id(id): Id,
    Body(body): Body<ReasonBody>,
) -> Result<(StatusCode, Json<GoalView>), ApiError> {
    let goal = s
        .app
        .plan_goal(GoalId(id), &caller.actor(), &body.reason)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(goal.into())))
}

/// The goal's newest plan (`plan`: version, graph, who made it, its task ids) and `diff`, what
/// changed since the version before (null for the first).
#[utoipa::path(get, path = "/api/goals/{id}/plan", tag = "goals", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Goal id")),
    responses((status = 200, body = Object), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn show(
    _: Allowed<Read>,
    State(s): State<AppState>,
    Id(id): Id,
) -> Result<Json<juggernaut_app::PlanView>, ApiError> {
    let id = GoalId(id);
    match s.app.current_plan(id).await? {
        Some(view) => Ok(Json(view)),
        None => Err(ApiError::not_found(format!("goal {id} has no plan yet"))),
    }
}
