//! Escalations: `GET /api/escalations` (open ones, or every one with `?all=true`; keyset pages
//! newest first) and `POST /api/escalations/{id}/ack` (body `{"note": "..."}`, optional; 404 for
//! an unknown id, 409 for one acknowledged before).

use super::dto::{ErrorBody, EscalationPageView, EscalationView};
use super::extract::{Body, Id, Pairs};
use crate::AppState;
use crate::auth::{Allowed, Operate, Read};
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;
use juggernaut_core::EscalationId;
use serde::Deserialize;
use utoipa::ToSchema;

/// One page of escalations, newest first.
#[utoipa::path(get, path = "/api/escalations", tag = "escalations", security(("bearer" = [])),
    params(
        ("all" = Option<bool>, Query, description = "Acknowledged ones too (default false)"),
        ("cursor" = Option<i64>, Query, description = "The previous page's `next_cursor`"),
        ("limit" = Option<u32>, Query, description = "Page size, 1-1000 (default 50)"),
    ),
    responses((status = 200, body = EscalationPageView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    _: Allowed<Read>,
    State(s): State<AppState>,
    q: Pairs,
) -> Result<Json<EscalationPageView>, ApiError> {
    q.only(&["all", "cursor", "limit"])?;
    let all = q.flag("all")?;
    let cursor = q.id("cursor")?.map(EscalationId);
    let limit = q.limit(super::tasks::DEFAULT_LIMIT, super::tasks::MAX_LIMIT)?;
    Ok(Json(s.app.escalations(all, cursor, limit).await?.into()))
}

/// An acknowledgement's body.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AckBody {
    /// What was done about it (optional).
    #[serde(default)]
    pub note: String,
}

/// Acknowledges an open escalation as `token:NAME`.
#[utoipa::path(post, path = "/api/escalations/{id}/ack", tag = "escalations",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Escalation id")),
    request_body(content = Option<AckBody>, description = "A note (optional)"),
    responses((status = 200, body = EscalationView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn ack(
    Allowed(caller, _): Allowed<Operate>,
    State(s): State<AppState>,
    Id(id): Id,
    Body(body): Body<AckBody>,
) -> Result<Json<EscalationView>, ApiError> {
    let acked = s
        .app
        .ack_escalation(EscalationId(id), &caller.actor(), &body.note)
        .await?;
    Ok(Json(acked.into()))
}
