//! A SQLite file read through its data source: numbers of each storage class, one row only, and
//! every way to write (statements, a writable schema, `ATTACH`, several statements) refused by
//! SQLite with the file unchanged and no file created.

use juggernaut_core::goal::MetricSource;
use juggernaut_sources::{SourceConfig, SourceError, Sources};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A folder with `shop.db`: `orders(amount)` holding 10, 20.5 and 30, and `misc` with a text, a
/// NULL and a numeric text.
async fn shop() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, amount REAL NOT NULL);
         INSERT INTO orders (amount) VALUES (10), (20.5), (30);
         CREATE TABLE misc (word TEXT, empty TEXT, num TEXT);
         INSERT INTO misc VALUES ('many', NULL, ' 42.5 ');",
    )
    .unwrap();
    drop(conn);
    (dir, path)
}

fn sources(path: &Path) -> Sources {
    let config = BTreeMap::from([(
        "shop".to_owned(),
        SourceConfig {
            url: format!("sqlite://{}", path.display()),
        },
    )]);
    Sources::new(config)
        .unwrap()
        .with_timeout(Duration::from_millis(500))
}

fn sql(query: &str) -> MetricSource {
    MetricSource::Sql {
        source: "shop".into(),
        query: query.into(),
    }
}

async fn refused(s: &Sources, query: &str) -> String {
    match s.read(&sql(query)).await {
        Err(e @ (SourceError::Sql { .. } | SourceError::Unavailable { .. })) => {
            let text = e.to_string();
            assert!(text.starts_with("data source `shop`: "), "{text}");
            text
        }
        other => panic!("{query}: expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn numbers_of_every_kind_are_read() {
    let (_dir, path) = shop().await;
    let s = sources(&path);
    assert_eq!(
        s.read(&sql("SELECT sum(amount) FROM orders")).await,
        Ok(60.5)
    );
    assert_eq!(s.read(&sql("SELECT count(*) FROM orders;")).await, Ok(3.0));
    assert_eq!(s.read(&sql("SELECT num FROM misc -- text")).await, Ok(42.5));
    assert_eq!(s.read(&sql("SELECT 7, 'ignored'")).await, Ok(7.0));
    let null = refused(&s, "SELECT empty FROM misc").await;
    assert!(null.contains("NULL"), "{null}");
    let word = refused(&s, "SELECT word FROM misc").await;
    assert!(word.contains("`many` is not a number"), "{word}");
    let none = refused(&s, "SELECT amount FROM orders WHERE amount > 100").await;
    assert!(none.contains("no row"), "{none}");
    let many = refused(&s, "SELECT amount FROM orders").await;
    assert!(many.contains("more than one row"), "{many}");
    let blob = refused(&s, "SELECT x'00'").await;
    assert!(blob.contains("BLOB"), "{blob}");
    let typo = refused(&s, "SELECT sum(amount) FROM order_lines").await;
    assert!(typo.contains("no such table"), "{typo}");
}

#[tokio::test]
async fn writes_are_refused_by_sqlite_and_change_nothing() {
    let (dir, path) = shop().await;
    let s = sources(&path);
    let before = std::fs::read(&path).unwrap();
    for write in [
        "INSERT INTO orders (amount) VALUES (1000)",
        "UPDATE orders SET amount = 0",
        "DELETE FROM orders",
        "CREATE TABLE stolen (x)",
        "CREATE TEMP TABLE scratch (x)",
        "DROP TABLE orders",
        "INSERT INTO orders (amount) VALUES (1000) RETURNING amount",
    ] {
        let why = refused(&s, write).await;
        assert!(
            why.contains("writes") || why.contains("readonly"),
            "{write}: {why}"
        );
    }
    // The pragma itself returns nothing; with it, the schema still cannot be written.
    refused(&s, "PRAGMA writable_schema = 1").await;
    refused(
        &s,
        "PRAGMA writable_schema = 1; UPDATE sqlite_master SET sql = 'x' WHERE name = 'orders'",
    )
    .await;
    let several = refused(&s, "SELECT 1; DELETE FROM orders").await;
    assert!(several.contains("several statements"), "{several}");
    let several = refused(&s, "SELECT 1; SELECT 2").await;
    assert!(several.contains("several statements"), "{several}");
    refused(&s, "VACUUM").await;
    let vacuum_into = dir.path().join("copy.db");
    refused(&s, &format!("VACUUM INTO '{}'", vacuum_into.display())).await;
    assert!(!vacuum_into.exists(), "VACUUM INTO wrote a file");
    assert_eq!(std::fs::read(&path).unwrap(), before, "the file changed");
    assert_eq!(
        s.read(&sql("SELECT sum(amount) FROM orders")).await,
        Ok(60.5)
    );
}

#[tokio::test]
async fn attach_creates_no_file_and_writes_nothing() {
    let (dir, path) = shop().await;
    let (_other_dir, other) = shop().await;
    let s = sources(&path);
    let new = dir.path().join("new.db");
    refused(&s, &format!("ATTACH DATABASE '{}' AS x", new.display())).await;
    // After another statement, it is refused before anything runs.
    let why = refused(
        &s,
        &format!(
            "SELECT 1 FROM (SELECT 1) WHERE 0; ATTACH '{}' AS x",
            new.display()
        ),
    )
    .await;
    assert!(why.contains("several statements"), "{why}");
    let uri = format!("ATTACH DATABASE 'file:{}?mode=rwc' AS x", new.display());
    refused(&s, &uri).await;
    assert!(!new.exists(), "ATTACH created {}", new.display());
    // An existing file attaches read-only, like the main one: nothing reaches it.
    let before = std::fs::read(&other).unwrap();
    let attach_and_write = format!(
        "ATTACH DATABASE '{}' AS o; INSERT INTO o.orders (amount) VALUES (1)",
        other.display()
    );
    refused(&s, &attach_and_write).await;
    assert_eq!(std::fs::read(&other).unwrap(), before);
    assert!(!dir.path().join("new.db-journal").exists());
}

#[tokio::test]
async fn a_missing_file_is_not_created_and_a_slow_query_is_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.db");
    let s = sources(&missing);
    let why = refused(&s, "SELECT 1").await;
    assert!(why.contains("is not a file"), "{why}");
    assert!(matches!(
        s.read(&sql("SELECT 1")).await,
        Err(SourceError::Unavailable { .. })
    ));
    assert!(!missing.exists());
    let (_dir, path) = shop().await;
    let s = sources(&path);
    let started = std::time::Instant::now();
    let slow =
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT max(i) FROM n";
    let why = refused(&s, slow).await;
    assert!(why.contains("ran longer than 500 ms"), "{why}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}
