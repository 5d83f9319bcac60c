//! The HTTP API under `/api`: every route but `GET /api/openapi.json` takes an authenticated
//! caller whose role allows the call (`auth::Allowed`: 401 without a valid token, 403 for the
//! wrong role) before it reads its input (`extract`: 400 JSON for a malformed body, query or
//! path), then calls the application layer, whose refusals keep their meaning (404 unknown, 409
//! wrong state). One resource per file; the bodies are in `dto`; `openapi` is the OpenAPI 3.1
//! document, made from the handlers' annotations. Every route is one line of [`table`], which
//! the tests compare with the document, so a route without documentation fails them.

mod approvals;
mod audit;
mod costs;
mod dead_letters;
mod dto;
mod escalations;
mod events;
mod experiments;
mod extract;
mod goal_plan;
mod goals;
mod learnings;
pub mod openapi;
mod reports;
mod schedules;
mod status;
mod tasks;
mod tokens;
mod workers;

use crate::AppState;
use crate::error::ApiError;
use axum::Router;
use axum::http::Method;
use axum::routing::{MethodRouter, get, patch, post};

/// Every `/api` route: method, path (as the OpenAPI document spells it) and handler.
pub fn table() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/api/openapi.json", get(openapi::serve)),
        (Method::GET, "/api/tasks", get(tasks::list)),
        (Method::POST, "/api/tasks", post(tasks::enqueue)),
        (Method::GET, "/api/tasks/{id}", get(tasks::show)),
        (Method::POST, "/api/tasks/{id}/retry", post(tasks::retry)),
        (Method::POST, "/api/tasks/{id}/cancel", post(tasks::cancel)),
        (Method::GET, "/api/dead-letters", get(dead_letters::list)),
        (
            Method::POST,
            "/api/dead-letters/{id}/requeue",
            post(dead_letters::requeue),
        ),
        (Method::GET, "/api/goals", get(goals::list)),
        (Method::POST, "/api/goals", post(goals::add)),
        (Method::GET, "/api/goals/{id}", get(goals::show)),
        (Method::PATCH, "/api/goals/{id}", patch(goal_plan::edit)),
        (Method::GET, "/api/goals/{id}/plan", get(goal_plan::show)),
        (
            Method::POST,
            "/api/goals/{id}/plan",
            post(goal_plan::replan),
        ),
        (
            Method::GET,
            "/api/goals/{id}/progress",
            get(goals::progress),
        ),
        (Method::POST, "/api/goals/{id}/pause", post(goals::pause)),
        (Method::POST, "/api/goals/{id}/resume", post(goals::resume)),
        (Method::POST, "/api/goals/{id}/cancel", post(goals::cancel)),
        (Method::GET, "/api/approvals", get(approvals::list)),
        (
            Method::POST,
            "/api/approvals/{id}/approve",
            post(approvals::approve),
        ),
        (
            Method::POST,
            "/api/approvals/{id}/reject",
            post(approvals::reject),
        ),
        (Method::GET, "/api/escalations", get(escalations::list)),
        (
            Method::POST,
            "/api/escalations/{id}/ack",
            post(escalations::ack),
        ),
        (Method::GET, "/api/learnings", get(learnings::list)),
        (Method::GET, "/api/learnings/{id}", get(learnings::show)),
        (Method::PATCH, "/api/learnings/{id}", patch(learnings::edit)),
        (
            Method::POST,
            "/api/learnings/{id}/retire",
            post(learnings::retire),
        ),
        (Method::GET, "/api/experiments", get(experiments::list)),
        (Method::POST, "/api/experiments", post(experiments::add)),
        (Method::GET, "/api/experiments/{id}", get(experiments::show)),
        (
            Method::POST,
            "/api/experiments/{id}/stop",
            post(experiments::stop),
        ),
        (Method::GET, "/api/reports", get(reports::list)),
        (Method::POST, "/api/reports", post(reports::make)),
        (Method::GET, "/api/reports/{id}", get(reports::show)),
        (Method::GET, "/api/reports/{id}/html", get(reports::html)),
        (Method::GET, "/api/workers", get(workers::list)),
        (Method::GET, "/api/schedules", get(schedules::list)),
        (Method::GET, "/api/costs", get(costs::list)),
        (Method::GET, "/api/audit", get(audit::list)),
        (Method::GET, "/api/status", get(status::show)),
        (Method::GET, "/api/tokens/whoami", get(tokens::whoami)),
        (Method::GET, "/api/events", get(events::stream)),
    ]
}

/// The `/api` routes: [`table`], each path's methods merged.
pub fn routes() -> Router<AppState> {
    table()
        .into_iter()
        .fold(Router::new(), |router, (_, path, handler)| {
            router.route(path, handler)
        })
}

/// A JSON 404 for any path no route has.
pub async fn no_route() -> ApiError {
    ApiError::not_found("no such path (the API is under /api; /api/openapi.json lists it)")
}

/// A JSON 405 for a path that does not take the method.
pub async fn wrong_method() -> ApiError {
    ApiError::method_not_allowed()
}
