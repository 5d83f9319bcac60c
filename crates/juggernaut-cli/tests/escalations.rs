//! `escalation list` and `ack` on the default embedded database (escalations raised through the
//! store as the escalator would), their JSON and exit codes; an `[escalation] channel` that names
//! no notify channel is bad input; and `up` sends a dead letter's escalation to a local webhook
//! channel once.

use crate::support::{Cwd, fails_with, free_port, spawn, wait_for};
use juggernaut_core::escalation::{EscalationKind, EscalationLevel, NewEscalation};
use juggernaut_core::{NewTask, TaskKind};
use juggernaut_store::{ClaimRequest, Failure, LeaseRef};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn esc(key: &str, message: &str) -> NewEscalation {
    NewEscalation {
        key: key.into(),
        kind: EscalationKind::StuckTask,
        level: EscalationLevel::Warning,
        task_id: None,
        goal_id: None,
        message: message.into(),
    }
}

/// Migrates the default database and raises three escalations; their ids, oldest first.
async fn raised(cwd: &Cwd) -> Vec<i64> {
    assert!(cwd.cmd(&["migrate"]).output().unwrap().status.success());
    let store = juggernaut_testkit::open_sqlite(&cwd.db_url()).await;
    let mut ids = Vec::new();
    for (key, message) in [
        ("stuck:1", "task 1 is stuck"),
        ("stuck:2", "task 2 is stuck\u{1b}[31m"),
        ("stuck:3", "task 3 is stuck"),
    ] {
        ids.push(
            store
                .raise(esc(key, message), "escalator")
                .await
                .unwrap()
                .0
                .id
                .0,
        );
    }
    store.close().await;
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_lists_and_acknowledges_escalations() {
    let cwd = Cwd::new();
    let ids = raised(&cwd).await;
    let list = cwd.json(&["escalation", "list"]);
    let items = list.as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["id"], ids[2], "newest first");
    assert_eq!(items[0]["kind"], "stuck_task");
    assert_eq!(items[0]["level"], "warning");
    assert_eq!(items[0]["count"], 1);
    let human = cwd.cmd(&["escalation", "list"]).output().unwrap();
    let human = String::from_utf8(human.stdout).unwrap();
    assert!(human.starts_with("ID"), "{human}");
    assert!(!human.contains('\u{1b}'), "cells are cleaned: {human:?}");

    let first = cwd.json(&["escalation", "list", "--limit", "2"]);
    assert_eq!(
        first.as_array().unwrap().len(),
        2,
        "a list is a JSON array: {first}"
    );
    assert_eq!(first[1]["id"], ids[1]);
    let cursor = ids[1].to_string();
    let rest = cwd.json(&["escalation", "list", "--limit", "2", "--cursor", &cursor]);
    assert_eq!(rest.as_array().unwrap().len(), 1);
    assert_eq!(rest[0]["id"], ids[0]);

    let id = ids[0].to_string();
    let acked = cwd.json(&[
        "escalation",
        "ack",
        &id,
        "--note",
        "restarted",
        "--as",
        "alice",
    ]);
    assert_eq!(acked["acked_by"], "alice");
    assert_eq!(acked["ack_note"], "restarted");
    assert!(acked["acked_at"].is_string());
    let human = cwd
        .cmd(&["escalation", "ack", &ids[1].to_string(), "--as", "bob"])
        .output()
        .unwrap();
    assert!(human.status.success());
    let human = String::from_utf8(human.stdout).unwrap();
    assert!(
        human.starts_with("acknowledged by bob: escalation"),
        "{human}"
    );

    let open = cwd.json(&["escalation", "list"]);
    assert_eq!(open.as_array().unwrap().len(), 1);
    let all = cwd.json(&["escalation", "list", "--all"]);
    assert_eq!(all.as_array().unwrap().len(), 3);
    assert_eq!(all[2]["acked_by"], "alice");

    fails_with(&cwd, &["escalation", "ack", &id], 2, "already acknowledged");
    fails_with(
        &cwd,
        &["escalation", "ack", "99999"],
        2,
        "no escalation has id 99999",
    );
    fails_with(&cwd, &["escalation", "ack", "0"], 2, "");
    fails_with(&cwd, &["escalation", "ack", "x"], 2, "");
    fails_with(&cwd, &["escalation", "list", "--limit", "0"], 2, "");
    let long = "n".repeat(2001);
    fails_with(
        &cwd,
        &["escalation", "ack", &ids[2].to_string(), "--note", &long],
        2,
        "note",
    );
}

#[test]
fn an_unknown_channel_is_bad_input_naming_it() {
    let cwd = Cwd::new();
    std::fs::write(
        cwd.dir.path().join("juggernaut.toml"),
        "[escalation]\nchannel = \"pager\"\n",
    )
    .unwrap();
    fails_with(&cwd, &["escalation", "list"], 2, "channel = \"pager\"");
}

/// A local webhook endpoint recording every body posted to it.
async fn webhook() -> (String, Arc<Mutex<Vec<String>>>) {
    let received = Arc::new(Mutex::new(Vec::new()));
    let r = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: String| {
            let r = r.clone();
            async move {
                r.lock().unwrap().push(body);
                axum::Json(serde_json::json!({"id": "m-1"}))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/hook"), received)
}

/// A task of a kind nobody serves, dead after its one attempt; its id.
async fn dead_letter(cwd: &Cwd) -> i64 {
    assert!(cwd.cmd(&["migrate"]).output().unwrap().status.success());
    let store = juggernaut_testkit::open_sqlite(&cwd.db_url()).await;
    let kind = TaskKind::new("fragile").unwrap();
    let t = NewTask {
        max_attempts: 1,
        ..NewTask::new(kind.clone())
    };
    let id = store.enqueue(t).await.unwrap().task.id;
    let claimed = store
        .claim(&ClaimRequest {
            worker: "t".into(),
            kinds: vec![kind],
            limit: 1,
            lease: Duration::from_secs(30),
        })
        .await
        .unwrap();
    let f = Failure {
        lease: LeaseRef::of(&claimed[0]).unwrap(),
        error: "the disk is full".into(),
        retryable: true,
        retry_after: None,
    };
    store.fail(f).await.unwrap();
    store.close().await;
    id.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn up_sends_a_dead_letter_escalation_to_the_channel_once() {
    let cwd = Cwd::new();
    let dead = dead_letter(&cwd).await;
    let (url, received) = webhook().await;
    let config = format!(
        "[tools.notify.channels.ops]\ntype = \"webhook\"\nurl = \"{url}\"\n\n\
         [escalation]\nchannel = \"ops\"\nscan_secs = 1\n"
    );
    std::fs::write(cwd.dir.path().join("juggernaut.toml"), config).unwrap();
    let listen = format!("127.0.0.1:{}", free_port());
    let engine = spawn(&cwd, &["up", "--listen", &listen], &[], false);
    let key = format!("dead:{dead}");
    let r = received.clone();
    let seen = tokio::task::spawn_blocking(move || {
        wait_for("the escalation at the webhook", 30, || {
            r.lock().unwrap().iter().any(|b| b.contains(&key))
        });
    });
    seen.await.unwrap();
    // A few more scans: nothing is sent twice.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    drop(engine);
    let bodies = received.lock().unwrap().clone();
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    assert!(bodies[0].contains("the disk is full"), "{}", bodies[0]);
    assert!(bodies[0].contains("escalation ack"), "{}", bodies[0]);
    let list = cwd.json(&["escalation", "list"]);
    let items = list.as_array().unwrap();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["key"], format!("dead:{dead}"));
    assert_eq!(items[0]["kind"], "dead_letter");
    assert!(items[0]["notified_at"].is_string(), "{:?}", items[0]);
}
