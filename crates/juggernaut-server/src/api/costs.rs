//! `GET /api/costs`: the cost ledger by goal, task and UTC day: what the matching lines add up
//! to (settled, reserved, calls, tokens) and the newest of them.

use super::dto::{CostsView, ErrorBody};
use super::extract::Pairs;
use crate::AppState;
use crate::auth::{Allowed, Read};
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use juggernaut_core::{GoalId, TaskId};
use juggernaut_store::CostFilter;

/// Spend and ledger lines.
#[utoipa::path(get, path = "/api/costs", tag = "costs", security(("bearer" = [])),
    params(
        ("goal" = Option<i64>, Query, description = "Charged to this goal"),
        ("task" = Option<i64>, Query, description = "Spent by this task"),
        ("day" = Option<String>, Query, description = "Counting against this UTC day (YYYY-MM-DD)"),
        ("limit" = Option<u32>, Query, description = "The newest lines shown, 1-1000 (default 50)"),
    ),
    responses((status = 200, body = CostsView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    _: Allowed<Read>,
    State(s): State<AppState>,
    q: Pairs,
) -> Result<Json<CostsView>, ApiError> {
    q.only(&["goal", "task", "day", "limit"])?;
    let day = q.parsed(
        "day",
        |t| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok(),
        "use YYYY-MM-DD",
    )?;
    let filter = CostFilter {
        goal_id: q.id("goal")?.map(GoalId),
        task_id: q.id("task")?.map(TaskId),
        day,
    };
    let limit = q.limit(super::tasks::DEFAULT_LIMIT, super::tasks::MAX_LIMIT)?;
    let (spend, lines) = s.app.costs(&filter, limit).await?;
    Ok(Json(CostsView {
        spend: spend.into(),
        lines: lines.into_iter().map(Into::into).collect(),
    }))
}
