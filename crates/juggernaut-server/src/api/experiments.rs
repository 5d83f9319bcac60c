//! Experiments: `GET /api/experiments` (keyset pages newest first, `?status=` one status),
//! `GET /api/experiments/{id}` (with its newest points and conclusion), `POST /api/experiments`
//! (starts one; 400 naming the field it refuses) and `POST /api/experiments/{id}/stop` (body
//! `{"reason"}`; 404 for an unknown id, 409 for one not running). Viewers read; operators change.

use super::dto::{
    ErrorBody, ExperimentDetailView, ExperimentPageView, ExperimentView, NewExperimentBody,
    ReasonBody,
};
use super::extract::{Body, Id, Pairs};
use crate::AppState;
use crate::auth::{Allowed, Operate, Read};
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use juggernaut_core::experiment::{ExperimentId, ExperimentStatus};

/// One page of experiments, newest first.
#[utoipa::path(get, path = "/api/experiments", tag = "experiments", security(("bearer" = [])),
    params(
        ("status" = Option<String>, Query, description = "Only `running`, `concluded` or `stopped`"),
        ("cursor" = Option<i64>, Query, description = "The previous page's `next_cursor`"),
        ("limit" = Option<u32>, Query, description = "Page size, 1-1000 (default 50)"),
    ),
    responses((status = 200, body = ExperimentPageView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    _: Allowed<Read>,
    State(s): State<AppState>,
    q: Pairs,
) -> Result<Json<ExperimentPageView>, ApiError> {
    q.only(&["status", "cursor", "limit"])?;
    let status = q.parsed(
        "status",
        |t| t.parse::<ExperimentStatus>().ok(),
        "use running, concluded or stopped",
    )?;
    let cursor = q.id("cursor")?.map(ExperimentId);
    let limit = q.limit(super::tasks::DEFAULT_LIMIT, super::tasks::MAX_LIMIT)?;
    Ok(Json(s.app.experiments(status, cursor, limit).await?.into()))
}

/// One experiment with its newest points and its conclusion.
#[utoipa::path(get, path = "/api/experiments/{id}", tag = "experiments",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Experiment id")),
    responses((status = 200, body = ExperimentDetailView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn show(
    _: Allowed<Read>,
    State(s): State<AppState>,
    Id(id): Id,
) -> Result<Json<ExperimentDetailView>, ApiError> {
    Ok(Json(s.app.experiment(ExperimentId(id)).await?.into()))
}

/// Starts an experiment as `token:NAME`; the leader runs its iterations.
#[utoipa::path(post, path = "/api/experiments", tag = "experiments", security(("bearer" = [])),
    request_body = NewExperimentBody,
    responses((status = 201, body = ExperimentView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn add(
    Allowed(caller, _): Allowed<Operate>,
    State(s): State<AppState>,
    Body(body): Body<NewExperimentBody>,
) -> Result<(StatusCode, Json<ExperimentView>), ApiError> {
    let added = s.app.add_experiment(body.into(), &caller.actor()).await?;
    Ok((StatusCode::CREATED, Json(added.into())))
}

/// Stops a running experiment as `token:NAME` (no conclusion, no follow-up tasks).
#[utoipa::path(post, path = "/api/experiments/{id}/stop", tag = "experiments",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Experiment id")),
    request_body = ReasonBody,
    responses((status = 200, body = ExperimentView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn stop(
    Allowed(caller, _): Allowed<Operate>,
    State(s): State<AppState>,
    Id(id): Id,
    Body(body): Body<ReasonBody>,
) -> Result<Json<ExperimentView>, ApiError> {
    let stopped = s
        .app
        .stop_experiment(ExperimentId(id), &body.reason, &caller.actor())
        .await?;
    Ok(Json(stopped.into()))
}
