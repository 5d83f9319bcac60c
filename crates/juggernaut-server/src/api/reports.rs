//! Executive reports: `GET /api/reports` (keyset pages, newest first, without bodies), `GET
//! /api/reports/{id}` (metadata and Markdown), `GET /api/reports/{id}/html` (the page itself,
//! `text/html`, with a Content-Security-Policy that lets it load nothing) and `POST
//! /api/reports` (operator: make one now for a period and store it, as `token:NAME`).

use super::dto::{ErrorBody, NewReportBody, ReportDetailView, ReportPageView, ReportView};
use super::extract::{Body, Id, Pairs};
use crate::AppState;
use crate::auth::{Allowed, Operate, Read};
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use juggernaut_store::ReportId;

/// Most reports one page holds.
const MAX_LIMIT: u32 = 200;

/// What a stored report's page may load: nothing but its own inline styles and images.
const PAGE_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/// One page of stored reports, newest first.
#[utoipa::path(get, path = "/api/reports", tag = "reports", security(("bearer" = [])),
    params(
        ("cursor" = Option<i64>, Query, description = "The previous page's `next_cursor`"),
        ("limit" = Option<u32>, Query, description = "Page size, 1-200 (default 50)"),
    ),
    responses((status = 200, body = ReportPageView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    _: Allowed<Read>,
    State(s): State<AppState>,
    q: Pairs,
) -> Result<Json<ReportPageView>, ApiError> {
    q.only(&["cursor", "limit"])?;
    let cursor = q.id("cursor")?.map(ReportId);
    let limit = q.limit(super::tasks::DEFAULT_LIMIT, MAX_LIMIT)?;
    Ok(Json(s.app.reports(cursor, limit).await?.into()))
}

/// One stored report: its metadata and Markdown.
#[utoipa::path(get, path = "/api/reports/{id}", tag = "reports", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Report id")),
    responses((status = 200, body = ReportDetailView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn show(
    _: Allowed<Read>,
    State(s): State<AppState>,
    Id(id): Id,
) -> Result<Json<ReportDetailView>, ApiError> {
    Ok(Json(s.app.report(ReportId(id)).await?.into()))
}

/// One stored report as its self-contained HTML page (inline CSS and SVG charts, no scripts).
#[utoipa::path(get, path = "/api/reports/{id}/html", tag = "reports",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Report id")),
    responses((status = 200, description = "The report's HTML page", content_type = "text/html",
        body = String), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn html(
    _: Allowed<Read>,
    State(s): State<AppState>,
    Id(id): Id,
) -> Result<impl IntoResponse, ApiError> {
    let report = s.app.report(ReportId(id)).await?;
    let headers = [
        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        (header::CONTENT_SECURITY_POLICY, PAGE_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    ];
    Ok((headers, report.html))
}

/// Makes the executive report now for a period (default the last 7 days) and stores it.
#[utoipa::path(post, path = "/api/reports", tag = "reports", security(("bearer" = [])),
    request_body(content = Option<NewReportBody>, description = "The period and title (optional)"),
    responses((status = 201, body = ReportView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn make(
    Allowed(caller, _): Allowed<Operate>,
    State(s): State<AppState>,
    Body(body): Body<NewReportBody>,
) -> Result<(StatusCode, Json<ReportView>), ApiError> {
    let made = s.app.make_report(body.since, body.title).await?;
    let stored = s.app.store_report(&made, &caller.actor()).await?;
    Ok((StatusCode::CREATED, Json(stored.into())))
}
