//! `GET /api/events` through a real listener on a loopback port, over SQLite and PostgreSQL: no
//! token is a 401 and a bad start a 400; a viewer sees the stored events of a task enqueued and
//! cancelled after it connected (and no replay), and this process's engine events without ids;
//! `Last-Event-ID: N` replays exactly the events after `N`, across pages of 1000; an event
//! written by another store handle on the same database (no engine event, no shared signal)
//! arrives within ~2 s; a client that goes releases its stream; shutdown ends open streams.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use juggernaut_app::App;
use juggernaut_core::ids::EventId;
use juggernaut_core::{ApiRole, NewTask, TaskId, TaskKind};
use juggernaut_engine::events::{EngineEvent, EventSink};
use juggernaut_engine::idle::IdleBoard;
use juggernaut_handler::Registry;
use juggernaut_server::{AppState, bind, spawn};
use juggernaut_store::Store;
use reqwest::StatusCode;
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// One SSE frame.
#[derive(Debug, Clone, Default)]
struct Frame {
    id: Option<i64>,
    event: Option<String>,
    data: String,
    comment: Option<String>,
}

impl Frame {
    fn json(&self) -> Value {
        serde_json::from_str(&self.data).unwrap()
    }
}

/// An open event stream.
struct Stream {
    resp: reqwest::Response,
    buf: String,
}

impl Stream {
    /// The next frame, or `None` when the stream ended; panics after `within`.
    async fn next(&mut self, within: Duration) -> Option<Frame> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                return Some(parse(&block));
            }
            let chunk = tokio::time::timeout_at(deadline, self.resp.chunk())
                .await
                .unwrap_or_else(|_| panic!("no SSE frame within {within:?}"))
                .unwrap();
            match chunk {
                Some(bytes) => self.buf.push_str(std::str::from_utf8(&bytes).unwrap()),
                None => return None,
            }
        }
    }

    /// Stored events (frames with an id) until one of `kind` for `task`, all returned.
    async fn until(&mut self, kind: &str, task: TaskId, within: Duration) -> Vec<Frame> {
        let started = Instant::now();
        let mut out = Vec::new();
        loop {
            let left = within.saturating_sub(started.elapsed());
            let f = self.next(left).await.expect("stream ended");
            if f.id.is_none() {
                continue;
            }
            let done = f.event.as_deref() == Some(kind) && f.json()["task_id"] == task.0;
            out.push(f);
            if done {
                return out;
            }
        }
    }
}

fn parse(block: &str) -> Frame {
    let mut f = Frame::default();
    for line in block.lines() {
        if let Some(c) = line.strip_prefix(':') {
            f.comment = Some(c.trim().to_owned());
        } else if let Some((field, value)) = line.split_once(':') {
            let value = value.strip_prefix(' ').unwrap_or(value);
            match field {
                "id" => f.id = Some(value.parse().unwrap()),
                "event" => f.event = Some(value.to_owned()),
                "data" => f.data.push_str(value),
                other => panic!("unexpected SSE field {other}"),
            }
        }
    }
    f
}

async fn open(base: &str, token: &str, last: Option<i64>) -> Stream {
    let mut req = reqwest::Client::new()
        .get(format!("{base}/api/events"))
        .bearer_auth(token);
    if let Some(id) = last {
        req = req.header("Last-Event-ID", id.to_string());
    }
    let resp = req.send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let ct = resp.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ct.starts_with("text/event-stream"), "{ct}");
    Stream {
        resp,
        buf: String::new(),
    }
}

fn noop() -> NewTask {
    NewTask::new(TaskKind::new("noop").unwrap())
}

fn ids(frames: &[Frame]) -> Vec<i64> {
    frames.iter().filter_map(|f| f.id).collect()
}

/// Every stored id after `after`, as the store pages them.
async fn stored_after(store: &Arc<dyn Store>, mut after: i64) -> Vec<i64> {
    let mut out = Vec::new();
    loop {
        let page = store.events_after(EventId(after), 1000).await.unwrap();
        let Some(last) = page.last() else {
            return out;
        };
        after = last.id.0;
        out.extend(page.iter().map(|e| e.id.0));
    }
}

fn strictly_increasing(ids: &[i64]) {
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "ids not increasing: {ids:?}"
    );
}

/// `other` is a second handle on the same database (the same handle on PostgreSQL).
async fn scenario(store: Arc<dyn Store>, other: Arc<dyn Store>) {
    let app = App::new(store.clone(), Registry::new(vec![]).unwrap());
    let viewer = app
        .create_token("dash", ApiRole::Viewer, "alice")
        .await
        .unwrap();
    let viewer = viewer.token();
    let before = store.enqueue(noop()).await.unwrap().task.id;
    let sink = EventSink::default();
    let state = AppState {
        store: store.clone(),
        app,
        worker: "w".into(),
        idle: IdleBoard::default(),
        events: sink.clone(),
    };
    let listener = bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let stop = CancellationToken::new();
    let served = spawn(listener, state, stop.clone());
    let http = reqwest::Client::new();

    // No token: 401; a bad start: 400, both JSON.
    let resp = http.get(format!("{base}/api/events")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
    for (header, query) in [("abc", ""), ("", "?after=-3"), ("", "?from=1")] {
        let mut req = http
            .get(format!("{base}/api/events{query}"))
            .bearer_auth(viewer);
        if !header.is_empty() {
            req = req.header("Last-Event-ID", header);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{header} {query}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["error"]["code"], "bad_request");
    }

    // Live: a task enqueued and cancelled after connecting, and no replay of what came before.
    let newest = *stored_after(&store, 0).await.last().unwrap();
    let mut live = open(&base, viewer, None).await;
    let task = store.enqueue(noop()).await.unwrap().task.id;
    store.cancel(task, "alice", "not needed").await.unwrap();
    let frames = live
        .until("task.cancelled", task, Duration::from_secs(5))
        .await;
    let seen = ids(&frames);
    strictly_increasing(&seen);
    assert!(seen.iter().all(|id| *id > newest), "no replay: {seen:?}");
    assert_eq!(seen, stored_after(&store, newest).await, "none missing");
    let kinds: Vec<_> = frames.iter().filter_map(|f| f.event.clone()).collect();
    assert!(kinds.contains(&"task.enqueued".to_owned()), "{kinds:?}");
    let cancelled = frames.last().unwrap().json();
    assert_eq!(cancelled["kind"], "task.cancelled");
    assert_eq!(cancelled["id"], *seen.last().unwrap());
    assert_ne!(task, before);

    // Engine events: `event: engine`, no id.
    sink.emit(EngineEvent::TaskCompleted { task });
    let f = loop {
        let f = live.next(Duration::from_secs(5)).await.unwrap();
        if f.event.as_deref() == Some("engine") {
            break f;
        }
    };
    assert_eq!(f.id, None);
    assert_eq!(f.json()["event"], "task_completed");
    assert_eq!(f.json()["task"], task.0);

    // Another process writes: no engine event, no signal here; it still arrives within ~2 s.
    let elsewhere = other.enqueue(noop()).await.unwrap().task.id;
    let started = Instant::now();
    let frames = live
        .until("task.enqueued", elsewhere, Duration::from_millis(2500))
        .await;
    assert!(started.elapsed() < Duration::from_millis(2500));
    assert_eq!(
        frames.first().unwrap().id.unwrap(),
        seen.last().unwrap() + 1,
        "nothing skipped between"
    );

    // Resume: exactly the events after N, across pages, ids strictly increasing.
    let n = seen[0];
    let batch: Vec<NewTask> = (0..600).map(|_| noop()).collect();
    store.enqueue_batch(batch).await.unwrap();
    let batch: Vec<NewTask> = (0..600).map(|_| noop()).collect();
    let last_task = store
        .enqueue_batch(batch)
        .await
        .unwrap()
        .pop()
        .unwrap()
        .task
        .id;
    let expected = stored_after(&store, n).await;
    assert!(
        expected.len() > 1000,
        "more than one page: {}",
        expected.len()
    );
    let mut resumed = open(&base, viewer, Some(n)).await;
    let frames = resumed
        .until("task.enqueued", last_task, Duration::from_secs(10))
        .await;
    assert_eq!(ids(&frames), expected);

    // A client that goes releases its stream (its pump holds the store's work signal).
    let signal = store.work_signal().await.unwrap();
    let count = Arc::strong_count(&signal);
    let gone = open(&base, viewer, None).await;
    assert!(Arc::strong_count(&signal) > count, "one more pump running");
    drop(gone);
    let deadline = Instant::now() + Duration::from_secs(3);
    while Arc::strong_count(&signal) > count && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(Arc::strong_count(&signal), count, "its pump stopped");

    // Shutdown ends the open streams, and the listener stops without waiting for them.
    stop.cancel();
    tokio::time::timeout(Duration::from_secs(5), served)
        .await
        .expect("the listener stops with streams open")
        .unwrap();
    for mut s in [live, resumed] {
        let deadline = Duration::from_secs(5);
        while let Some(f) = s.next(deadline).await {
            assert!(f.id.is_some() || f.event.is_some() || f.comment.is_some());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_stream_live_and_resume_on_sqlite() {
    let url = juggernaut_testkit::fresh_sqlite_url().await;
    let store = juggernaut_testkit::open_sqlite(&url).await;
    let other = juggernaut_testkit::open_sqlite(&url).await;
    scenario(store.clone(), other.clone()).await;
    other.close().await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_stream_live_and_resume_on_postgres() {
    let (store, db) = juggernaut_testkit::fresh_postgres().await;
    scenario(store.clone(), store.clone()).await;
    store.close().await;
    db.remove().await;
}
