//! `http_request`: allowlist, methods and bodies, redirects, the size cap, the time limit.

use crate::support::{Recorder, ctx, model_msg, serve};
use axum::Router;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{any, get};
use juggernaut_core::Evidence;
use juggernaut_tools::Tool;
use juggernaut_tools_net::{HttpConfig, HttpRequest};
use serde_json::json;
use std::time::{Duration, Instant};

fn tool(allow: &[String], f: impl FnOnce(&mut HttpConfig)) -> HttpRequest {
    let mut c = HttpConfig {
        allow_hosts: allow.to_vec(),
        ..HttpConfig::default()
    };
    f(&mut c);
    HttpRequest::new(&c).unwrap()
}

async fn echo(method: Method, headers: HeaderMap, body: String) -> impl IntoResponse {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    axum::Json(json!({"method": method.as_str(), "content_type": ct, "body": body}))
}

#[tokio::test]
async fn hosts_outside_the_allowlist_and_other_schemes_are_refused() {
    let hits = Recorder::default();
    let h = hits.clone();
    let addr = serve(Router::new().route("/", get(move || async move { h.push("hit") }))).await;
    let t = tool(&[format!("127.0.0.1:{}", addr.port())], |_| {});
    let e = t
        .call(
            &ctx(),
            json!({"method": "GET", "url": format!("http://localhost:{}/", addr.port())}),
        )
        .await
        .unwrap_err();
    let msg = model_msg(e);
    assert!(msg.contains(&format!("localhost:{}", addr.port())), "{msg}");
    assert!(msg.contains("tools.http.allow_hosts"), "{msg}");
    let e = t
        .call(&ctx(), json!({"method": "GET", "url": "ftp://127.0.0.1/x"}))
        .await
        .unwrap_err();
    assert!(model_msg(e).contains("`ftp`"));
    let e = t.call(&ctx(), json!({"method": "GET"})).await.unwrap_err();
    assert!(model_msg(e).contains("url"));
    assert!(hits.all().is_empty());
}

#[tokio::test]
async fn methods_bodies_and_non_2xx_answers() {
    let app = Router::new().route("/echo", any(echo)).route(
        "/missing",
        get(|| async { (StatusCode::NOT_FOUND, "no such thing") }),
    );
    let addr = serve(app).await;
    let t = tool(&[format!("127.0.0.1:{}", addr.port())], |_| {});
    let url = format!("http://127.0.0.1:{}/echo", addr.port());
    let out = t
        .call(
            &ctx(),
            json!({"method": "POST", "url": url, "body": {"a": 1}}),
        )
        .await
        .unwrap();
    assert_eq!(out.content["status"], 200);
    assert_eq!(out.content["body"]["method"], "POST");
    assert_eq!(out.content["body"]["content_type"], "application/json");
    assert_eq!(out.content["body"]["body"], r#"{"a":1}"#);
    assert_eq!(out.content["truncated"], false);
    assert_eq!(
        out.evidence,
        vec![Evidence::HttpResponse {
            status: 200,
            url: url.clone()
        }]
    );
    let out = t
        .call(
            &ctx(),
            json!({"method": "PUT", "url": url, "body": "plain", "headers": {"Content-Type": "text/csv"}}),
        )
        .await
        .unwrap();
    assert_eq!(out.content["body"]["content_type"], "text/csv");
    assert_eq!(out.content["body"]["body"], "plain");
    let out = t
        .call(
            &ctx(),
            json!({"method": "GET", "url": format!("http://127.0.0.1:{}/missing", addr.port())}),
        )
        .await
        .unwrap();
    assert_eq!(out.content["status"], 404);
    assert_eq!(out.content["body"], "no such thing");
    assert!(matches!(
        out.evidence[0],
        Evidence::HttpResponse { status: 404, .. }
    ));
}

#[tokio::test]
async fn redirects_are_followed_only_to_allowed_hosts() {
    let outside_hits = Recorder::default();
    let o = outside_hits.clone();
    let outside = serve(Router::new().route(
        "/",
        get(move || async move {
            o.push("hit");
            "outside"
        }),
    ))
    .await;
    let away = format!("http://localhost:{}/", outside.port());
    let app = Router::new()
        .route(
            "/away",
            get(move || async move { (StatusCode::FOUND, [(header::LOCATION, away)]) }),
        )
        .route(
            "/here",
            any(|| async { (StatusCode::SEE_OTHER, [(header::LOCATION, "/echo")]) }),
        )
        .route("/echo", any(echo));
    let addr = serve(app).await;
    let t = tool(&[format!("127.0.0.1:{}", addr.port())], |_| {});
    let base = format!("http://127.0.0.1:{}", addr.port());
    let e = t
        .call(
            &ctx(),
            json!({"method": "GET", "url": format!("{base}/away")}),
        )
        .await
        .unwrap_err();
    let msg = model_msg(e);
    assert!(msg.contains("not followed"), "{msg}");
    assert!(
        msg.contains(&format!("localhost:{}", outside.port())),
        "{msg}"
    );
    assert!(
        outside_hits.all().is_empty(),
        "the outside host was reached"
    );
    let out = t
        .call(
            &ctx(),
            json!({"method": "POST", "url": format!("{base}/here"), "body": "x"}),
        )
        .await
        .unwrap();
    assert_eq!(out.content["redirects"], 1);
    assert_eq!(out.content["final_url"], format!("{base}/echo"));
    assert_eq!(
        out.content["body"]["method"], "GET",
        "303 turns a POST into a GET"
    );
    assert_eq!(out.content["body"]["body"], "");
}

#[tokio::test]
async fn bodies_past_the_cap_are_cut() {
    let big = "x".repeat(300_000);
    let addr = serve(Router::new().route("/big", get(move || async move { big }))).await;
    let t = tool(&[format!("127.0.0.1:{}", addr.port())], |c| {
        c.max_response_bytes = 1000
    });
    let out = t
        .call(
            &ctx(),
            json!({"method": "GET", "url": format!("http://127.0.0.1:{}/big", addr.port())}),
        )
        .await
        .unwrap();
    assert_eq!(out.content["truncated"], true);
    assert_eq!(out.content["bytes"], 1000);
    assert_eq!(out.content["body"].as_str().unwrap().len(), 1000);
}

#[tokio::test]
async fn a_slow_server_hits_the_time_limit() {
    let app = Router::new().route(
        "/slow",
        get(|| async {
            tokio::time::sleep(Duration::from_secs(10)).await;
            "late"
        }),
    );
    let addr = serve(app).await;
    let t = tool(&[format!("127.0.0.1:{}", addr.port())], |c| {
        c.timeout_secs = 1
    });
    let started = Instant::now();
    let e = t
        .call(
            &ctx(),
            json!({"method": "GET", "url": format!("http://127.0.0.1:{}/slow", addr.port())}),
        )
        .await
        .unwrap_err();
    let msg = model_msg(e);
    assert!(msg.contains("within 1 s"), "{msg}");
    assert!(started.elapsed() < Duration::from_secs(5));
}
