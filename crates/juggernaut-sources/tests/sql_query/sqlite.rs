//! `sql_query` on a SQLite file: rows of a join with each storage class, the row cap, and every
//! way to write refused by SQLite with the file unchanged and no file created.

use super::{bad_arguments_are_shown_to_the_model, call, refused, rows, tool};
use juggernaut_sources::{SourceConfig, Sources};
use juggernaut_tools::ToolError;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// A folder with `shop.db`: customers, their orders (a real, a text or NULL, a BLOB).
fn shop() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.db");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
             INSERT INTO customers VALUES (1, 'Ada'), (2, 'Brian');
             CREATE TABLE orders (id INTEGER PRIMARY KEY, customer INTEGER, amount REAL,
                                  note TEXT, receipt BLOB);
             INSERT INTO orders VALUES (10, 1, 20.5, 'gift', x'00ff10'), (11, 1, 3, NULL, NULL),
                                       (12, 2, 7.25, 'é', NULL);",
        )
        .unwrap();
    (dir, path)
}

fn sources(path: &Path) -> Arc<Sources> {
    let config = BTreeMap::from([(
        "shop".to_owned(),
        SourceConfig {
            url: format!("sqlite://{}", path.display()),
        },
    )]);
    Arc::new(
        Sources::new(config)
            .unwrap()
            .with_timeout(Duration::from_millis(2000)),
    )
}

#[tokio::test]
async fn a_join_returns_its_rows_with_their_types() {
    let (_dir, path) = shop();
    let t = tool(&sources(&path));
    let got = rows(
        &t,
        "SELECT c.name, o.id, o.amount, o.note, o.receipt, o.amount > 5 AS big
         FROM orders o JOIN customers c ON c.id = o.customer ORDER BY o.id",
    )
    .await;
    assert_eq!(
        got,
        json!({
            "source": "shop",
            "columns": ["name", "id", "amount", "note", "receipt", "big"],
            "rows": [
                ["Ada", 10, 20.5, "gift", "base64:AP8Q", 1],
                ["Ada", 11, 3.0, null, null, 0],
                ["Brian", 12, 7.25, "é", null, 1],
            ],
            "row_count": 3,
            "truncated": false,
        })
    );
    let empty = rows(&t, "SELECT id FROM orders WHERE id < 0").await;
    assert_eq!(empty["columns"], json!(["id"]));
    assert_eq!(
        (empty["row_count"].clone(), empty["rows"].clone()),
        (json!(0), json!([]))
    );
    let long = rows(&t, "SELECT printf('%.5000c', 'x') AS s").await;
    let cell = long["rows"][0][0].as_str().unwrap();
    assert!(
        cell.starts_with("xxx") && cell.ends_with("[cut: 904 more bytes]"),
        "{cell}"
    );
    bad_arguments_are_shown_to_the_model(&t).await;
}

#[tokio::test]
async fn the_row_cap_truncates() {
    let (_dir, path) = shop();
    let t = tool(&sources(&path));
    let series = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) \
                  SELECT i FROM n";
    let all = rows(&t, series).await;
    assert_eq!(
        (all["row_count"].clone(), all["truncated"].clone()),
        (json!(1000), json!(true))
    );
    assert_eq!(all["rows"][999], json!([1000]));
    let few = call(
        &t,
        json!({"source": "shop", "query": series, "max_rows": 2}),
    )
    .await
    .unwrap();
    assert_eq!(few["rows"], json!([[1], [2]]));
    assert_eq!(few["truncated"], json!(true));
    let exact = call(
        &t,
        json!({"source": "shop", "query": "SELECT id FROM orders", "max_rows": 3}),
    )
    .await
    .unwrap();
    assert_eq!(
        (exact["row_count"].clone(), exact["truncated"].clone()),
        (json!(3), json!(false))
    );
    let huge = call(
        &t,
        json!({"source": "shop", "query": series, "max_rows": 1_000_000}),
    )
    .await
    .unwrap();
    assert_eq!(
        huge["row_count"],
        json!(1000),
        "max_rows is lowered to the cap"
    );
}

#[tokio::test]
async fn sqlite_refuses_every_write_and_the_file_stays_the_same() {
    let (dir, path) = shop();
    let t = tool(&sources(&path));
    let before = std::fs::read(&path).unwrap();
    let other = dir.path().join("other.db");
    for (query, needle) in [
        ("INSERT INTO orders (id) VALUES (99)", "writes"),
        ("INSERT INTO orders (id) VALUES (99) RETURNING id", "writes"),
        ("UPDATE orders SET amount = 0", "writes"),
        ("DELETE FROM orders", "writes"),
        ("CREATE TABLE stolen (x)", "writes"),
        ("CREATE TEMP TABLE scratch (x)", "writes"),
        ("DROP TABLE orders", "writes"),
        ("SELECT 1; DELETE FROM orders", "several statements"),
        ("SELECT 1; SELECT 2", "several statements"),
        ("PRAGMA writable_schema = 1", "no column"),
        ("PRAGMA journal_mode = DELETE", "writes"),
        ("PRAGMA user_version = 7", "writes"),
        ("VACUUM", "writes"),
        (
            &*format!("ATTACH DATABASE '{}' AS o", other.display()),
            "no column",
        ),
        (&*format!("VACUUM INTO '{}'", other.display()), "writes"),
        (
            "WITH gone AS (DELETE FROM orders RETURNING id) SELECT * FROM gone",
            "syntax error",
        ),
    ] {
        let why = refused(&t, query).await;
        assert!(why.contains(needle), "{query}: {why}");
    }
    assert!(!other.exists(), "a file was created");
    assert_eq!(std::fs::read(&path).unwrap(), before, "the file changed");
    let n = rows(&t, "SELECT count(*) AS n FROM orders").await;
    assert_eq!(n["rows"], json!([[3]]));
}

#[tokio::test]
async fn a_missing_file_ends_the_attempt_retryable() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.db");
    let t = tool(&sources(&missing));
    match call(&t, json!({"source": "shop", "query": "SELECT 1"})).await {
        Err(ToolError::Abort { message, retryable }) => {
            assert!(retryable);
            assert!(message.contains("is not a file"), "{message}");
        }
        other => panic!("expected an abort, got {other:?}"),
    }
    assert!(!missing.exists());
}
