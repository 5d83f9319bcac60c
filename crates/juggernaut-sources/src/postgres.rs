//! A PostgreSQL data source: a pool of at most two connections, opened on the first read. Each
//! read runs in a transaction begun `READ ONLY` with `SET LOCAL statement_timeout`, so PostgreSQL
//! itself refuses writes (`INSERT`, `CREATE TABLE`, `nextval`, ...), and the query goes through
//! a prepared statement, which PostgreSQL refuses to hold several commands. A read-only
//! transaction does not stop a superuser (or a member of `pg_write_server_files`,
//! `pg_execute_server_program` or `pg_read_server_files`, or a role allowed the server-side
//! `lo_import`/`lo_export`) from reading or writing the server's files, so a read as such a role
//! is refused (checked by the transaction's first query, after which it cannot be made
//! read-write). Metric reads and rows reads ([`crate::pg_rows`]) open the same transaction
//! (`begin_read_only`), and every one ends in a rollback, so what PostgreSQL lets a read-only
//! transaction change anyway (a large object, a `NOTIFY`) is undone. After each read the session
//! is reset (settings, advisory locks,
//! prepared statements) before the connection goes back to the pool.

use crate::error::Fail;
use crate::rows::{RowLimits, Rows};
use crate::{SourceError, number, pg_rows};
use futures::TryStreamExt;
use juggernaut_store::url::{redact, scrub};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions, PgRow, Postgres};
use sqlx::{Connection, Row, Transaction, TypeInfo, ValueRef};
use std::str::FromStr;
use std::sync::OnceLock;
use std::time::Duration;

/// How long past its own deadline a read is given before it is abandoned.
const GRACE: Duration = Duration::from_secs(2);

/// The URL parameters sqlx-postgres reads; any other is refused (the driver would log its value,
/// which may be a secret).
const KNOWN: [&str; 14] = [
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "statement-cache-capacity",
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "application_name",
    "options",
    "ssl-mode",
];

/// Whether the connected role can reach the server's files despite a read-only transaction: a
/// superuser, a member of a role that reads or writes server files or runs programs, or a role
/// allowed the server-side `lo_import`/`lo_export` (which PostgreSQL runs in read-only
/// transactions).
const WRITER_ROLE: &str = "SELECT EXISTS (SELECT 1 FROM pg_roles r \
     WHERE (r.rolsuper OR r.rolname IN ('pg_write_server_files', 'pg_execute_server_program', \
                                        'pg_read_server_files')) \
       AND pg_has_role(current_user, r.oid, 'MEMBER')) \
     OR has_function_privilege('lo_import(text)', 'EXECUTE') \
     OR has_function_privilege('lo_import(text, oid)', 'EXECUTE') \
     OR has_function_privilege('lo_export(oid, text)', 'EXECUTE')";

/// A PostgreSQL database.
pub struct PostgresSource {
    name: String,
    url: String,
    options: PgConnectOptions,
    pool: OnceLock<PgPool>,
}

impl std::fmt::Debug for PostgresSource {
    /// The name and the URL without its credentials (the connect options hold the password).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresSource")
            .field("name", &self.name)
            .field("url", &redact(&self.url))
            .finish_non_exhaustive()
    }
}

impl PostgresSource {
    /// `postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=...]`.
    pub fn parse(name: &str, url: &str) -> Result<Self, SourceError> {
        if let Some((_, query)) = url.split_once('?') {
            let unknown: Vec<&str> = query
                .split('&')
                .filter(|p| !p.is_empty())
                .map(|p| p.split_once('=').map_or(p, |(k, _)| k))
                .filter(|k| !KNOWN.contains(k))
                .collect();
            if !unknown.is_empty() {
                return Err(SourceError::config(
                    name,
                    &format!(
                        "unknown URL parameter(s) {} (known: {})",
                        unknown.join(", "),
                        KNOWN.join(", ")
                    ),
                ));
            }
        }
        let options = PgConnectOptions::from_str(url).map_err(|e| {
            SourceError::config(
                name,
                &format!(
                    "invalid URL `{}`: {}",
                    redact(url),
                    scrub(&e.to_string(), url)
                ),
            )
        })?;
        Ok(Self {
            name: name.to_owned(),
            url: url.to_owned(),
            options: options.application_name("juggernaut-sources"),
            pool: OnceLock::new(),
        })
    }

    /// The pool, made on first use (connections open when a read needs one).
    fn pool(&self, timeout: Duration) -> &PgPool {
        self.pool.get_or_init(|| {
            PgPoolOptions::new()
                .max_connections(2)
                .min_connections(0)
                .acquire_timeout(timeout)
                .idle_timeout(Some(Duration::from_secs(300)))
                .connect_lazy_with(self.options.clone())
        })
    }

    /// The one number `query` returns, read in a read-only transaction within `timeout`.
    pub async fn read(&self, query: &str, timeout: Duration) -> Result<f64, SourceError> {
        let pool = self.pool(timeout);
        let run = async {
            let mut conn = pool.acquire().await.map_err(unavailable)?;
            let result = first_number(&mut conn, query, timeout).await;
            end_session(conn, true).await;
            result
        };
        self.bounded(timeout, run).await
    }

    /// The rows `query` returns (up to `limits`), read in a read-only transaction within
    /// `timeout` (see [`crate::pg_rows`]).
    pub async fn rows(
        &self,
        query: &str,
        timeout: Duration,
        limits: RowLimits,
    ) -> Result<Rows, SourceError> {
        let pool = self.pool(timeout);
        let run = async {
            let mut conn = pool.acquire().await.map_err(unavailable)?;
            let result = pg_rows::rows(&mut conn, query, timeout, limits).await;
            // A result cut short left rows unread: the connection is closed, not drained.
            let drained = !matches!(&result, Ok(rows) if rows.truncated);
            end_session(conn, drained).await;
            result
        };
        self.bounded(timeout, run).await
    }

    /// `run`'s result, given up on `GRACE` past `timeout`, with errors named and scrubbed of
    /// the URL's secrets.
    async fn bounded<T>(
        &self,
        timeout: Duration,
        run: impl Future<Output = Result<T, Fail>>,
    ) -> Result<T, SourceError> {
        match tokio::time::timeout(timeout + GRACE, run).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(fail)) => Err(fail.named(&self.name, |r| scrub(r, &self.url))),
            Err(_) => Err(SourceError::sql(
                &self.name,
                format!("no answer within {} ms", timeout.as_millis()),
            )),
        }
    }

    /// Closes the pool, if it was made.
    pub async fn close(&self) {
        if let Some(p) = self.pool.get() {
            p.close().await;
        }
    }
}

fn unavailable(e: sqlx::Error) -> Fail {
    Fail::Unavailable(e.to_string())
}

fn sql(e: sqlx::Error) -> Fail {
    Fail::Sql(e.to_string())
}

/// Gives the connection back to the pool with nothing one read left on the session (settings,
/// advisory locks, prepared statements), or closes it if that fails or if `drained` is false
/// (rows of the last query are still on the way).
async fn end_session(mut conn: PoolConnection<Postgres>, drained: bool) {
    if !drained {
        conn.close_on_drop();
        return;
    }
    let reset = sqlx::raw_sql("RESET ALL; SELECT pg_advisory_unlock_all()")
        .execute(&mut *conn)
        .await;
    if reset.is_err() || conn.clear_cached_statements().await.is_err() {
        conn.close_on_drop();
    }
}

/// A transaction begun `READ ONLY`, bounded by `timeout`, on a role that cannot write files on
/// the server: every read goes through one.
pub(crate) async fn begin_read_only(
    conn: &mut PgConnection,
    timeout: Duration,
) -> Result<Transaction<'_, Postgres>, Fail> {
    let ms = timeout.as_millis().max(1);
    let mut tx = conn.begin_with("BEGIN READ ONLY").await.map_err(sql)?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "SET LOCAL statement_timeout = {ms}; SET LOCAL lock_timeout = {ms}"
    )))
    .execute(&mut *tx)
    .await
    .map_err(sql)?;
    // The first query of the transaction: from here on it cannot be made read-write.
    let writer: bool = sqlx::query_scalar(WRITER_ROLE)
        .fetch_optional(&mut *tx)
        .await
        .map_err(sql)?
        .unwrap_or(false);
    if writer {
        return Err(Fail::Config(
            "the role it connects as is a superuser, or may read or write the server's files \
             (a member of pg_read_server_files, pg_write_server_files or \
             pg_execute_server_program, or allowed lo_import or lo_export), which a read-only \
             transaction does not stop; connect as a role that can only read the database"
                .into(),
        ));
    }
    Ok(tx)
}

/// The one number `query` returns, read in a read-only transaction.
async fn first_number(
    conn: &mut PgConnection,
    query: &str,
    timeout: Duration,
) -> Result<f64, Fail> {
    let mut tx = begin_read_only(conn, timeout).await?;
    let mut rows: Vec<PgRow> = Vec::new();
    {
        // A prepared statement: PostgreSQL refuses several commands in one.
        let q = sqlx::query(sqlx::AssertSqlSafe(query.to_owned())).persistent(false);
        let mut stream = q.fetch(&mut *tx);
        while let Some(row) = stream.try_next().await.map_err(describe)? {
            if !rows.is_empty() {
                return Err(Fail::Sql(
                    "the query returned more than one row; return exactly one".into(),
                ));
            }
            rows.push(row);
        }
    }
    tx.rollback().await.map_err(sql)?;
    let row = rows
        .first()
        .ok_or_else(|| Fail::Sql("the query returned no row; return exactly one".to_owned()))?;
    value(row).map_err(Fail::Sql)
}

/// The database's error, with a hint for the ones a query meets.
pub(crate) fn describe(e: sqlx::Error) -> Fail {
    let text = e.to_string();
    if text.contains("canceling statement due to statement timeout") {
        Fail::Sql(format!("{text} (the query ran past its time)"))
    } else {
        Fail::Sql(text)
    }
}

/// The first column as a number: an integer, a float, a numeric, or numeric text.
fn value(row: &PgRow) -> Result<f64, String> {
    if row.columns().is_empty() {
        return Err("the query returned no column".into());
    }
    let raw = row.try_get_raw(0).map_err(|e| e.to_string())?;
    if raw.is_null() {
        return Err("the first column is NULL, not a number".into());
    }
    let kind = raw.type_info().name().to_owned();
    let e = |e: sqlx::Error| e.to_string();
    let v = match kind.as_str() {
        "INT2" => f64::from(row.try_get::<i16, _>(0).map_err(e)?),
        "INT4" => f64::from(row.try_get::<i32, _>(0).map_err(e)?),
        "INT8" => row.try_get::<i64, _>(0).map_err(e)? as f64,
        "FLOAT4" => f64::from(row.try_get::<f32, _>(0).map_err(e)?),
        "FLOAT8" => row.try_get::<f64, _>(0).map_err(e)?,
        "NUMERIC" => match raw.format() {
            sqlx::postgres::PgValueFormat::Binary => {
                number::from_pg_numeric(raw.as_bytes().map_err(|e| e.to_string())?)?
            }
            sqlx::postgres::PgValueFormat::Text => {
                number::from_text(raw.as_str().map_err(|e| e.to_string())?)?
            }
        },
        "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" | "UNKNOWN" => {
            number::from_text(&row.try_get::<String, _>(0).map_err(e)?)?
        }
        other => return Err(format!("the first column is {other}, not a number")),
    };
    number::finite(v)
}
