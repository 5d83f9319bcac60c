//! The audit log is append-only in the database itself: an UPDATE or DELETE of an event sent as
//! raw SQL, past the store, is refused by the triggers of migration 0009, and the pruner keeps
//! the events of the tasks it deletes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use juggernaut_core::{NewTask, TaskKind};
use juggernaut_testkit::{fresh_sqlite_url, open_sqlite};
use sqlx::Connection;

#[tokio::test]
async fn events_cannot_be_changed_or_deleted() {
    let url = fresh_sqlite_url().await;
    let store = open_sqlite(&url).await;
    let task = NewTask::new(TaskKind::new("noop").unwrap());
    let id = store.enqueue(task).await.unwrap().task.id;
    store.cancel(id, "alice", "no").await.unwrap();
    store.close().await;

    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let count = "SELECT COUNT(*) FROM events";
    let before: i64 = sqlx::query_scalar(count)
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(before, 2);
    for statement in [
        "UPDATE events SET actor = 'mallory'",
        "UPDATE events SET data = '{}' WHERE kind = 'task.cancelled'",
        "DELETE FROM events",
        "DELETE FROM events WHERE actor = 'alice'",
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
    conn.close().await.unwrap();
}
