//! `GET /api/schedules`: every cron schedule (one row per name, read whole), and the rows that
//! cannot fire with why.

use super::dto::{ErrorBody, ScheduleListView};
use super::extract::Pairs;
use crate::AppState;
use crate::auth::{Allowed, Read};
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;

/// Every schedule.
#[utoipa::path(get, path = "/api/schedules", tag = "engine", security(("bearer" = [])),
    responses((status = 200, body = ScheduleListView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    _: Allowed<Read>,
    State(s): State<AppState>,
    q: Pairs,
) -> Result<Json<ScheduleListView>, ApiError> {
    q.only(&[])?;
    Ok(Json(s.app.schedules().await?.into()))
}
