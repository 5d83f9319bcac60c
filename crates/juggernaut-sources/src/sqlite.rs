//! A SQLite data source, read on a connection of its own (a blocking thread) that SQLite itself
//! keeps from writing anything:
//!
//! - the file is opened `SQLITE_OPEN_READONLY` (never created), with `query_only` on, so every
//!   write (`INSERT`, `DELETE`, `CREATE`, a writable schema, temp tables) fails;
//! - the limit on attached databases is 0, so neither `ATTACH` nor `VACUUM INTO` (which attaches
//!   its output, read-write, whatever the main file's flags) can open another file;
//! - the query is compiled first: SQLite refuses a text holding several statements before any of
//!   them runs, and a statement SQLite marks as not read-only (`sqlite3_stmt_readonly`) is
//!   refused without running;
//! - a progress handler stops a query that runs past its time.
//!
//! A metric read wants one row whose first column is a number (integer, real, numeric text); a
//! rows read ([`SqliteSource::rows`]) maps each value to JSON: NULL, integer, real (infinite ones
//! as a string), text, and BLOB as `"base64:..."`. Both go through the same checked statement.
//! sqlx's SQLite driver runs every statement of a text in turn and offers no attach limit,
//! hence rusqlite (over the same `libsqlite3-sys`) here.

use crate::SourceError;
use crate::error::Fail;
use crate::number;
use crate::rows::{self, Collector, RowLimits, Rows};
use rusqlite::limits::Limit;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, ErrorCode, OpenFlags, Statement};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long past its own deadline a read is given before it is abandoned.
const GRACE: Duration = Duration::from_secs(2);

/// A SQLite file.
#[derive(Debug)]
pub struct SqliteSource {
    name: String,
    path: PathBuf,
}

impl SqliteSource {
    /// `sqlite://PATH` or `sqlite:PATH` (no parameters: the file is always opened read-only).
    pub fn parse(name: &str, url: &str) -> Result<Self, SourceError> {
        let rest = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or_default();
        if rest.contains('?') {
            return Err(SourceError::config(
                name,
                "a sqlite URL takes no parameters (the file is always opened read-only)",
            ));
        }
        if rest.is_empty() || rest.starts_with(":memory:") {
            return Err(SourceError::config(
                name,
                "a sqlite URL must name a file: sqlite:///srv/shop.db, or sqlite://shop.db relative to the configuration file",
            ));
        }
        Ok(Self {
            name: name.to_owned(),
            path: PathBuf::from(rest),
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The one number `query` returns, read on a read-only connection of its own, within
    /// `timeout`.
    pub async fn read(&self, query: &str, timeout: Duration) -> Result<f64, SourceError> {
        self.run(query, timeout, first_number).await
    }

    /// The rows `query` returns (up to `limits`), read on a read-only connection of its own,
    /// within `timeout`.
    pub async fn rows(
        &self,
        query: &str,
        timeout: Duration,
        limits: RowLimits,
    ) -> Result<Rows, SourceError> {
        self.run(query, timeout, move |stmt, timeout| {
            all_rows(stmt, timeout, limits)
        })
        .await
    }

    /// Compiles `query` on a locked-down connection, refuses it unless SQLite marks it
    /// read-only, and hands the statement to `f` on a blocking thread, within `timeout`.
    async fn run<T, F>(&self, query: &str, timeout: Duration, f: F) -> Result<T, SourceError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Statement<'_>, Duration) -> Result<T, String> + Send + 'static,
    {
        if !self.path.is_file() {
            return Err(SourceError::unavailable(
                &self.name,
                format!(
                    "{} is not a file (a data source is opened read-only and never created)",
                    self.path.display()
                ),
            ));
        }
        let (path, query) = (self.path.clone(), query.to_owned());
        let task = tokio::task::spawn_blocking(move || {
            let conn = open(&path, timeout).map_err(Fail::Unavailable)?;
            let mut stmt = checked(&conn, &query, timeout).map_err(Fail::Sql)?;
            f(&mut stmt, timeout).map_err(Fail::Sql)
        });
        let fail = |reason: String| SourceError::sql(&self.name, reason);
        match tokio::time::timeout(timeout + GRACE, task).await {
            Ok(Ok(Ok(v))) => Ok(v),
            Ok(Ok(Err(f))) => Err(f.named(&self.name, str::to_owned)),
            Ok(Err(e)) => Err(fail(format!("the read stopped: {e}"))),
            Err(_) => Err(fail(too_long(timeout))),
        }
    }
}

fn too_long(timeout: Duration) -> String {
    format!(
        "the query ran longer than {} ms and was stopped",
        timeout.as_millis()
    )
}

/// `query` compiled as one statement that SQLite marks read-only and that returns columns.
fn checked<'c>(
    conn: &'c Connection,
    query: &str,
    timeout: Duration,
) -> Result<Statement<'c>, String> {
    let stmt = conn.prepare(query).map_err(|e| describe(e, timeout))?;
    if !stmt.readonly() {
        return Err(
            "SQLite marks the statement as one that writes; a query on a data source may only read"
                .into(),
        );
    }
    if stmt.column_count() == 0 {
        return Err("the statement returns no column".into());
    }
    Ok(stmt)
}

/// The one number the statement returns.
fn first_number(stmt: &mut Statement<'_>, timeout: Duration) -> Result<f64, String> {
    let why = |e: rusqlite::Error| describe(e, timeout);
    let mut rows = stmt.query([]).map_err(why)?;
    let value = match rows.next().map_err(why)? {
        None => return Err("the query returned no row; return exactly one".into()),
        Some(row) => number_of(row.get_ref(0).map_err(why)?)?,
    };
    if rows.next().map_err(why)?.is_some() {
        return Err("the query returned more than one row; return exactly one".into());
    }
    Ok(value)
}

/// The rows the statement returns, up to `limits` (reading stops at the first row left out).
fn all_rows(
    stmt: &mut Statement<'_>,
    timeout: Duration,
    limits: RowLimits,
) -> Result<Rows, String> {
    let why = |e: rusqlite::Error| describe(e, timeout);
    let columns: Vec<String> = stmt.column_names().into_iter().map(str::to_owned).collect();
    let width = columns.len();
    let mut out = Collector::new(columns, limits);
    let mut rows = stmt.query([]).map_err(why)?;
    while let Some(row) = rows.next().map_err(why)? {
        let cells = (0..width)
            .map(|i| row.get_ref(i).map(|v| cell(v, limits.max_cell_bytes)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(why)?;
        if !out.push(cells) {
            break;
        }
    }
    Ok(out.finish())
}

/// A SQLite value as JSON: NULL, integer, real (a string if infinite), text, BLOB.
fn cell(value: ValueRef<'_>, max: usize) -> serde_json::Value {
    match value {
        ValueRef::Null => serde_json::Value::Null,
        ValueRef::Integer(i) => serde_json::Value::from(i),
        ValueRef::Real(r) => rows::real(r),
        ValueRef::Text(t) => rows::text(&String::from_utf8_lossy(t), max),
        ValueRef::Blob(b) => rows::blob(b, max),
    }
}

/// A read-only, query-only connection that can attach nothing, interrupted after `timeout`.
fn open(path: &Path, timeout: Duration) -> Result<Connection, String> {
    let deadline = Instant::now() + timeout;
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let setup = |e: rusqlite::Error| format!("cannot lock the connection down: {e}");
    conn.set_limit(Limit::SQLITE_LIMIT_ATTACHED, 0)
        .map_err(setup)?;
    conn.pragma_update(None, "query_only", true)
        .map_err(setup)?;
    conn.busy_timeout(timeout).map_err(setup)?;
    conn.progress_handler(1_000, Some(move || Instant::now() >= deadline))
        .map_err(setup)?;
    Ok(conn)
}

/// SQLite's error, in words for a query on a data source.
fn describe(e: rusqlite::Error, timeout: Duration) -> String {
    match &e {
        rusqlite::Error::MultipleStatement => {
            "the query holds several statements; give one SELECT".into()
        }
        rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::OperationInterrupted => {
            too_long(timeout)
        }
        _ => e.to_string(),
    }
}

/// A value as a number: an integer, a real, or numeric text.
fn number_of(value: ValueRef<'_>) -> Result<f64, String> {
    match value {
        ValueRef::Null => Err("the first column is NULL, not a number".into()),
        ValueRef::Integer(i) => Ok(i as f64),
        ValueRef::Real(r) => number::finite(r),
        ValueRef::Text(t) => number::from_text(&String::from_utf8_lossy(t)),
        ValueRef::Blob(_) => Err("the first column is a BLOB, not a number".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Below the statement checks, the connection itself refuses: with the checks bypassed,
    /// SQLite still writes nothing and creates no file.
    #[test]
    fn the_connection_itself_refuses_writes_and_new_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shop.db");
        Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE orders (amount REAL); INSERT INTO orders VALUES (1);")
            .unwrap();
        let before = std::fs::read(&path).unwrap();
        let conn = open(&path, Duration::from_secs(5)).unwrap();
        let new = dir.path().join("new.db");
        let attach = format!("ATTACH DATABASE '{}' AS x", new.display());
        let vacuum_into = format!("VACUUM INTO '{}'", new.display());
        for (sql, needle) in [
            ("INSERT INTO orders VALUES (2)", "readonly"),
            ("DELETE FROM orders", "readonly"),
            ("CREATE TABLE stolen (x)", "readonly"),
            ("CREATE TEMP TABLE scratch (x)", "readonly"),
            ("VACUUM", "too many attached databases"),
            (attach.as_str(), "too many attached databases"),
            (vacuum_into.as_str(), "too many attached databases"),
        ] {
            let err = conn.execute_batch(sql).unwrap_err().to_string();
            assert!(err.contains(needle), "{sql}: {err}");
        }
        conn.execute_batch("PRAGMA writable_schema = 1").unwrap();
        let err = conn
            .execute_batch("UPDATE sqlite_master SET sql = 'x' WHERE name = 'orders'")
            .unwrap_err()
            .to_string();
        assert!(err.contains("readonly"), "{err}");
        drop(conn);
        assert!(!new.exists(), "a new file was created");
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }
}
