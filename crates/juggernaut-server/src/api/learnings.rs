//! Learnings: `GET /api/learnings` (filters `kind`, `outcome`, `tag`, `all`; keyset pages newest
//! first with `before` and `limit`), `GET /api/learnings/{id}`, `PATCH /api/learnings/{id}`
//! (summary and/or tags; kept by later captures) and `POST /api/learnings/{id}/retire` (body
//! `{"retired": false}` brings it back). Viewers read; operators change, recorded as
//! `token:NAME`. An unknown id is 404.

use super::dto::{ErrorBody, LearningEditBody, LearningPageView, LearningView};
use super::extract::{Body, Id, Pairs};
use crate::AppState;
use crate::auth::{Allowed, Operate, Read};
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;
use juggernaut_app::LearningQuery;
use juggernaut_core::learning::LearningId;
use serde::Deserialize;
use utoipa::ToSchema;

/// One page of learnings, newest first.
#[utoipa::path(get, path = "/api/learnings", tag = "learnings", security(("bearer" = [])),
    params(
        ("kind" = Option<String>, Query, description = "Only this task kind"),
        ("outcome" = Option<String>, Query,
            description = "Only this outcome: succeeded, failed, dead or cancelled"),
        ("tag" = Option<String>, Query, description = "Only learnings with this tag"),
        ("all" = Option<bool>, Query, description = "Retired ones too (default false)"),
        ("before" = Option<i64>, Query, description = "The previous page's `next_cursor`"),
        ("limit" = Option<u32>, Query, description = "Page size, 1-1000 (default 50)"),
    ),
    responses((status = 200, body = LearningPageView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    _: Allowed<Read>,
    State(s): State<AppState>,
    q: Pairs,
) -> Result<Json<LearningPageView>, ApiError> {
    q.only(&["kind", "outcome", "tag", "all", "before", "limit"])?;
    let query = LearningQuery {
        kind: q.one("kind")?.map(str::to_owned),
        outcome: q.one("outcome")?.map(str::to_owned),
        tag: q.one("tag")?.map(str::to_owned),
        all: q.flag("all")?,
        before: q.id("before")?.map(LearningId),
        limit: q.limit(super::tasks::DEFAULT_LIMIT, super::tasks::MAX_LIMIT)?,
    };
    Ok(Json(s.app.learnings(query).await?.into()))
}

/// One learning.
#[utoipa::path(get, path = "/api/learnings/{id}", tag = "learnings", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Learning id")),
    responses((status = 200, body = LearningView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn show(
    _: Allowed<Read>,
    State(s): State<AppState>,
    Id(id): Id,
) -> Result<Json<LearningView>, ApiError> {
    Ok(Json(s.app.learning(LearningId(id)).await?.into()))
}

/// Edits a learning's summary and/or tags as `token:NAME`.
#[utoipa::path(patch, path = "/api/learnings/{id}", tag = "learnings",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Learning id")),
    request_body = LearningEditBody,
    responses((status = 200, body = LearningView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn edit(
    Allowed(caller, _): Allowed<Operate>,
    State(s): State<AppState>,
    Id(id): Id,
    Body(body): Body<LearningEditBody>,
) -> Result<Json<LearningView>, ApiError> {
    let l = s
        .app
        .edit_learning(LearningId(id), body.into(), &caller.actor())
        .await?;
    Ok(Json(l.into()))
}

/// A retirement's body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetireBody {
    /// `false` brings a retired learning back (default `true`).
    #[serde(default = "yes")]
    pub retired: bool,
}

fn yes() -> bool {
    true
}

/// Retires a learning (no prompt shows it again) or brings it back, as `token:NAME`.
#[utoipa::path(post, path = "/api/learnings/{id}/retire", tag = "learnings",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Learning id")),
    request_body(content = Option<RetireBody>, description = "`{\"retired\": false}` to undo"),
    responses((status = 200, body = LearningView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn retire(
    Allowed(caller, _): Allowed<Operate>,
    State(s): State<AppState>,
    Id(id): Id,
    Body(body): Body<RetireBody>,
) -> Result<Json<LearningView>, ApiError> {
    let l = s
        .app
        .retire_learning(LearningId(id), body.retired, &caller.actor())
        .await?;
    Ok(Json(l.into()))
}
