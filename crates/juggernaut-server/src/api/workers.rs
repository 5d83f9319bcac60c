//! `GET /api/workers`: every registered worker with its state, leases and idle reasons (the
//! registry is one row per live process, so it is read whole).

use super::dto::{ErrorBody, WorkerView};
use super::extract::Pairs;
use crate::AppState;
use crate::auth::{Allowed, Read};
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;

/// Every registered worker.
#[utoipa::path(get, path = "/api/workers", tag = "engine", security(("bearer" = [])),
    responses((status = 200, body = Vec<WorkerView>), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    _: Allowed<Read>,
    State(s): State<AppState>,
    q: Pairs,
) -> Result<Json<Vec<WorkerView>>, ApiError> {
    q.only(&[])?;
    let workers = s.app.workers().await?;
    Ok(Json(workers.into_iter().map(Into::into).collect()))
}
