//! `sql_query` on PostgreSQL as a role that can only read: a join's rows with each type mapped
//! to JSON, the row cap (the connection closed, not drained), and writes, sequences, `COPY`,
//! large objects, writable CTEs and several commands refused by PostgreSQL; session leftovers
//! (settings, advisory locks) undone; a superuser refused for good.

use super::{bad_arguments_are_shown_to_the_model, call, refused, rows, tool};
use crate::postgres::Shop;
use juggernaut_tools::ToolError;
use serde_json::json;
use sqlx::Connection;
use std::sync::Arc;

/// The shop with customers and a table of many types, readable by its reader role.
async fn shop() -> Shop {
    let shop = Shop::create().await;
    let mut admin = shop.admin().await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "CREATE TABLE customers (id int4 PRIMARY KEY, name text NOT NULL);
         INSERT INTO customers VALUES (1, 'Ada'), (2, 'Brian');
         ALTER TABLE orders ADD COLUMN customer int4;
         UPDATE orders SET customer = CASE WHEN id = 3 THEN 2 ELSE 1 END;
         CREATE TABLE kinds (big int8, f float8, n numeric, ok bool, at timestamptz,
                             local timestamp, doc jsonb, raw bytea, id uuid, tags int4[],
                             day date, span interval);
         INSERT INTO kinds VALUES (9007199254740993, 0.1, 12345.678, true,
             '2024-05-06 07:08:09.5+00', '2024-05-06 07:08:09', '{{\"a\": [1, null]}}',
             '\\x00ff10', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{{1,2}}', '2024-05-06',
             '1 day 02:00:00');
         GRANT SELECT ON customers, kinds TO {role};
         GRANT UPDATE ON SEQUENCE ticket TO {role};",
        role = shop.role
    )))
    .execute(&mut admin)
    .await
    .unwrap();
    admin.close().await.unwrap();
    shop
}

#[tokio::test]
async fn a_join_returns_its_rows_with_their_types() {
    let shop = shop().await;
    let s = Arc::new(shop.sources(&shop.reader_url));
    let t = tool(&s);
    let got = rows(
        &t,
        "SELECT c.name, o.id, o.amount, o.amount > 15 AS big
         FROM orders o JOIN customers c ON c.id = o.customer ORDER BY o.id DESC",
    )
    .await;
    assert_eq!(
        got,
        json!({
            "source": "shop",
            "columns": ["name", "id", "amount", "big"],
            "rows": [["Brian", 3, 30, true], ["Ada", 2, 20.5, true], ["Ada", 1, 10, false]],
            "row_count": 3,
            "truncated": false,
        })
    );
    let kinds = rows(
        &t,
        "SELECT *, NULL::text AS nothing, 'x'::text AS x, 'x' AS x FROM kinds",
    )
    .await;
    assert_eq!(
        kinds["columns"],
        json!([
            "big", "f", "n", "ok", "at", "local", "doc", "raw", "id", "tags", "day", "span",
            "nothing", "x", "x"
        ])
    );
    assert_eq!(
        kinds["rows"][0],
        json!([9007199254740993_i64, 0.1, 12345.678, true, "2024-05-06T07:08:09.5+00:00",
               "2024-05-06T07:08:09", {"a": [1, null]}, "base64:AP8Q",
               "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "{1,2}", "2024-05-06", "1 day 02:00:00",
               null, "x", "x"])
    );
    let odd = rows(
        &t,
        "SELECT 'NaN'::float8, 'Infinity'::numeric, 1e30::numeric",
    )
    .await;
    assert_eq!(
        odd["rows"][0],
        json!(["NaN", "Infinity", "1000000000000000000000000000000"])
    );
    bad_arguments_are_shown_to_the_model(&t).await;
    s.close().await;
    shop.remove().await;
}

#[tokio::test]
async fn the_row_cap_truncates_and_the_pool_still_serves() {
    let shop = shop().await;
    let s = Arc::new(shop.sources(&shop.reader_url));
    let t = tool(&s);
    for _ in 0..3 {
        let all = rows(&t, "SELECT i FROM generate_series(1, 100000) AS i").await;
        assert_eq!(
            (all["row_count"].clone(), all["truncated"].clone()),
            (json!(1000), json!(true))
        );
        assert_eq!(all["rows"][999], json!([1000]));
    }
    let few = call(
        &t,
        json!({"source": "shop", "query": "SELECT id FROM orders ORDER BY id", "max_rows": 2}),
    )
    .await
    .unwrap();
    assert_eq!(
        (few["rows"].clone(), few["truncated"].clone()),
        (json!([[1], [2]]), json!(true))
    );
    let exact = call(
        &t,
        json!({"source": "shop", "query": "SELECT id FROM orders", "max_rows": 3}),
    )
    .await
    .unwrap();
    assert_eq!(exact["truncated"], json!(false));
    s.close().await;
    shop.remove().await;
}

#[tokio::test]
async fn postgres_refuses_writes_copy_sequences_and_large_objects() {
    let shop = shop().await;
    let s = Arc::new(shop.sources(&shop.reader_url));
    let t = tool(&s);
    let file = "/tmp/jg_sql_query_copy_test";
    let ro = "read-only transaction";
    for (query, needle) in [
        // Without RETURNING, a write returns no rows: refused before it runs.
        (
            "INSERT INTO orders (amount) VALUES (1000)",
            "returns no rows",
        ),
        ("UPDATE orders SET amount = 0", "returns no rows"),
        ("DELETE FROM orders", "returns no rows"),
        // With RETURNING, it runs, and PostgreSQL refuses it.
        ("INSERT INTO orders (amount) VALUES (1000) RETURNING id", ro),
        ("UPDATE orders SET amount = 0 RETURNING id", ro),
        ("DELETE FROM orders RETURNING id", ro),
        ("CREATE TABLE stolen (x int)", "returns no rows"),
        ("CREATE TABLE stolen AS SELECT 1 AS x", "returns no rows"),
        ("SELECT 1; DELETE FROM orders", "multiple commands"),
        ("SELECT 1 AS a; SELECT 2 AS b", "multiple commands"),
        (
            "WITH gone AS (DELETE FROM orders RETURNING id) SELECT * FROM gone",
            ro,
        ),
        ("SELECT nextval('ticket')", ro),
        ("SELECT setval('ticket', 100)", ro),
        ("SELECT lo_import('/etc/hostname')", "permission denied"),
        (
            "SELECT set_config('transaction_read_only', 'off', true)",
            "read-write mode",
        ),
        ("SET TRANSACTION READ WRITE", "returns no rows"),
        ("COMMIT", "returns no rows"),
        (&*format!("COPY (SELECT 1) TO '{file}'"), "returns no rows"),
        (
            &*format!("COPY orders TO PROGRAM 'touch {file}'"),
            "returns no rows",
        ),
        ("COPY orders TO STDOUT", "returns no rows"),
        ("SELECT pg_sleep(5)::text", "statement timeout"),
    ] {
        let why = refused(&t, query).await;
        assert!(why.contains(needle), "{query}: {why}");
    }
    assert!(!std::path::Path::new(file).exists(), "COPY wrote a file");
    // PostgreSQL 15 makes large objects in a read-only transaction; the rollback undoes them.
    rows(&t, "SELECT lo_create(0), lo_from_bytea(0, 'abc')").await;
    // Harmless: settings and advisory locks a query takes are undone before the next read.
    let set = rows(&t, "SELECT set_config('work_mem', '1234kB', false) AS w").await;
    assert_eq!(set["rows"], json!([["1234kB"]]));
    rows(&t, "SELECT pg_advisory_lock(42)").await;
    let mut admin = shop.admin().await;
    for _ in 0..4 {
        let w = rows(&t, "SELECT current_setting('work_mem') AS w").await;
        assert_ne!(
            w["rows"],
            json!([["1234kB"]]),
            "the setting outlived its read"
        );
    }
    let locks: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' \
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    )
    .fetch_one(&mut admin)
    .await
    .unwrap();
    assert_eq!(locks, 0, "an advisory lock outlived its read");
    let (n, total): (i64, String) =
        sqlx::query_as("SELECT count(*), sum(amount)::text FROM orders")
            .fetch_one(&mut admin)
            .await
            .unwrap();
    assert_eq!((n, total.as_str()), (3, "60.5"));
    let (seq, called): (i64, bool) = sqlx::query_as("SELECT last_value, is_called FROM ticket")
        .fetch_one(&mut admin)
        .await
        .unwrap();
    assert_eq!((seq, called), (1, false), "the sequence moved");
    let objects: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_largeobject_metadata")
        .fetch_one(&mut admin)
        .await
        .unwrap();
    assert_eq!(objects, 0, "a large object was made");
    let tables: i64 =
        sqlx::query_scalar("SELECT count(*) FROM pg_tables WHERE tablename = 'stolen'")
            .fetch_one(&mut admin)
            .await
            .unwrap();
    assert_eq!(tables, 0);
    admin.close().await.unwrap();
    s.close().await;
    shop.remove().await;
}

#[tokio::test]
async fn a_login_that_can_reach_server_files_ends_the_attempt_for_good() {
    let shop = shop().await;
    let mut admin = shop.admin().await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "GRANT EXECUTE ON FUNCTION lo_import(text) TO {}",
        shop.role
    )))
    .execute(&mut admin)
    .await
    .unwrap();
    admin.close().await.unwrap();
    let s = Arc::new(shop.sources(&shop.reader_url));
    let t = tool(&s);
    let q = json!({"source": "shop", "query": "SELECT lo_import('/etc/hostname')"});
    match call(&t, q).await {
        Err(ToolError::Abort { message, retryable }) => {
            assert!(!retryable);
            assert!(message.contains("lo_import"), "{message}");
        }
        other => panic!("expected an abort, got {other:?}"),
    }
    s.close().await;
    shop.remove().await;
}

#[tokio::test]
async fn a_superuser_login_ends_the_attempt_for_good() {
    let shop = shop().await;
    let s = Arc::new(shop.sources(&shop.db.url));
    let t = tool(&s);
    match call(&t, json!({"source": "shop", "query": "SELECT 1"})).await {
        Err(ToolError::Abort { message, retryable }) => {
            assert!(!retryable);
            assert!(message.contains("superuser"), "{message}");
        }
        other => panic!("expected an abort, got {other:?}"),
    }
    s.close().await;
    let down = shop.sources("postgres://reader:S3cr3tPW@127.0.0.1:1/shop?sslmode=disable");
    let t = tool(&Arc::new(down));
    match call(&t, json!({"source": "shop", "query": "SELECT 1"})).await {
        Err(ToolError::Abort { message, retryable }) => {
            assert!(retryable);
            assert!(!message.contains("S3cr3tPW"), "{message}");
        }
        other => panic!("expected an abort, got {other:?}"),
    }
    shop.remove().await;
}
