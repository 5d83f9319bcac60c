//! The HTTP listener on a loopback port over a real SQLite store.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use juggernaut_core::{NewTask, TaskKind};
use juggernaut_engine::idle::{Idle, IdleBoard, Loop};
use juggernaut_server::{AppState, bind, spawn};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

async fn get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut buf = String::new();
    s.read_to_string(&mut buf).await.unwrap();
    let code = buf[9..12].parse().unwrap();
    let body = buf
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (code, body)
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let store = juggernaut_testkit::fresh_sqlite().await;
    store
        .enqueue(NewTask::new(TaskKind::new("noop").unwrap()))
        .await
        .unwrap();
    let idle = IdleBoard::default();
    idle.idle(
        Loop::Scheduler,
        Idle::NoSchedules,
        "no schedules, and \"quotes\"\nand lines stay out of labels",
    );
    let app = juggernaut_app::App::new(
        store.clone(),
        juggernaut_handler::Registry::new(vec![]).unwrap(),
    );
    let state = AppState {
        store: store.clone(),
        app,
        worker: "w".into(),
        idle,
        events: Default::default(),
    };
    let listener = bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let stop = CancellationToken::new();
    let h = spawn(listener, state, stop.clone());
    assert_eq!(get(addr, "/healthz").await, (200, "ok\n".into()));
    assert_eq!(get(addr, "/readyz").await.0, 200);
    let (code, body) = get(addr, "/metrics").await;
    assert_eq!(code, 200);
    assert!(
        body.contains("juggernaut_tasks{status=\"ready\"} 1"),
        "{body}"
    );
    assert!(
        body.contains("juggernaut_idle{loop=\"scheduler\",reason=\"no_schedules\"} 1"),
        "{body}"
    );
    assert!(!body.contains("quotes"), "free text is not a label: {body}");
    assert!(body.contains("juggernaut_leader 0"), "{body}");
    assert!(
        body.contains("juggernaut_engine_events_total{event=\"task_completed\"} 0"),
        "{body}"
    );
    store.close().await;
    assert_eq!(
        get(addr, "/readyz").await.0,
        503,
        "a closed store is not ready"
    );
    stop.cancel();
    h.await.unwrap();
}

#[tokio::test]
async fn a_taken_port_is_named() {
    let first = bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let addr = first.local_addr().unwrap();
    let err = bind(addr).await.unwrap_err();
    assert!(
        err.to_string()
            .contains(&format!("cannot listen on {addr}")),
        "{err}"
    );
}
