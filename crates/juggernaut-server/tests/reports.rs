//! Executive reports through a real listener on SQLite and PostgreSQL: made now by an operator
//! (not a viewer), listed in keyset pages newest first, shown with their Markdown, served as a
//! self-contained HTML page with charts and a policy that lets it load nothing; 404 for an
//! unknown id, 400 for a malformed body, period, query or path.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use juggernaut_core::NewGoal;
use juggernaut_store::Store;
use serde_json::json;
use std::sync::Arc;
use support::{Server, error, ids};

async fn scenario(store: Arc<dyn Store>) {
    store
        .add_goal(NewGoal::titled("<script>x</script> Grow"), "test")
        .await
        .unwrap();
    let s = Server::start(store.clone()).await;
    let (viewer, operator) = (s.viewer.clone(), s.operator.clone());
    error(
        s.call("POST", "/api/reports", Some(&viewer), None).await,
        403,
        "forbidden",
    );
    error(
        s.call("POST", "/api/reports", None, None).await,
        401,
        "unauthorized",
    );
    let first = s.post("/api/reports", &operator, "", 201).await;
    assert!(
        first["title"]
            .as_str()
            .unwrap()
            .starts_with("Executive report ")
    );
    assert_eq!(first["created_by"], "token:ops");
    assert_eq!(first["summary"]["goals"], 1);
    assert!(first.get("markdown").is_none(), "lists carry no bodies");
    let since = (chrono::Utc::now() - chrono::Duration::days(2)).to_rfc3339();
    let body = json!({"since": since, "title": "Two days"}).to_string();
    let second = s.post("/api/reports", &operator, &body, 201).await;
    assert_eq!(second["title"], "Two days");
    let third = s.post("/api/reports", &operator, "{}", 201).await;

    let page = s.ok("/api/reports?limit=2", &viewer).await;
    let (id1, id2, id3) = (
        first["id"].as_i64().unwrap(),
        second["id"].as_i64().unwrap(),
        third["id"].as_i64().unwrap(),
    );
    assert_eq!(ids(&page), vec![id3, id2]);
    let cursor = page["next_cursor"].as_i64().unwrap();
    let rest = s
        .ok(&format!("/api/reports?limit=2&cursor={cursor}"), &viewer)
        .await;
    assert_eq!(ids(&rest), vec![id1]);
    assert!(rest["next_cursor"].is_null());

    let shown = s.ok(&format!("/api/reports/{id2}"), &viewer).await;
    assert_eq!(shown["title"], "Two days");
    let md = shown["markdown"].as_str().unwrap();
    assert!(md.starts_with("# Two days\n"), "{md}");
    assert!(md.contains("&lt;script&gt;x&lt;/script&gt; Grow"), "{md}");

    let resp = s
        .http
        .get(format!("{}/api/reports/{id2}/html", s.base))
        .bearer_auth(&viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let h = resp.headers().clone();
    assert_eq!(h["content-type"], "text/html; charset=utf-8");
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("default-src 'none'")
    );
    let page = resp.text().await.unwrap();
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("<svg"));
    assert!(!page.contains("<script"), "titles are escaped");

    error(
        s.call("GET", "/api/reports/99999", Some(&viewer), None)
            .await,
        404,
        "not_found",
    );
    error(
        s.call("GET", "/api/reports/99999/html", Some(&viewer), None)
            .await,
        404,
        "not_found",
    );
    error(
        s.call("GET", "/api/reports/x", Some(&viewer), None).await,
        400,
        "bad_request",
    );
    error(
        s.call("GET", "/api/reports?limit=0", Some(&viewer), None)
            .await,
        400,
        "bad_request",
    );
    error(
        s.call("GET", "/api/reports?limit=201", Some(&viewer), None)
            .await,
        400,
        "bad_request",
    );
    error(
        s.call("GET", "/api/reports?color=red", Some(&viewer), None)
            .await,
        400,
        "bad_request",
    );
    let bad_bodies = [r#"{"since": "yesterday"}"#, r#"{"colour": 1}"#, "[1]", "{"];
    for body in bad_bodies {
        error(
            s.call("POST", "/api/reports", Some(&operator), Some(body))
                .await,
            400,
            "bad_request",
        );
    }
    let future = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let old = (chrono::Utc::now() - chrono::Duration::days(93)).to_rfc3339();
    for since in [future, old] {
        let body = json!({ "since": since }).to_string();
        let message = error(
            s.call("POST", "/api/reports", Some(&operator), Some(&body))
                .await,
            400,
            "bad_request",
        );
        assert!(message.contains("since"), "{message}");
    }
    let blank = json!({"title": " "}).to_string();
    let message = error(
        s.call("POST", "/api/reports", Some(&operator), Some(&blank))
            .await,
        400,
        "bad_request",
    );
    assert!(message.contains("title"), "{message}");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_routes_on_sqlite() {
    let store = juggernaut_testkit::fresh_sqlite().await;
    scenario(store.clone()).await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_routes_on_postgres() {
    let (store, db) = juggernaut_testkit::fresh_postgres().await;
    scenario(store.clone()).await;
    store.close().await;
    db.remove().await;
}
