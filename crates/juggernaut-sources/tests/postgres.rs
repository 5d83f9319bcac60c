//! A PostgreSQL database read through its data source, as a role that can only read: numbers of
//! each type, one row only, and writes, sequences, `COPY ... TO`, several commands and session
//! leftovers all refused or undone by PostgreSQL; a superuser is refused outright.

use juggernaut_core::goal::MetricSource;
use juggernaut_sources::{SourceConfig, SourceError, Sources};
use juggernaut_testkit::postgres::TestDatabase;
use sqlx::{Connection, PgConnection};
use std::collections::BTreeMap;
use std::time::Duration;

/// A fresh database with `orders(amount numeric)` (10, 20.5, 30), a sequence, and a login role
/// that may only read; removed by [`Shop::remove`] or, if a test panicked first, on drop.
pub(crate) struct Shop {
    pub(crate) db: TestDatabase,
    name: String,
    pub(crate) role: String,
    pub(crate) reader_url: String,
    removed: bool,
}

/// `url` with its user information replaced by `user`.
fn as_user(url: &str, user: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let host_start = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(host_start);
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    format!("{scheme}://{user}@{host}{path}")
}

impl Shop {
    pub(crate) async fn create() -> Self {
        let db = TestDatabase::create().await;
        let name = db
            .url
            .rsplit('/')
            .next()
            .unwrap()
            .split('?')
            .next()
            .unwrap()
            .to_owned();
        let role = format!("{name}_reader");
        let mut admin = PgConnection::connect(&db.url).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "CREATE TABLE orders (id serial PRIMARY KEY, amount numeric NOT NULL);
             INSERT INTO orders (amount) VALUES (10), (20.5), (30);
             CREATE TABLE misc (word text, nothing text, num text, f float8, r real, small int2);
             INSERT INTO misc VALUES ('many', NULL, '42.5', 1.25, 2.5, 3);
             CREATE SEQUENCE ticket;
             CREATE ROLE {role} LOGIN;
             GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role};
             GRANT USAGE, SELECT ON SEQUENCE ticket TO {role};"
        )))
        .execute(&mut admin)
        .await
        .unwrap();
        admin.close().await.unwrap();
        let reader_url = as_user(&db.url, &role);
        Self {
            db,
            name,
            role,
            reader_url,
            removed: false,
        }
    }

    pub(crate) fn sources(&self, url: &str) -> Sources {
        let config = BTreeMap::from([("shop".to_owned(), SourceConfig { url: url.into() })]);
        Sources::new(config)
            .unwrap()
            .with_timeout(Duration::from_millis(800))
    }

    pub(crate) async fn admin(&self) -> PgConnection {
        PgConnection::connect(&self.db.url).await.unwrap()
    }

    pub(crate) async fn remove(mut self) {
        self.removed = true;
        self.db.remove().await;
        drop_role(&self.role).await;
    }
}

/// Drops `role` (its grants went with the test database).
async fn drop_role(role: &str) {
    let mut server = PgConnection::connect(&juggernaut_testkit::postgres::admin_url())
        .await
        .unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP ROLE IF EXISTS {role}")))
        .execute(&mut server)
        .await
        .unwrap();
    server.close().await.unwrap();
}

impl Drop for Shop {
    fn drop(&mut self) {
        if self.removed {
            return;
        }
        // A test failed part way: drop the database (and so the role's grants), then the role,
        // from a thread of its own, outside the test's runtime.
        let (name, role) = (self.name.clone(), self.role.clone());
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let admin = juggernaut_testkit::postgres::admin_url();
                let mut server = PgConnection::connect(&admin).await.unwrap();
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                )))
                .execute(&mut server)
                .await
                .unwrap();
                server.close().await.unwrap();
                drop_role(&role).await;
            });
        })
        .join();
    }
}

fn sql(query: &str) -> MetricSource {
    MetricSource::Sql {
        source: "shop".into(),
        query: query.into(),
    }
}

async fn refused(s: &Sources, query: &str) -> String {
    match s.read(&sql(query)).await {
        Err(
            e @ (SourceError::Sql { .. }
            | SourceError::Config { .. }
            | SourceError::Unavailable { .. }),
        ) => {
            let text = e.to_string();
            assert!(text.starts_with("data source `shop`: "), "{text}");
            text
        }
        other => panic!("{query}: expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn numbers_of_every_type_are_read_in_read_only_transactions() {
    let shop = Shop::create().await;
    let s = shop.sources(&shop.reader_url);
    assert_eq!(
        s.read(&sql("SELECT sum(amount) FROM orders")).await,
        Ok(60.5)
    );
    assert_eq!(s.read(&sql("SELECT count(*) FROM orders")).await, Ok(3.0));
    assert_eq!(
        s.read(&sql("SELECT avg(amount) FROM orders WHERE amount < 25"))
            .await,
        Ok(15.25)
    );
    assert_eq!(
        s.read(&sql("SELECT -12345.678::numeric")).await,
        Ok(-12345.678)
    );
    assert_eq!(s.read(&sql("SELECT f FROM misc")).await, Ok(1.25));
    assert_eq!(s.read(&sql("SELECT r FROM misc")).await, Ok(2.5));
    assert_eq!(s.read(&sql("SELECT small FROM misc")).await, Ok(3.0));
    assert_eq!(s.read(&sql("SELECT num FROM misc")).await, Ok(42.5));
    assert_eq!(s.read(&sql("SELECT 7::int4, 'ignored'")).await, Ok(7.0));
    assert!(
        refused(&s, "SELECT nothing FROM misc")
            .await
            .contains("NULL")
    );
    assert!(
        refused(&s, "SELECT word FROM misc")
            .await
            .contains("`many` is not a number")
    );
    assert!(refused(&s, "SELECT now()").await.contains("not a number"));
    assert!(refused(&s, "SELECT 'NaN'::numeric").await.contains("NaN"));
    assert!(refused(&s, "SELECT 1 WHERE false").await.contains("no row"));
    assert!(
        refused(&s, "SELECT amount FROM orders")
            .await
            .contains("more than one row")
    );
    s.close().await;
    shop.remove().await;
}

#[tokio::test]
async fn writes_sequences_copy_and_several_commands_are_refused_by_postgres() {
    let shop = Shop::create().await;
    let s = shop.sources(&shop.reader_url);
    for (query, needle) in [
        (
            "INSERT INTO orders (amount) VALUES (1000)",
            "read-only transaction",
        ),
        ("UPDATE orders SET amount = 0", "read-only transaction"),
        ("DELETE FROM orders", "read-only transaction"),
        ("CREATE TABLE stolen (x int)", "read-only transaction"),
        ("CREATE TEMP TABLE scratch (x int)", "read-only transaction"),
        ("SELECT nextval('ticket')", "read-only transaction"),
        (
            "SELECT set_config('transaction_read_only', 'off', true)",
            "read-write mode",
        ),
        ("SET TRANSACTION READ WRITE", "read-write mode"),
        (
            "COPY (SELECT 1) TO '/tmp/jg_sources_copy_test'",
            "COPY to a file",
        ),
        ("SELECT 1; DELETE FROM orders", "multiple commands"),
        ("SELECT 1; SELECT 2", "multiple commands"),
    ] {
        let why = refused(&s, query).await;
        assert!(why.contains(needle), "{query}: {why}");
    }
    assert!(!std::path::Path::new("/tmp/jg_sources_copy_test").exists());
    // COPY TO STDOUT is no query result either.
    refused(&s, "COPY orders TO STDOUT").await;
    let slow = refused(&s, "SELECT pg_sleep(5)::text").await;
    assert!(slow.contains("statement timeout"), "{slow}");
    // A session-level lock taken by one read is gone before the next.
    refused(&s, "SELECT pg_advisory_lock(42)").await;
    assert_eq!(
        s.read(&sql(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 42 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ))
        .await,
        Ok(0.0)
    );
    let mut admin = shop.admin().await;
    let (n, total): (i64, String) =
        sqlx::query_as("SELECT count(*), sum(amount)::text FROM orders")
            .fetch_one(&mut admin)
            .await
            .unwrap();
    assert_eq!((n, total.as_str()), (3, "60.5"));
    let seq: i64 = sqlx::query_scalar("SELECT last_value FROM ticket")
        .fetch_one(&mut admin)
        .await
        .unwrap();
    let called: bool = sqlx::query_scalar("SELECT is_called FROM ticket")
        .fetch_one(&mut admin)
        .await
        .unwrap();
    assert_eq!((seq, called), (1, false), "the sequence never moved");
    admin.close().await.unwrap();
    s.close().await;
    shop.remove().await;
}

#[tokio::test]
async fn superusers_are_refused_and_credentials_never_show() {
    let shop = Shop::create().await;
    let s = shop.sources(&shop.db.url);
    let why = refused(&s, "SELECT 1").await;
    assert!(why.contains("superuser"), "{why}");
    assert!(matches!(
        s.read(&sql("SELECT 1")).await,
        Err(SourceError::Config { .. })
    ));
    s.close().await;
    let secret = "postgres://reader:S3cr3tPW@127.0.0.1:1/shop?sslmode=disable";
    let s = shop.sources(secret);
    let why = refused(&s, "SELECT 1").await;
    assert!(!why.contains("S3cr3tPW"), "{why}");
    assert!(matches!(
        s.read(&sql("SELECT 1")).await,
        Err(SourceError::Unavailable { .. })
    ));
    let bad = SourceConfig {
        url: "postgres://reader:S3cr3tPW@h/db?sslpassword=S3cr3tPW&tokenx=1".into(),
    }
    .check("shop")
    .unwrap_err()
    .to_string();
    assert!(
        bad.contains("unknown URL parameter(s) sslpassword, tokenx"),
        "{bad}"
    );
    assert!(!bad.contains("S3cr3tPW"), "{bad}");
    shop.remove().await;
}

#[tokio::test]
async fn a_role_that_can_become_a_superuser_is_refused() {
    let shop = Shop::create().await;
    let mut admin = shop.admin().await;
    // The reader may `SET ROLE postgres`: as good as a superuser.
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "GRANT postgres TO {}",
        shop.role
    )))
    .execute(&mut admin)
    .await
    .unwrap();
    admin.close().await.unwrap();
    let s = shop.sources(&shop.reader_url);
    let why = refused(&s, "SELECT 1").await;
    assert!(why.contains("superuser"), "{why}");
    s.close().await;
    shop.remove().await;
}
