//! The leader's learner: a running node turns each task's end (completions, a failed attempt
//! that retries, a dead letter) into learnings, counting the same lesson again instead of
//! repeating it, and never twice however many passes run; concurrent captures on PostgreSQL (two
//! leaders for a moment) count each ending once.

use juggernaut_core::learning::Outcome;
use juggernaut_core::worker::Role;
use juggernaut_core::{NewTask, TaskKind, WorkerId};
use juggernaut_engine::node::learner;
use juggernaut_engine::{LeaderConfig, Node, NodeConfig};
use juggernaut_handler::Registry;
use juggernaut_handlers::noop::Noop;
use juggernaut_store::{ClaimRequest, Failure, LearningFilter, LearningPage, LeaseRef, Store};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

fn kind(name: &str) -> TaskKind {
    TaskKind::new(name).unwrap()
}

/// Fails one `flaky` attempt (the node serves only `noop`) with an error naming `n`.
async fn fail_flaky(store: &Arc<dyn Store>, n: u32) {
    let req = ClaimRequest {
        worker: WorkerId::from("x"),
        kinds: vec![kind("flaky")],
        limit: 1,
        lease: Duration::from_secs(30),
    };
    let held = store.claim(&req).await.unwrap();
    let f = Failure {
        lease: LeaseRef::of(&held[0]).unwrap(),
        error: format!("upstream timed out after {n}ms (request {n})"),
        retryable: true,
        retry_after: Some(Duration::ZERO),
    };
    store.fail(f).await.unwrap();
}

async fn learnings(store: &Arc<dyn Store>) -> Vec<juggernaut_core::Learning> {
    let page = LearningPage {
        before: None,
        limit: 100,
    };
    store
        .learnings(&LearningFilter::default(), page)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leading_node_learns_each_ending_once() {
    let store = juggernaut_testkit::fresh_sqlite().await;
    for _ in 0..3 {
        store.enqueue(NewTask::new(kind("noop"))).await.unwrap();
    }
    let flaky = NewTask {
        max_attempts: 2,
        ..NewTask::new(kind("flaky"))
    };
    store.enqueue(flaky).await.unwrap();
    fail_flaky(&store, 120).await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    fail_flaky(&store, 75).await;

    let reg = Registry::new(vec![Arc::new(Noop)]).unwrap();
    let mut c = NodeConfig::new(
        WorkerId::from("l"),
        "h".into(),
        Role::ALL.to_vec(),
        &reg,
        &["noop".into()],
        2,
    );
    c.leader.tick = Duration::from_millis(50);
    c.leader.learn_interval = Duration::from_millis(100);
    c.leader.learn_settle = Duration::ZERO;
    let node = Node::new(store.clone(), reg, c);
    let idle = node.idle_board();
    let stop = CancellationToken::new();
    let s = stop.clone();
    let h = tokio::spawn(async move { node.run(s).await.unwrap() });
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.cancel();
    h.await.unwrap();

    let all = learnings(&store).await;
    assert_eq!(all.len(), 2, "{all:#?}");
    let ok = all.iter().find(|l| l.kind == "noop").unwrap();
    assert_eq!((ok.outcome, ok.count), (Outcome::Succeeded, 3));
    let flaky = all.iter().find(|l| l.kind == "flaky").unwrap();
    // The retried attempt and the dead letter share the fingerprint; the latest outcome shows.
    assert_eq!((flaky.outcome, flaky.count), (Outcome::Dead, 2));
    assert!(flaky.error.as_deref().unwrap().contains("(request 75)"));
    let reasons = idle.snapshot();
    assert!(
        reasons
            .iter()
            .any(|(l, _, why)| *l == "learner" && why.contains("audit log read")),
        "{reasons:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_captures_count_each_ending_once() {
    let (store, db) = juggernaut_testkit::fresh_postgres().await;
    for n in 0..12 {
        let t = NewTask {
            max_attempts: 1,
            ..NewTask::new(kind("flaky"))
        };
        store.enqueue(t).await.unwrap();
        fail_flaky(&store, n).await;
    }
    let config = LeaderConfig {
        learn_settle: Duration::ZERO,
        learn_batch: 5,
        ..LeaderConfig::default()
    };
    let mut runs = Vec::new();
    for i in 0..4 {
        let (store, config) = (store.clone(), config.clone());
        runs.push(tokio::spawn(async move {
            let id = WorkerId(format!("leader-{i}"));
            let mut total = 0;
            for _ in 0..10 {
                total += learner::capture(store.as_ref(), &id, &config)
                    .await
                    .unwrap()
                    .0;
            }
            total
        }));
    }
    let mut recorded = 0;
    for r in runs {
        recorded += r.await.unwrap();
    }
    assert_eq!(recorded, 12, "each ending recorded by exactly one capture");
    let all = learnings(&store).await;
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!((all[0].count, all[0].outcome), (12, Outcome::Dead));
    store.close().await;
    db.remove().await;
}
