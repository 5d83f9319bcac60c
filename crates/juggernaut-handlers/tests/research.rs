//! The `research` kind through a real dispatcher, store and toolbox: `web_search` against a local
//! SearXNG-shaped server, `fetch_page` against local pages, the synthesis from the fake LLM. A
//! synthesis that cites a fetched page with its URL completes with the search and that fetch as
//! evidence; one that cites nothing fails verification.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::Router;
use axum::routing::get;
use juggernaut_core::{Evidence, NewTask, Task, TaskKind, TaskStatus};
use juggernaut_engine::{Dispatcher, DispatcherConfig};
use juggernaut_handler::Registry;
use juggernaut_handler::context::Handles;
use juggernaut_handlers::agent::Model;
use juggernaut_handlers::{Deps, builtin};
use juggernaut_llm::{Client, Prices, Provider};
use juggernaut_store::{Limits, Queue, Store};
use juggernaut_testkit::fake_llm::{FakeLlm, Reply};
use juggernaut_testkit::fresh_sqlite;
use juggernaut_tools::{Redactor, ToolRegistry, Toolbox, Workspaces};
use juggernaut_tools_net::{FetchConfig, HttpConfig, NotifyConfig, SearchConfig};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

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

struct Rig {
    store: Arc<dyn Store>,
    llm: FakeLlm,
    web: String,
    _dir: tempfile::TempDir,
    stop: CancellationToken,
}

async fn rig() -> Rig {
    let llm = FakeLlm::start().await;
    let web = web().await;
    let mut provider = Provider::new("fake", &llm.base_url(), "fake-model");
    provider.max_retries = 0;
    let model = Model {
        client: Client::new(provider).unwrap(),
        prices: Prices::default(),
        limits: Limits::default(),
    };
    let reg = Registry::new(builtin(&Deps {
        model: Some(model),
        tools: None,
    }))
    .unwrap();
    let store = fresh_sqlite().await;
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
    let toolbox = Toolbox::new(
        Arc::new(ToolRegistry::new(net).unwrap()),
        store.clone(),
        Redactor::default(),
    );
    let dir = tempfile::tempdir().unwrap();
    let handles = Handles::over(store.clone()).with_tools(toolbox, Workspaces::new(dir.path()));
    let mut cfg =
        DispatcherConfig::new("research-test".into(), vec![reg.check("research").unwrap()]);
    cfg.poll_interval = Duration::from_millis(30);
    let queue: Arc<dyn Queue> = store.clone();
    let d = Dispatcher::new(queue, handles, reg, cfg);
    let stop = CancellationToken::new();
    let s = stop.clone();
    tokio::spawn(async move { d.run(s).await.unwrap() });
    Rig {
        store,
        llm,
        web,
        _dir: dir,
        stop,
    }
}

impl Drop for Rig {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

async fn run(store: &Arc<dyn Store>) -> Task {
    let mut t = NewTask::new(TaskKind::new("research").unwrap());
    t.input = json!({"question": "How do we prevent clogged drains?", "max_pages": 2});
    t.max_attempts = 1;
    let id = store.enqueue(t).await.unwrap().task.id;
    tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let t = store.get(id).await.unwrap().unwrap();
            if t.status.is_terminal() {
                return t;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_synthesis_citing_a_fetched_page_completes_with_its_calls() {
    let rig = rig().await;
    // Ledger ids in a fresh store: 1 the search, 2 and 3 the fetches.
    rig.llm.push(Reply::Text(format!(
        "Fit hair traps: they stop most clogs [call:2] {}/drains.",
        rig.web
    )));
    let t = run(&rig.store).await;
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
    let rig = rig().await;
    rig.llm
        .push(Reply::Text("Everyone knows: pour boiling water.".into()));
    let t = run(&rig.store).await;
    assert_ne!(t.status, TaskStatus::Completed);
    assert!(t.last_error.unwrap().contains("no evidence"));
}
