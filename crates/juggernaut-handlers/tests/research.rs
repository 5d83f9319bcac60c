//! The `research` kind through a real dispatcher, store and toolbox: `web_search` against a local
//! SearXNG-shaped server, `fetch_page` against local pages, the synthesis from the fake LLM. A
//! synthesis that cites a fetched page with its URL completes with the search and that fetch as
//! evidence; one that cites nothing fails verification.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod llm_rig;

use axum::Router;
use axum::routing::get;
use juggernaut_core::{Evidence, Task, TaskStatus};
use juggernaut_testkit::fake_llm::Reply;
use juggernaut_tools_net::{FetchConfig, HttpConfig, NotifyConfig, SearchConfig};
use llm_rig::Rig;
use serde_json::json;

/// A SearXNG-shaped search endpoint and two pages, on one local port.
async fn web() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let b = base.clone();
    let app = Router::new()
        .route(
            "/search",
            get(move || {
                let b = b.clone();
                async move {
                    axum::Json(json!({"results": [
                        {"title": "Drains", "url": format!("{b}/drains"), "content": "about drains"},
                        {"title": "Heaters", "url": format!("{b}/heaters"), "content": "about heaters"},
                    ]}))
                }
            }),
        )
        .route("/drains", get(|| async {
            axum::response::Html("<html><head><title>Drains</title></head><body><p>Hair traps stop 80% of clogged drains.</p></body></html>")
        }))
        .route("/heaters", get(|| async {
            axum::response::Html("<html><head><title>Heaters</title></head><body><p>Flush water heaters yearly.</p></body></html>")
        }));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

/// The rig serving `research` with `web_search` and `fetch_page` on the local web, and its URL.
async fn rig() -> (Rig, String) {
    let web = web().await;
    let search: SearchConfig =
        serde_json::from_value(json!({"provider": "searxng", "url": web})).unwrap();
    let fetch = FetchConfig {
        allow_hosts: vec!["127.0.0.1".into()],
        allow_private: true,
        ..FetchConfig::default()
    };
    let net = juggernaut_tools_net::net_tools(
        HttpConfig::default(),
        fetch,
        Some(search),
        NotifyConfig::default(),
    )
    .unwrap();
    (Rig::start("research", net).await, web)
}

async fn ask(rig: &Rig) -> Task {
    rig.run(json!({"question": "How do we prevent clogged drains?", "max_pages": 2}))
        .await
}

#[tokio::test]
async fn a_synthesis_citing_a_fetched_page_completes_with_its_calls() {
    let (rig, web) = rig().await;
    // Ledger ids in a fresh store: 1 the search, 2 and 3 the fetches.
    rig.llm.push(Reply::Text(format!(
        "Fit hair traps: they stop most clogs [call:2] {}/drains.",
        web
    )));
    let t = ask(&rig).await;
    assert_eq!(t.status, TaskStatus::Completed, "{:?}", t.last_error);
    assert_eq!(
        t.evidence,
        vec![
            Evidence::ToolCall { id: "1".into() },
            Evidence::ToolCall { id: "2".into() }
        ]
    );
    let prompt = rig.llm.received()[0].prompt();
    assert!(
        prompt.contains("Hair traps stop 80%") && prompt.contains("[call:3]"),
        "{prompt}"
    );
}

#[tokio::test]
async fn a_synthesis_citing_nothing_fails_verification() {
    let (rig, _web) = rig().await;
    rig.llm
        .push(Reply::Text("Everyone knows: pour boiling water.".into()));
    let t = ask(&rig).await;
    assert_ne!(t.status, TaskStatus::Completed);
    assert!(t.last_error.unwrap().contains("no evidence"));
}
