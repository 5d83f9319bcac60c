//! `/metrics`: sets the scrape-time gauges (queue counts, leadership, idle codes) and renders the
//! engine's metrics registry (prometheus-client, OpenMetrics text).

use crate::AppState;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use juggernaut_store::leadership::ENGINE;

/// The exposition's content type.
const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Renders every series.
pub async fn render(State(s): State<AppState>) -> impl IntoResponse {
    let counts = match s.store.count_by_status().await {
        Ok(c) => c,
        Err(e) => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::CONTENT_TYPE, "text/plain")],
                format!("store unavailable: {e}\n"),
            );
        }
    };
    let leading = matches!(s.store.leader(ENGINE).await, Ok(Some(l)) if l.holder == s.worker);
    let metrics = s.events.metrics();
    metrics.set_state(&counts, leading, &s.idle.snapshot());
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, OPENMETRICS)],
        metrics.render(),
    )
}
