//! The web dashboard: static files from `assets/` compiled into the binary (`include_bytes!`,
//! no build step, nothing fetched from anywhere but this listener), served at `/` (the page)
//! and `/assets/NAME` with their content types. The files' names carry no hash, so every
//! response says `Cache-Control: no-cache` with a strong `ETag` (a hash of the bytes): browsers
//! revalidate and get `304 Not Modified` until a new binary changes the file. Every response
//! carries a Content-Security-Policy that allows only this origin (scripts, styles, images,
//! `fetch`), no inline script, no framing of the page, and one inline style: the executive
//! report's, by its hash, for the Reports view's sandboxed frame. The page talks to `/api` with
//! the token a person signs in with; the server gives the page nothing it would not give anyone.

use crate::error::ApiError;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// One embedded file.
#[derive(Debug, Clone, Copy)]
pub struct Asset {
    /// Its path under `/assets/` (`index.html` is also served at `/`).
    pub name: &'static str,
    /// Its `Content-Type`.
    pub content_type: &'static str,
    /// Its bytes.
    pub bytes: &'static [u8],
}

const JS: &str = "text/javascript; charset=utf-8";

macro_rules! asset {
    ($name:literal, $type:expr) => {
        Asset {
            name: $name,
            content_type: $type,
            bytes: include_bytes!(concat!("../assets/", $name)),
        }
    };
}

/// Every embedded file.
pub const ASSETS: &[Asset] = &[
    asset!("index.html", "text/html; charset=utf-8"),
    asset!("app.css", "text/css; charset=utf-8"),
    asset!("favicon.svg", "image/svg+xml"),
    asset!("app.js", JS),
    asset!("api.js", JS),
    asset!("dom.js", JS),
    asset!("charts.js", JS),
    asset!("views/overview.js", JS),
    asset!("views/goal.js", JS),
    asset!("views/task.js", JS),
    asset!("views/approvals.js", JS),
    asset!("views/lists.js", JS),
    asset!("views/target.js", JS),
    asset!("views/goal_edit.js", JS),
    asset!("views/experiments.js", JS),
    asset!("views/learnings.js", JS),
    asset!("views/reports.js", JS),
];

/// The SHA-256 (base64) of the one `<style>` block of an executive report's HTML page. The
/// Reports view shows a report in a sandboxed `srcdoc` frame, which keeps this page's policy:
/// naming the block's hash lets that block (and no other inline style) apply there. A test
/// makes a report and checks that the served policy names its block's hash.
macro_rules! report_style_sha256 {
    () => {
        "Vew3vkkEzOW5qmZ9A1C5Le+8C4/NsbX1Gyvr80vMh1I="
    };
}

/// What every dashboard response allows the page to load: this origin only (and, for the
/// report frame, the report's own style block by its hash).
const CSP: &str = concat!(
    "default-src 'none'; script-src 'self'; style-src 'self' 'sha256-",
    report_style_sha256!(),
    "'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; \
     frame-ancestors 'none'"
);

/// `GET /`: the page.
pub async fn index(headers: HeaderMap) -> Response {
    serve("index.html", &headers)
}

/// `GET /assets/{*path}`: one embedded file, or a JSON 404.
pub async fn asset(Path(path): Path<String>, headers: HeaderMap) -> Response {
    serve(&path, &headers)
}

fn serve(name: &str, headers: &HeaderMap) -> Response {
    let Some(a) = ASSETS.iter().find(|a| a.name == name) else {
        return ApiError::not_found(format!("no dashboard asset `{name}`")).into_response();
    };
    let etag = format!("\"{:016x}\"", fnv1a(a.bytes));
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let status = if fresh {
        StatusCode::NOT_MODIFIED
    } else {
        StatusCode::OK
    };
    let mut response = if fresh {
        status.into_response()
    } else {
        (status, a.bytes).into_response()
    };
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(a.content_type),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// FNV-1a, 64 bits: enough to tell two versions of a file apart.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
