//! The audit log is append-only in the database itself: an UPDATE, DELETE or TRUNCATE of events
//! sent as raw SQL, past the store, is refused by the triggers of migration 0009 (even one that
//! matches no row), and the pruner keeps the events of the tasks it deletes.

use crate::support::*;
#[allow(unused_imports)]
use chrono::Utc;
use juggernaut_testkit::postgres::TestPostgres;
use sqlx::Connection;
use std::time::Duration;

#[tokio::test]
async fn events_cannot_be_changed_deleted_or_truncated() {
    let t = TestPostgres::create().await;
    let id = t.enqueue(noop()).await.unwrap().task.id;
    t.cancel(id, "alice", "no").await.unwrap();
    let mut conn = sql(&t).await;
    let count = "SELECT count(*) FROM events";
    let before: i64 = sqlx::query_scalar(count)
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(before, 2);
    for statement in [
        "UPDATE events SET actor = 'mallory'",
        "UPDATE events SET data = '{}' WHERE kind = 'task.cancelled'",
        "DELETE FROM events",
        "DELETE FROM events WHERE false",
        "TRUNCATE events",
    ] {
        let err = sqlx::query(statement)
            .execute(&mut conn)
            .await
            .expect_err(statement);
        assert!(
            err.to_string().contains("the audit log is append-only"),
            "{statement}: {err}"
        );
    }
    let after: i64 = sqlx::query_scalar(count)
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(after, before);
    let actors: Vec<String> = sqlx::query_scalar("SELECT actor FROM events ORDER BY id")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert_eq!(actors, ["enqueue", "alice"]);

    // Pruning deletes the task, not its events.
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(
        t.prune_terminal(Duration::from_millis(1), "pruner")
            .await
            .unwrap(),
        1
    );
    assert!(t.get(id).await.unwrap().is_none());
    let of_task: i64 = sqlx::query_scalar("SELECT count(*) FROM events WHERE task_id = $1")
        .bind(id.0)
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(of_task, 2);
    conn.close().await.unwrap();
}
