//! `GET /api/status`: the engine at a glance, as `juggernaut status --json` shows it (leader,
//! workers, task counts by status, today's spend).

use super::dto::{ErrorBody, StatusView};
use super::extract::Pairs;
use crate::AppState;
use crate::auth::{Allowed, Read};
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;

/// The engine at a glance.
#[utoipa::path(get, path = "/api/status", tag = "engine", security(("bearer" = [])),
    responses((status = 200, body = StatusView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn show(
    _: Allowed<Read>,
    State(s): State<AppState>,
    q: Pairs,
) -> Result<Json<StatusView>, ApiError> {
    q.only(&[])?;
    Ok(Json(s.app.status().await?.into()))
}
