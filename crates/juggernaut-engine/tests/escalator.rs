//! The leader's escalator on a SQLite file: a new dead letter, a stale approval and repeated
//! failures each raise one escalation however many scans run (the stale approval counted again
//! each scan), and the sink receives each once; a failed send is retried on the next scan and
//! reported once; without a sink escalations are only recorded and the idle reason says so.

use async_trait::async_trait;
use juggernaut_core::escalation::{EscalationKind, EscalationLevel};
use juggernaut_core::worker::Role;
use juggernaut_core::{Escalation, NewTask, RiskLevel, TaskKind, WorkerId};
use juggernaut_engine::node::{Escalating, EscalationSink, EscalatorConfig};
use juggernaut_engine::{Node, NodeConfig};
use juggernaut_handler::Registry;
use juggernaut_handlers::noop::Noop;
use juggernaut_store::{ApprovalRequest, ClaimRequest, EscalationPage, Failure, LeaseRef, Store};
use juggernaut_testkit::fresh_sqlite;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Records what it was sent; fails the first `fail_first` sends.
#[derive(Default)]
struct Recorder {
    sent: Mutex<Vec<String>>,
    fail_first: Mutex<u32>,
}

#[async_trait]
impl EscalationSink for Recorder {
    fn describe(&self) -> String {
        "the test recorder".into()
    }

    async fn send(&self, e: &Escalation) -> Result<(), String> {
        let mut fail = self.fail_first.lock().unwrap();
        if *fail > 0 {
            *fail -= 1;
            return Err("channel down".into());
        }
        self.sent.lock().unwrap().push(e.key.clone());
        Ok(())
    }
}

fn kind(name: &str) -> TaskKind {
    TaskKind::new(name).unwrap()
}

/// Claims one task of `k` as worker `x` (the node serves only `noop`).
async fn claim(store: &Arc<dyn Store>, k: &str) -> LeaseRef {
    let req = ClaimRequest {
        worker: WorkerId::from("x"),
        kinds: vec![kind(k)],
        limit: 1,
        lease: Duration::from_secs(30),
    };
    loop {
        if let Some(t) = store.claim(&req).await.unwrap().first() {
            return LeaseRef::of(t).unwrap();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn fail(store: &Arc<dyn Store>, lease: LeaseRef) {
    let f = Failure {
        lease,
        error: "boom".into(),
        retryable: true,
        retry_after: Some(Duration::ZERO),
    };
    store.fail(f).await.unwrap();
}

/// A dead letter, a waiting approval and two failed `flaky` attempts.
async fn trouble(store: &Arc<dyn Store>) -> (juggernaut_core::TaskId, juggernaut_core::TaskId) {
    let dead = store
        .enqueue(NewTask {
            max_attempts: 1,
            ..NewTask::new(kind("fragile"))
        })
        .await
        .unwrap()
        .task;
    let lease = claim(store, "fragile").await;
    fail(store, lease).await;
    let asks = store
        .enqueue(NewTask::new(kind("manual")))
        .await
        .unwrap()
        .task;
    let lease = claim(store, "manual").await;
    store
        .request_approval(ApprovalRequest {
            lease,
            reason: "pays".into(),
            risk: RiskLevel::High,
            assessment: None,
        })
        .await
        .unwrap();
    store
        .enqueue(NewTask {
            max_attempts: 5,
            ..NewTask::new(kind("flaky"))
        })
        .await
        .unwrap();
    for _ in 0..2 {
        let lease = claim(store, "flaky").await;
        fail(store, lease).await;
    }
    (dead.id, asks.id)
}

fn node(store: &Arc<dyn Store>, sink: Option<Arc<dyn EscalationSink>>) -> Node {
    let reg = Registry::new(vec![Arc::new(Noop)]).unwrap();
    let mut c = NodeConfig::new(
        WorkerId::from("e"),
        "h".into(),
        Role::ALL.to_vec(),
        &reg,
        &["noop".into()],
        2,
    );
    c.leader.tick = Duration::from_millis(50);
    let config = EscalatorConfig {
        scan: Duration::from_millis(100),
        stuck: Duration::from_secs(3600),
        stale_approval: Duration::from_millis(50),
        failures_per_hour: 2,
        day_budget_usd: None,
    };
    Node::new(store.clone(), reg, c).with_escalations(Escalating { config, sink })
}

async fn run_for(node: Node, d: Duration) {
    let stop = CancellationToken::new();
    let s = stop.clone();
    let h = tokio::spawn(async move { node.run(s).await.unwrap() });
    tokio::time::sleep(d).await;
    stop.cancel();
    h.await.unwrap();
}

async fn all(store: &Arc<dyn Store>) -> Vec<Escalation> {
    let page = EscalationPage {
        before: None,
        limit: 100,
    };
    store.escalations(false, page).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_problem_raises_one_escalation_sent_once() {
    let store = fresh_sqlite().await;
    let (dead, asks) = trouble(&store).await;
    let recorder = Arc::new(Recorder::default());
    *recorder.fail_first.lock().unwrap() = 1;
    let node = node(&store, Some(recorder.clone()));
    let events = node.events();
    run_for(node, Duration::from_millis(1500)).await;

    let mut found: Vec<(String, EscalationKind, EscalationLevel)> = all(&store)
        .await
        .into_iter()
        .map(|e| (e.key, e.kind, e.level))
        .collect();
    found.sort();
    let hour = chrono::Utc::now().format("%Y-%m-%dT%H").to_string();
    let mut want = vec![
        (
            format!("dead:{dead}"),
            EscalationKind::DeadLetter,
            EscalationLevel::Warning,
        ),
        (
            format!("failures:flaky:{hour}"),
            EscalationKind::RepeatedFailures,
            EscalationLevel::Warning,
        ),
        (
            format!("stale_approval:{asks}"),
            EscalationKind::StaleApproval,
            EscalationLevel::Info,
        ),
    ];
    want.sort();
    // `fragile`'s one failed attempt counts too, but stays under the threshold of 2.
    assert_eq!(found, want);
    let by_key = |k: &str| {
        let k = k.to_owned();
        let store = store.clone();
        async move { all(&store).await.into_iter().find(|e| e.key == k).unwrap() }
    };
    let stale = by_key(&format!("stale_approval:{asks}")).await;
    assert!(stale.count > 1, "raised again each scan: {}", stale.count);
    assert_eq!(by_key(&format!("dead:{dead}")).await.count, 1);
    assert!(all(&store).await.iter().all(|e| e.notified_at.is_some()));
    let mut sent = recorder.sent.lock().unwrap().clone();
    sent.sort();
    assert_eq!(
        sent,
        want.iter().map(|w| w.0.clone()).collect::<Vec<_>>(),
        "each sent once"
    );
    assert_eq!(events.count("escalation_raised"), 3);
    assert_eq!(events.count("escalation_not_sent"), 1, "the failed send");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_sink_escalations_are_only_recorded() {
    let store = fresh_sqlite().await;
    let (dead, _) = trouble(&store).await;
    let node = node(&store, None);
    let idle = node.idle_board();
    let stop = CancellationToken::new();
    let s = stop.clone();
    let h = tokio::spawn(async move { node.run(s).await.unwrap() });
    tokio::time::sleep(Duration::from_millis(800)).await;
    let reason = idle
        .snapshot()
        .into_iter()
        .find(|(l, _, _)| *l == "escalator")
        .map(|(_, code, text)| (code.as_str(), text));
    stop.cancel();
    h.await.unwrap();
    let (code, text) = reason.unwrap();
    assert_eq!(code, "no_notify_channel");
    assert!(text.contains("recorded only"), "{text}");
    let found = all(&store).await;
    assert_eq!(found.len(), 3);
    assert!(found.iter().all(|e| e.notified_at.is_none()));
    // A second leadership's first scan does not raise the dead letter again once acknowledged.
    let d = found
        .iter()
        .find(|e| e.key == format!("dead:{dead}"))
        .unwrap();
    store.ack(d.id, "alice", "known").await.unwrap();
    run_for(node_again(&store), Duration::from_millis(500)).await;
    let again: Vec<_> = all(&store)
        .await
        .into_iter()
        .filter(|e| e.key == format!("dead:{dead}"))
        .collect();
    assert_eq!(again.len(), 1, "{again:?}");
}

fn node_again(store: &Arc<dyn Store>) -> Node {
    node(store, None)
}
