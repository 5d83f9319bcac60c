//! The OpenAPI 3.1 document of the API, made by utoipa from the handlers' `#[utoipa::path]`
//! annotations and the `dto` schemas, served publicly at `GET /api/openapi.json`. Every call but
//! this one needs `Authorization: Bearer <token>` (the `bearer` security scheme).

use super::{
    approvals, audit, costs, dead_letters, dto, escalations, events, experiments, goal_plan, goals,
    learnings, reports, schedules, status, tasks, tokens, workers,
};
use axum::Json;
use std::sync::LazyLock;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Juggernaut API",
        description = "Goals, tasks, approvals, dead letters, escalations, workers, schedules, \
                       costs, reports and the audit log of a Juggernaut engine. Every call but this \
                       document needs `Authorization: Bearer <token>` from `juggernaut token \
                       create`; its role decides what it may do (viewer reads; approver also \
                       approves; operator also changes the work; admin all). Errors are \
                       `{\"error\": {\"code\", \"message\"}}` with a stable code. Lists are \
                       keyset pages, newest first: pass `next_cursor` back as `cursor`."
    ),
    paths(
        serve,
        tasks::list, tasks::enqueue, tasks::show, tasks::retry, tasks::cancel,
        dead_letters::list, dead_letters::requeue,
        goals::list, goals::add, goals::show, goals::progress, goals::pause, goals::resume,
        goals::cancel, goal_plan::edit, goal_plan::show, goal_plan::replan,
        approvals::list, approvals::approve, approvals::reject,
        escalations::list, escalations::ack,
        learnings::list, learnings::show, learnings::edit, learnings::retire,
        experiments::list, experiments::add, experiments::show, experiments::stop,
        reports::list, reports::make, reports::show, reports::html,
        workers::list, schedules::list, costs::list, audit::list, status::show,
        tokens::whoami,
        events::stream,
    ),
    components(schemas(dto::ErrorBody, dto::ErrorDetail)),
    modifiers(&Bearer),
)]
pub struct ApiDoc;

/// Adds the `bearer` security scheme.
struct Bearer;

impl Modify for Bearer {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let scheme =
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build());
        doc.components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", scheme);
    }
}

/// The document as JSON, made once.
static DOCUMENT: LazyLock<serde_json::Value> =
    LazyLock::new(|| serde_json::to_value(ApiDoc::openapi()).unwrap_or_default());

/// The OpenAPI 3.1 document (public).
#[utoipa::path(get, path = "/api/openapi.json", tag = "meta",
    responses((status = 200, description = "This document", content_type = "application/json",
        body = Object)))]
pub async fn serve() -> Json<serde_json::Value> {
    Json(DOCUMENT.clone())
}
