//! A PostgreSQL data source: a pool of at most two connections, opened on the first read. Each
//! read runs in a transaction begun `READ ONLY` with `SET LOCAL statement_timeout`, so PostgreSQL
//! itself refuses writes (`INSERT`, `CREATE TABLE`, `nextval`, ...), and the query goes through
//! a prepared statement, which PostgreSQL refuses to hold several commands. A read-only
//! transaction does not stop a superuser (or a member of `pg_write_server_files` or
//! `pg_execute_server_program`) from writing files with `COPY ... TO`, so a read as such a role
//! is refused (checked by the transaction's first query, after which it cannot be made
//! read-write). After each read the session is reset (settings, advisory
//! locks) before the connection goes back to the pool.

use crate::SourceError;
use crate::number;
use futures::TryStreamExt;
use juggernaut_store::url::{redact, scrub};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions, PgRow};
use sqlx::{Connection, Row, TypeInfo, ValueRef};
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

/// Whether the connected role can write on the server despite a read-only transaction.
const WRITER_ROLE: &str = "SELECT EXISTS (SELECT 1 FROM pg_roles r \
     WHERE (r.rolsuper OR r.rolname IN ('pg_write_server_files', 'pg_execute_server_program')) \
       AND pg_has_role(current_user, r.oid, 'MEMBER'))";

/// A PostgreSQL database.
#[derive(Debug)]
pub struct PostgresSource {
    name: String,
    url: String,
    options: PgConnectOptions,
    pool: OnceLock<PgPool>,
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

    /// Runs `query` in a read-only transaction, within `timeout`.
    pub async fn read(&self, query: &str, timeout: Duration) -> Result<f64, SourceError> {
        let pool = self.pool(timeout);
        let run = async {
            let mut conn = pool.acquire().await.map_err(|e| e.to_string())?;
            let result = first_number(&mut conn, query, timeout).await;
            // Whatever one statement left on the session (settings, advisory locks) goes.
            if sqlx::raw_sql("RESET ALL; SELECT pg_advisory_unlock_all()")
                .execute(&mut *conn)
                .await
                .is_err()
            {
                conn.close_on_drop();
            }
            result
        };
        match tokio::time::timeout(timeout + GRACE, run).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(reason)) => Err(SourceError::sql(&self.name, scrub(&reason, &self.url))),
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

/// The one number `query` returns, read in a read-only transaction.
async fn first_number(
    conn: &mut PgConnection,
    query: &str,
    timeout: Duration,
) -> Result<f64, String> {
    let ms = timeout.as_millis().max(1);
    let mut tx = conn
        .begin_with("BEGIN READ ONLY")
        .await
        .map_err(|e| e.to_string())?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "SET LOCAL statement_timeout = {ms}; SET LOCAL lock_timeout = {ms}"
    )))
    .execute(&mut *tx)
    .await
    .map_err(|e| e.to_string())?;
    // The first query of the transaction: from here on it cannot be made read-write.
    let writer: bool = sqlx::query_scalar(WRITER_ROLE)
        .fetch_optional(&mut *tx)
        .await
        .map_err(|e| e.to_string())?
        .unwrap_or(false);
    if writer {
        return Err("the role it connects as is a superuser (or a member of \
             pg_write_server_files or pg_execute_server_program), which can write files on the \
             server even in a read-only transaction; connect as a role that can only read"
            .into());
    }
    let mut rows: Vec<PgRow> = Vec::new();
    {
        // A prepared statement: PostgreSQL refuses several commands in one.
        let q = sqlx::query(sqlx::AssertSqlSafe(query.to_owned())).persistent(false);
        let mut stream = q.fetch(&mut *tx);
        while let Some(row) = stream.try_next().await.map_err(describe)? {
            if !rows.is_empty() {
                return Err("the query returned more than one row; return exactly one".into());
            }
            rows.push(row);
        }
    }
    tx.rollback().await.map_err(|e| e.to_string())?;
    let row = rows
        .first()
        .ok_or_else(|| "the query returned no row; return exactly one".to_owned())?;
    value(row)
}

/// The database's error, with a hint for the ones a metric query meets.
fn describe(e: sqlx::Error) -> String {
    let text = e.to_string();
    if text.contains("canceling statement due to statement timeout") {
        format!("{text} (the query ran past its time)")
    } else {
        text
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
