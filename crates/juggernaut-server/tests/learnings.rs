//! Learnings through a real listener on SQLite and PostgreSQL: listed in keyset pages with
//! filters by a viewer, shown, edited and retired (and brought back) by an operator (not a
//! viewer, 403), recorded as `token:NAME`; unknown ids are 404 and bad filters, bodies and ids
//! are 400 JSON errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use juggernaut_core::learning::{NewLearning, Outcome};
use juggernaut_core::{TaskId, learning};
use juggernaut_store::Store;
use serde_json::json;
use std::sync::Arc;
use support::{Server, error, ids};

fn lesson(n: i64, kind: &str, outcome: Outcome, tags: &[&str]) -> NewLearning {
    let word = ["zero", "one", "two", "three"][n as usize];
    NewLearning {
        fingerprint: learning::fingerprint(kind, &format!("error {word}")),
        kind: kind.into(),
        outcome,
        title: format!("{kind} lesson {n}"),
        summary: format!("what happened {n}"),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        error: Some(format!("error {word}")),
        tools: vec!["shell".into()],
        task: TaskId(n),
        goal: None,
        at: chrono::Utc::now(),
    }
}

async fn scenario(store: Arc<dyn Store>) {
    let news = vec![
        lesson(1, "shell", Outcome::Failed, &["orders"]),
        lesson(2, "http", Outcome::Succeeded, &["orders"]),
        lesson(3, "shell", Outcome::Dead, &[]),
    ];
    store.record_learnings(news, 0, 0, "test").await.unwrap();
    let s = Server::start(store.clone()).await;
    let (viewer, operator) = (s.viewer.clone(), s.operator.clone());

    let page = s.ok("/api/learnings?limit=2", &viewer).await;
    assert_eq!(ids(&page).len(), 2);
    let next = page["next_cursor"].as_i64().unwrap();
    let rest = s
        .ok(&format!("/api/learnings?limit=2&before={next}"), &viewer)
        .await;
    assert_eq!(ids(&rest).len(), 1);
    assert!(rest["next_cursor"].is_null());
    let shell = s.ok("/api/learnings?kind=shell", &viewer).await;
    assert_eq!(ids(&shell).len(), 2);
    let tagged = s
        .ok("/api/learnings?tag=orders&outcome=failed", &viewer)
        .await;
    assert_eq!(ids(&tagged).len(), 1);
    let id = ids(&tagged)[0];
    let one = s.ok(&format!("/api/learnings/{id}"), &viewer).await;
    assert_eq!(
        (
            one["kind"].clone(),
            one["outcome"].clone(),
            one["count"].clone()
        ),
        (json!("shell"), json!("failed"), json!(1))
    );

    let path = format!("/api/learnings/{id}");
    let body = r#"{"summary": "Install jq first", "tags": ["orders", "tooling"]}"#;
    let denied = s.call("PATCH", &path, Some(&viewer), Some(body)).await;
    error(denied, 403, "forbidden");
    let (status, edited) = s.call("PATCH", &path, Some(&operator), Some(body)).await;
    assert_eq!(status.as_u16(), 200, "{edited}");
    assert_eq!(
        (edited["summary"].clone(), edited["edited_by"].clone()),
        (json!("Install jq first"), json!("token:ops"))
    );
    assert_eq!(edited["tags"], json!(["orders", "tooling"]));

    let retire = format!("/api/learnings/{id}/retire");
    error(
        s.call("POST", &retire, Some(&viewer), None).await,
        403,
        "forbidden",
    );
    let retired = s.post(&retire, &operator, "", 200).await;
    assert_eq!(retired["retired_by"], json!("token:ops"));
    assert_eq!(ids(&s.ok("/api/learnings", &viewer).await).len(), 2);
    assert_eq!(
        ids(&s.ok("/api/learnings?all=true", &viewer).await).len(),
        3
    );
    let back = s
        .post(&retire, &operator, r#"{"retired": false}"#, 200)
        .await;
    assert!(back["retired_at"].is_null());

    for (method, path, body) in [
        ("GET", "/api/learnings/999999", None),
        (
            "PATCH",
            "/api/learnings/999999",
            Some(r#"{"summary": "x"}"#),
        ),
        ("POST", "/api/learnings/999999/retire", None),
    ] {
        error(
            s.call(method, path, Some(&operator), body).await,
            404,
            "not_found",
        );
    }
    for (method, path, body) in [
        ("PATCH", path.as_str(), Some("{}")),
        ("PATCH", path.as_str(), Some(r#"{"summary": ""}"#)),
        ("PATCH", path.as_str(), Some(r#"{"tags": ["a\u0000"]}"#)),
        (
            "PATCH",
            path.as_str(),
            Some(r#"{"summary": "x", "extra": 1}"#),
        ),
        ("PATCH", path.as_str(), Some("[")),
        ("POST", retire.as_str(), Some(r#"{"retired": "yes"}"#)),
        ("GET", "/api/learnings/abc", None),
    ] {
        error(
            s.call(method, path, Some(&operator), body).await,
            400,
            "bad_request",
        );
    }
    for query in [
        "outcome=won",
        "kind=Bad%20Kind",
        "limit=0",
        "before=x",
        "what=1",
    ] {
        let got = s
            .call(
                "GET",
                &format!("/api/learnings?{query}"),
                Some(&viewer),
                None,
            )
            .await;
        error(got, 400, "bad_request");
    }
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn learning_routes_on_sqlite() {
    let store = juggernaut_testkit::fresh_sqlite().await;
    scenario(store.clone()).await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn learning_routes_on_postgres() {
    let (store, db) = juggernaut_testkit::fresh_postgres().await;
    scenario(store.clone()).await;
    store.close().await;
    db.remove().await;
}
