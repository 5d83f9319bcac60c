//! `fetch_page`: HTML to text with the title, and no private address without `allow_private`.

use crate::support::{Recorder, ctx, model_msg, serve};
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::Html;
use axum::routing::get;
use juggernaut_core::Evidence;
use juggernaut_tools::Tool;
use juggernaut_tools_net::{FetchConfig, FetchPage};
use serde_json::json;

const PAGE: &str = "<!DOCTYPE html><html><head><title>Status &amp; Uptime</title>\
    <style>body { color: red }</style></head><body><h1>All systems go</h1>\
    <p>Latency is <em>low</em>.</p><ul><li>api: up</li><li>db: up</li></ul>\
    <a href=\"/details\">details</a></body></html>";

fn tool(allow_private: bool, f: impl FnOnce(&mut FetchConfig)) -> FetchPage {
    let mut c = FetchConfig {
        allow_hosts: vec!["*".to_owned()],
        allow_private,
        ..FetchConfig::default()
    };
    f(&mut c);
    FetchPage::new(&c).unwrap()
}

#[tokio::test]
async fn html_becomes_readable_text_with_its_title() {
    let app = Router::new()
        .route("/", get(|| async { Html(PAGE) }))
        .route(
            "/moved",
            get(|| async { (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, "/")]) }),
        )
        .route("/gone", get(|| async { StatusCode::GONE }));
    let addr = serve(app).await;
    let t = tool(true, |_| {});
    let url = format!("http://127.0.0.1:{}/moved", addr.port());
    let out = t.call(&ctx(), json!({"url": url})).await.unwrap();
    assert_eq!(out.content["title"], "Status & Uptime");
    assert_eq!(
        out.content["final_url"],
        format!("http://127.0.0.1:{}/", addr.port())
    );
    let text = out.content["text"].as_str().unwrap();
    assert!(text.contains("All systems go"), "{text}");
    assert!(text.contains("Latency is *low*."), "{text}");
    assert!(text.contains("api: up"), "{text}");
    assert!(!text.contains("color: red"), "{text}");
    assert!(!text.contains("<h1>"), "{text}");
    assert_eq!(out.content["truncated"], false);
    assert_eq!(
        out.evidence,
        vec![Evidence::HttpResponse { status: 200, url }]
    );

    let short = tool(true, |c| c.max_text_chars = 10);
    let out = short
        .call(
            &ctx(),
            json!({"url": format!("http://127.0.0.1:{}/", addr.port())}),
        )
        .await
        .unwrap();
    assert_eq!(out.content["truncated"], true);
    assert_eq!(out.content["text"].as_str().unwrap().chars().count(), 10);

    let e = t
        .call(
            &ctx(),
            json!({"url": format!("http://127.0.0.1:{}/gone", addr.port())}),
        )
        .await
        .unwrap_err();
    assert!(model_msg(e).contains("410"));
}

#[tokio::test]
async fn private_addresses_are_refused_unless_allowed() {
    let hits = Recorder::default();
    let h = hits.clone();
    let app = Router::new().route(
        "/",
        get(move || async move {
            h.push("hit");
            Html(PAGE)
        }),
    );
    let addr = serve(app).await;
    let t = tool(false, |_| {});
    for host in ["127.0.0.1", "localhost"] {
        let e = t
            .call(
                &ctx(),
                json!({"url": format!("http://{host}:{}/", addr.port())}),
            )
            .await
            .unwrap_err();
        let msg = model_msg(e);
        assert!(msg.contains("not a public address"), "{host}: {msg}");
        assert!(msg.contains("tools.fetch.allow_private"), "{host}: {msg}");
    }
    let e = t
        .call(
            &ctx(),
            json!({"url": "http://169.254.169.254/latest/meta-data/"}),
        )
        .await
        .unwrap_err();
    assert!(model_msg(e).contains("169.254.169.254"));
    assert!(hits.all().is_empty(), "a private address was reached");

    let listed = FetchPage::new(&FetchConfig {
        allow_hosts: vec!["docs.example.com".to_owned()],
        allow_private: true,
        ..FetchConfig::default()
    })
    .unwrap();
    let e = listed
        .call(
            &ctx(),
            json!({"url": format!("http://127.0.0.1:{}/", addr.port())}),
        )
        .await
        .unwrap_err();
    assert!(model_msg(e).contains("tools.fetch.allow_hosts"));
}
