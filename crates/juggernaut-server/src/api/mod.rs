//! The HTTP API under `/api`: every route takes a [`Caller`](crate::auth::Caller) (401 without a
//! valid token) and checks its permission first (403), then reads its input (400 when
//! malformed), then calls the application layer, whose refusals keep their meaning (404 for an
//! unknown task, 409 for one in the wrong state).

mod approvals;
mod tokens;

use crate::AppState;
use crate::error::ApiError;
use axum::Router;
use axum::routing::{get, post};

/// The `/api` routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/approvals", get(approvals::list))
        .route("/api/approvals/{id}/approve", post(approvals::approve))
        .route("/api/approvals/{id}/reject", post(approvals::reject))
        .route("/api/tokens/whoami", get(tokens::whoami))
}

/// A task id from a path: a positive integer.
pub(crate) fn task_id(text: &str) -> Result<juggernaut_core::TaskId, ApiError> {
    text.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .map(juggernaut_core::TaskId)
        .ok_or_else(|| {
            ApiError::bad_request(format!("invalid task id `{text}`: use a positive integer"))
        })
}

/// A JSON 404 for any path no route has.
pub async fn no_route() -> ApiError {
    ApiError::not_found("no such path (the API is under /api)")
}

/// A JSON 405 for a path that does not take the method.
pub async fn wrong_method() -> ApiError {
    ApiError::method_not_allowed()
}
