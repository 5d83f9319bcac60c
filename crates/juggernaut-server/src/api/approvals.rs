//! `GET /api/approvals` (read: the tasks waiting for a person, newest first, one page),
//! `POST /api/approvals/{id}/approve` and `POST /api/approvals/{id}/reject` (approve: body
//! `{"reason": "..."}`, optional for approve, required for reject), decided through the
//! application layer as `token:NAME`.

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use juggernaut_core::{Permission, Task, TaskId};
use juggernaut_store::{Page, PageRequest};
use serde::Deserialize;
use std::collections::HashMap;

/// Largest page.
const MAX_LIMIT: u32 = 1000;

/// One page of the tasks waiting for approval: `?limit=1-1000` (default 50) and
/// `?cursor=ID` (the previous page's `next_cursor`).
pub async fn list(
    caller: Caller,
    State(s): State<AppState>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Json<Page<Task>>, ApiError> {
    caller.require(Permission::Read)?;
    let Query(query) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    if let Some(unknown) = query
        .keys()
        .find(|k| !["limit", "cursor"].contains(&k.as_str()))
    {
        return Err(ApiError::bad_request(format!(
            "unknown query parameter `{unknown}` (known: limit, cursor)"
        )));
    }
    let limit = match query.get("limit") {
        None => 50,
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                ApiError::bad_request(format!("invalid limit `{text}`: use 1 to {MAX_LIMIT}"))
            })?,
    };
    let before = query.get("cursor").map(|c| super::task_id(c)).transpose()?;
    let page = s.app.approvals(PageRequest { before, limit }).await?;
    Ok(Json(page))
}

/// A decision's body.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionBody {
    /// Why, for the audit log.
    #[serde(default)]
    reason: String,
}

/// Reads the id and the body (an empty body is no reason).
fn decision(
    id: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(TaskId, String), ApiError> {
    let Path(id) = id.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let id = super::task_id(&id)?;
    let body = body.map_err(|e| ApiError::bad_request(e.body_text()))?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok((id, String::new()));
    }
    let parsed: DecisionBody = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(format!(
            "the body must be a JSON object like {{\"reason\": \"...\"}}: {e}"
        ))
    })?;
    Ok((id, parsed.reason))
}

/// Approves a task waiting for approval: it goes back to the queue.
pub async fn approve(
    caller: Caller,
    State(s): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Task>, ApiError> {
    caller.require(Permission::Approve)?;
    let (id, reason) = decision(id, body)?;
    Ok(Json(s.app.approve(id, &caller.actor(), &reason).await?))
}

/// Rejects a task waiting for approval: it is cancelled. The reason is required.
pub async fn reject(
    caller: Caller,
    State(s): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Task>, ApiError> {
    caller.require(Permission::Approve)?;
    let (id, reason) = decision(id, body)?;
    Ok(Json(s.app.reject(id, &caller.actor(), &reason).await?))
}
