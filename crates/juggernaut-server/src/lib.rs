//! The engine's HTTP listener: `/healthz` (the process answers), `/readyz` (the store answers),
//! and `/metrics` (the engine's metrics, fed by its events, with the queue counts by status,
//! leadership and each loop's idle code set at scrape time), all public, and the API under `/api`
//! (`api/`, described by the OpenAPI 3.1 document at `/api/openapi.json`), where every call
//! needs an API token (`auth`) whose role allows it; its errors are JSON (`error`). The web
//! dashboard (`dashboard`: files embedded in the binary) is served at `/` and `/assets/`; it
//! signs in with a token and reads everything through `/api`.

mod api;
mod auth;
mod dashboard;
mod error;
mod metrics;

pub use dashboard::{ASSETS as DASHBOARD_ASSETS, Asset};
pub use error::ApiError;

/// The `/api` routes served, as `(METHOD, path)` with paths spelled as in the OpenAPI document
/// (`/api/tasks/{id}`): what the tests compare with [`openapi`].
pub fn api_routes() -> Vec<(String, String)> {
    api::table()
        .into_iter()
        .map(|(method, path, _)| (method.to_string(), path.to_owned()))
        .collect()
}

/// The OpenAPI 3.1 document served at `/api/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    <api::openapi::ApiDoc as utoipa::OpenApi>::openapi()
}

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use juggernaut_app::App;
use juggernaut_core::WorkerId;
use juggernaut_engine::events::EventSink;
use juggernaut_engine::idle::IdleBoard;
use juggernaut_store::Store;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// What the handlers read.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub store: Arc<dyn Store>,
    /// The application layer over the same store: every `/api` operation.
    pub app: App,
    /// This process's worker id.
    pub worker: WorkerId,
    /// This process's idle reasons.
    pub idle: IdleBoard,
    /// This process's engine events.
    pub events: EventSink,
}

/// The routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::render))
        .route("/", get(dashboard::index))
        .route("/assets/{*path}", get(dashboard::asset))
        .merge(api::routes())
        .fallback(api::no_route)
        .method_not_allowed_fallback(api::wrong_method)
        .with_state(state)
}

async fn readyz(State(s): State<AppState>) -> impl IntoResponse {
    match s.store.now().await {
        Ok(_) => (StatusCode::OK, "ready\n".to_owned()),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("store unavailable: {e}\n"),
        ),
    }
}

/// Binds `addr`; the error names the address.
pub async fn bind(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| std::io::Error::new(e.kind(), format!("cannot listen on {addr}: {e}")))
}

/// Serves on `listener` until `shutdown`.
pub fn spawn(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    // Long-lived responses (the `/api/events` stream) end on `shutdown` too, so that the
    // graceful shutdown does not wait for their clients.
    let app = router(state).layer(axum::Extension(shutdown.clone()));
    tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move { shutdown.cancelled().await })
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "HTTP listener failed");
        }
    })
}
