//! `web_search`: SearXNG's and Brave's answers from local fakes, and provider failures.

use crate::support::{Recorder, abort, ctx, serve};
use axum::Router;
use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use juggernaut_core::Evidence;
use juggernaut_tools::Tool;
use juggernaut_tools_net::{Provider, SearchConfig, WebSearch};
use serde_json::json;
use std::collections::HashMap;

fn config(provider: Provider, url: String, api_key: Option<&str>) -> SearchConfig {
    SearchConfig {
        provider,
        url: Some(url),
        api_key: api_key.map(str::to_owned),
        timeout_secs: 5,
        max_results: 10,
    }
}

#[tokio::test]
async fn searxng_results_are_read() {
    let seen = Recorder::default();
    let s = seen.clone();
    let app = Router::new().route(
        "/searx/search",
        get(move |Query(q): Query<HashMap<String, String>>| async move {
            s.push(format!("{}|{}", q["q"], q["format"]));
            axum::Json(json!({
                "query": q["q"],
                "results": [
                    {"title": "Rust", "url": "https://www.rust-lang.org/", "content": "A language"},
                    {"title": "No URL", "content": "dropped"},
                    {"title": "Book", "url": "https://doc.rust-lang.org/book/", "content": "Learn"}
                ]
            }))
        }),
    );
    let addr = serve(app).await;
    let t = WebSearch::new(&config(
        Provider::Searxng,
        format!("http://127.0.0.1:{}/searx/", addr.port()),
        None,
    ))
    .unwrap();
    let out = t.call(&ctx(), json!({"query": "rust lang"})).await.unwrap();
    assert_eq!(seen.all(), vec!["rust lang|json"]);
    assert_eq!(out.content["query"], "rust lang");
    assert_eq!(
        out.content["results"],
        json!([
            {"title": "Rust", "url": "https://www.rust-lang.org/", "snippet": "A language"},
            {"title": "Book", "url": "https://doc.rust-lang.org/book/", "snippet": "Learn"}
        ])
    );
    let out = t
        .call(&ctx(), json!({"query": "rust", "count": 1}))
        .await
        .unwrap();
    assert_eq!(out.content["results"].as_array().unwrap().len(), 1);
    assert!(
        matches!(&out.evidence[0], Evidence::HttpResponse { status: 200, url } if url.contains("format=json"))
    );
}

#[tokio::test]
async fn brave_results_are_read_with_the_key_in_a_header() {
    let app = Router::new().route(
        "/res/v1/web/search",
        get(
            |headers: HeaderMap, Query(q): Query<HashMap<String, String>>| async move {
                if headers
                    .get("x-subscription-token")
                    .and_then(|v| v.to_str().ok())
                    != Some("KEY-123456")
                {
                    return (
                        StatusCode::UNAUTHORIZED,
                        axum::Json(json!({"error": "bad token"})),
                    );
                }
                (
                    StatusCode::OK,
                    axum::Json(json!({
                        "query": {"original": q["q"]},
                        "web": {"results": [{
                            "title": "The <strong>Rust</strong> Book",
                            "url": "https://doc.rust-lang.org/book/",
                            "description": "Learn <strong>Rust</strong> &amp; more"
                        }]}
                    })),
                )
            },
        ),
    );
    let addr = serve(app).await;
    let base = format!("http://127.0.0.1:{}", addr.port());
    let t = WebSearch::new(&config(Provider::Brave, base.clone(), Some("KEY-123456"))).unwrap();
    let out = t.call(&ctx(), json!({"query": "rust book"})).await.unwrap();
    assert_eq!(
        out.content["results"],
        json!([{"title": "The Rust Book", "url": "https://doc.rust-lang.org/book/", "snippet": "Learn Rust & more"}])
    );
    assert!(!out.content.to_string().contains("KEY-123456"));
    let debug = format!(
        "{:?} {:?}",
        t,
        config(Provider::Brave, base.clone(), Some("KEY-123456"))
    );
    assert!(!debug.contains("KEY-123456"), "{debug}");

    let wrong = WebSearch::new(&config(Provider::Brave, base, Some("WRONG-KEY-99"))).unwrap();
    let (msg, retryable) = abort(
        wrong
            .call(&ctx(), json!({"query": "rust"}))
            .await
            .unwrap_err(),
    );
    assert!(!retryable);
    assert!(msg.contains("tools.search.api_key"), "{msg}");
    assert!(!msg.contains("WRONG-KEY-99"), "{msg}");
    assert!(WebSearch::new(&config(Provider::Brave, "http://127.0.0.1:1".into(), None)).is_err());
}

#[tokio::test]
async fn rate_limits_and_server_errors_are_retryable() {
    let app = Router::new()
        .route(
            "/limited/search",
            get(|| async { (StatusCode::TOO_MANY_REQUESTS, "slow down") }),
        )
        .route("/broken/search", get(|| async { StatusCode::BAD_GATEWAY }))
        .route(
            "/odd/search",
            get(|| async { (StatusCode::BAD_REQUEST, "bad query") }),
        );
    let addr = serve(app).await;
    let make = |path: &str| {
        WebSearch::new(&config(
            Provider::Searxng,
            format!("http://127.0.0.1:{}/{path}", addr.port()),
            None,
        ))
        .unwrap()
    };
    for path in ["limited", "broken"] {
        let (msg, retryable) = abort(
            make(path)
                .call(&ctx(), json!({"query": "q"}))
                .await
                .unwrap_err(),
        );
        assert!(retryable, "{path}: {msg}");
    }
    let e = make("odd")
        .call(&ctx(), json!({"query": "q"}))
        .await
        .unwrap_err();
    assert!(crate::support::model_msg(e).contains("bad query"));
}
