//! JSON over HTTP from a server on loopback: numbers and numeric strings at a pointer; a missing
//! value, a non-number, an error status, a redirect, a body too large and a slow answer are each
//! refused with the reason, and the URL's credentials never show.

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use juggernaut_core::goal::MetricSource;
use juggernaut_sources::{SourceError, Sources};
use std::collections::BTreeMap;
use std::time::Duration;

async fn server() -> String {
    let app = Router::new()
        .route(
            "/stats",
            get(|| async {
                axum::Json(serde_json::json!({
                    "data": {"total": 123.5, "count": 4, "text": " 42 ", "word": "many", "none": null},
                    "list": [1, 2, 3]
                }))
            }),
        )
        .route(
            "/moved",
            get(|| async { (StatusCode::FOUND, [(header::LOCATION, "/stats")]) }),
        )
        .route(
            "/broken",
            get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "down").into_response() }),
        )
        .route("/html", get(|| async { "<html>not json</html>" }))
        .route(
            "/huge",
            get(|| async { format!("[{}0]", "0,".repeat(600_000)) }),
        )
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(10)).await;
                "1"
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn at(url: &str, pointer: &str) -> MetricSource {
    MetricSource::HttpJson {
        url: url.into(),
        pointer: pointer.into(),
    }
}

fn sources() -> Sources {
    Sources::new(BTreeMap::new())
        .unwrap()
        .with_timeout(Duration::from_millis(500))
}

async fn refused(s: &Sources, url: &str, pointer: &str) -> String {
    match s.read(&at(url, pointer)).await {
        Err(e @ SourceError::Http { .. }) => e.to_string(),
        other => panic!("{url} {pointer}: expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn numbers_at_pointers_are_read() {
    let base = server().await;
    let s = sources();
    let stats = format!("{base}/stats");
    assert_eq!(s.read(&at(&stats, "/data/total")).await, Ok(123.5));
    assert_eq!(s.read(&at(&stats, "/data/count")).await, Ok(4.0));
    assert_eq!(s.read(&at(&stats, "/data/text")).await, Ok(42.0));
    assert_eq!(s.read(&at(&stats, "/list/2")).await, Ok(3.0));
    let missing = refused(&s, &stats, "/data/revenue").await;
    assert!(missing.contains("nothing at `/data/revenue`"), "{missing}");
    assert!(
        refused(&s, &stats, "/data/word")
            .await
            .contains("`many` is not a number")
    );
    assert!(refused(&s, &stats, "/data/none").await.contains("null"));
    assert!(refused(&s, &stats, "/data").await.contains("an object"));
}

#[tokio::test]
async fn bad_answers_are_refused_with_their_reason() {
    let base = server().await;
    let s = sources();
    let moved = refused(&s, &format!("{base}/moved"), "/data/total").await;
    assert!(
        moved.contains("redirects are not followed") && moved.contains("/stats"),
        "{moved}"
    );
    let broken = refused(&s, &format!("{base}/broken"), "").await;
    assert!(broken.contains("500"), "{broken}");
    assert!(
        refused(&s, &format!("{base}/html"), "")
            .await
            .contains("not JSON")
    );
    let huge = refused(&s, &format!("{base}/huge"), "/0").await;
    assert!(huge.contains("larger than 1048576 bytes"), "{huge}");
    let started = std::time::Instant::now();
    let slow = refused(&s, &format!("{base}/slow"), "").await;
    assert!(started.elapsed() < Duration::from_secs(3), "{slow}");
    let closed = "http://127.0.0.1:1/stats";
    assert!(
        refused(&s, closed, "/x")
            .await
            .starts_with("GET http://127.0.0.1:1/stats: ")
    );
}

#[tokio::test]
async fn credentials_in_urls_never_show() {
    let base = server().await;
    let s = sources();
    let with_user = base.replace("http://", "http://bob:S3cr3tPW@");
    let why = refused(&s, &format!("{with_user}/broken?api_key=S3cr3tKEY"), "").await;
    assert!(
        why.contains("bob:***@") && why.contains("api_key=***"),
        "{why}"
    );
    assert!(
        !why.contains("S3cr3tPW") && !why.contains("S3cr3tKEY"),
        "{why}"
    );
}
