//! Rows of a PostgreSQL query, as JSON. The query runs in the same read-only transaction as a
//! metric read (`postgres::begin_read_only`), in two steps:
//!
//! 1. it is parsed and described as a prepared statement: PostgreSQL refuses a text holding
//!    several commands, and the description gives the column names and types; a statement that
//!    returns no rows (`COPY`, `SET`, an `INSERT` without `RETURNING`, ...) is refused here,
//!    before anything runs;
//! 2. the same text (one command, as step 1 proved) runs as a simple query, so that every value
//!    arrives as PostgreSQL's own text, whatever its type (arrays, ranges, `uuid`, `interval`,
//!    enums, domains, types of extensions).
//!
//! Each text becomes JSON by the column's type: `int2`/`int4`/`int8`/`oid` as integers;
//! `float4`/`float8` as numbers (`NaN` and infinities as strings); `numeric` as a number when it
//! has at most 15 significant digits (what a double holds exactly), else as its exact text;
//! `bool` as a boolean; `json`/`jsonb` as JSON (as cut text past the cell limit); `timestamptz`
//! as RFC 3339 (`timestamp` as ISO 8601 without an offset); `bytea` as `"base64:..."`; anything
//! else as PostgreSQL's text. The transaction sets ISO dates and hex `bytea` output so these
//! texts have one form.
//!
//! The rows are read until the limits are reached; a result cut short leaves rows unread, so the
//! caller closes the connection instead of draining it.

use crate::error::Fail;
use crate::postgres::{begin_read_only, describe};
use crate::rows::{self, Collector, RowLimits, Rows};
use futures::TryStreamExt;
use serde_json::Value;
use sqlx::postgres::PgConnection;
use sqlx::{Column, Executor, Row, SqlSafeStr, Statement, TypeInfo, ValueRef};
use std::time::Duration;

/// Significant digits a double holds exactly: a `numeric` with more stays text.
const EXACT_DIGITS: usize = 15;

/// The rows `query` returns, up to `limits`.
pub(crate) async fn rows(
    conn: &mut PgConnection,
    query: &str,
    timeout: Duration,
    limits: RowLimits,
) -> Result<Rows, Fail> {
    let mut tx = begin_read_only(conn, timeout).await?;
    // Output formats only: they change how values are written, not what may run.
    sqlx::raw_sql(
        "SET LOCAL DateStyle = 'ISO'; SET LOCAL bytea_output = 'hex'; \
         SET LOCAL extra_float_digits = 1",
    )
    .execute(&mut *tx)
    .await
    .map_err(describe)?;
    // Step 1: parse and describe (several commands are refused here).
    let statement = (&mut *tx)
        .prepare(sqlx::AssertSqlSafe(query.to_owned()).into_sql_str())
        .await
        .map_err(describe)?;
    let columns: Vec<(String, String)> = statement
        .columns()
        .iter()
        .map(|c| (c.name().to_owned(), c.type_info().name().to_owned()))
        .collect();
    if columns.is_empty() {
        return Err(Fail::Sql(
            "the statement returns no rows; give a query (SELECT, VALUES, TABLE, WITH ... SELECT)"
                .into(),
        ));
    }
    let names = columns.iter().map(|(n, _)| n.clone()).collect();
    let mut out = Collector::new(names, limits);
    {
        // Step 2: the same single command, its values as text.
        let mut stream = sqlx::raw_sql(sqlx::AssertSqlSafe(query.to_owned())).fetch(&mut *tx);
        while let Some(row) = stream.try_next().await.map_err(describe)? {
            let mut cells = Vec::with_capacity(columns.len());
            for (i, (_, kind)) in columns.iter().enumerate() {
                let raw = row.try_get_raw(i).map_err(describe)?;
                cells.push(if raw.is_null() {
                    Value::Null
                } else {
                    let text = raw.as_str().map_err(|e| Fail::Sql(e.to_string()))?;
                    cell(kind, text, out.limits().max_cell_bytes)
                });
            }
            if !out.push(cells) {
                // Rows are left unread: the caller closes the connection (and with it the
                // transaction) rather than read them all.
                return Ok(out.finish());
            }
        }
    }
    tx.rollback().await.map_err(describe)?;
    Ok(out.finish())
}

/// A value's text, as JSON by its type's name (see the module's documentation).
pub(crate) fn cell(kind: &str, text: &str, max: usize) -> Value {
    let parsed = match kind {
        "INT2" | "INT4" | "INT8" | "OID" => text.parse::<i64>().ok().map(Value::from),
        "FLOAT4" | "FLOAT8" => text
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .map(rows::real),
        "NUMERIC" => numeric(text),
        "BOOL" => match text {
            "t" => Some(Value::Bool(true)),
            "f" => Some(Value::Bool(false)),
            _ => None,
        },
        "JSON" | "JSONB" if text.len() <= max => serde_json::from_str(text).ok(),
        "TIMESTAMPTZ" => rfc3339(text).map(Value::String),
        "TIMESTAMP" => iso_local(text).map(Value::String),
        "BYTEA" => hex(text).map(|bytes| rows::blob(&bytes, max)),
        _ => None,
    };
    parsed.unwrap_or_else(|| rows::text(text, max))
}

/// A `numeric` as a JSON number if a double holds it exactly.
fn numeric(text: &str) -> Option<Value> {
    let digits = text
        .trim_start_matches(['-', '0', '.'])
        .chars()
        .filter(char::is_ascii_digit)
        .count();
    if digits > EXACT_DIGITS {
        return None;
    }
    text.parse::<serde_json::Number>().ok().map(Value::Number)
}

/// ISO `2024-01-02 03:04:05.5+01` as RFC 3339 `2024-01-02T03:04:05.5+01:00`; `None` for what
/// RFC 3339 cannot say (BC dates, `infinity`, offsets with seconds, years past 9999).
fn rfc3339(text: &str) -> Option<String> {
    let (date, rest) = text.split_once(' ')?;
    let (time, offset) = rest.split_at(rest.rfind(['+', '-'])?);
    let offset = match offset.len() {
        3 => format!("{offset}:00"),
        6 => offset.to_owned(),
        _ => return None,
    };
    let out = format!("{date}T{time}{offset}");
    chrono::DateTime::parse_from_rfc3339(&out).ok().map(|_| out)
}

/// ISO `2024-01-02 03:04:05` as ISO 8601 `2024-01-02T03:04:05` (a local time: no offset).
fn iso_local(text: &str) -> Option<String> {
    let out = text.replacen(' ', "T", 1);
    chrono::NaiveDateTime::parse_from_str(&out, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|_| out)
}

/// The bytes of a hex `bytea` text (`\x0102`).
fn hex(text: &str) -> Option<Vec<u8>> {
    let digits = text.strip_prefix("\\x")?.as_bytes();
    if digits.len() % 2 != 0 {
        return None;
    }
    digits
        .chunks(2)
        .map(|pair| {
            let s = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(s, 16).ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn texts_map_by_type() {
        assert_eq!(
            cell("INT8", "-9007199254740993", 99),
            json!(-9007199254740993_i64)
        );
        assert_eq!(cell("FLOAT8", "1.25", 99), json!(1.25));
        assert_eq!(cell("FLOAT8", "NaN", 99), json!("NaN"));
        assert_eq!(cell("FLOAT4", "-Infinity", 99), json!("-Infinity"));
        assert_eq!(cell("NUMERIC", "20.50", 99), json!(20.5));
        assert_eq!(cell("NUMERIC", "-0.000123", 99), json!(-0.000123));
        let big = "12345678901234567890.5";
        assert_eq!(cell("NUMERIC", big, 99), json!(big));
        assert_eq!(cell("NUMERIC", "NaN", 99), json!("NaN"));
        assert_eq!(cell("BOOL", "t", 99), json!(true));
        assert_eq!(
            cell("JSONB", r#"{"a": [1, null]}"#, 99),
            json!({"a": [1, null]})
        );
        assert_eq!(
            cell("JSONB", r#"{"a": [1, null]}"#, 4),
            json!("{\"a\"… [cut: 12 more bytes]")
        );
        assert_eq!(
            cell("TIMESTAMPTZ", "2024-01-02 03:04:05.5+05:30", 99),
            json!("2024-01-02T03:04:05.5+05:30")
        );
        assert_eq!(
            cell("TIMESTAMPTZ", "2024-01-02 03:04:05-08", 99),
            json!("2024-01-02T03:04:05-08:00")
        );
        assert_eq!(cell("TIMESTAMPTZ", "infinity", 99), json!("infinity"));
        let bc = "0044-03-15 12:00:00+00 BC";
        assert_eq!(cell("TIMESTAMPTZ", bc, 99), json!(bc));
        assert_eq!(
            cell("TIMESTAMP", "2024-01-02 03:04:05", 99),
            json!("2024-01-02T03:04:05")
        );
        assert_eq!(cell("BYTEA", "\\x00ff10", 99), json!("base64:AP8Q"));
        let uuid = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11";
        assert_eq!(cell("UUID", uuid, 99), json!(uuid));
        assert_eq!(cell("_INT4", "{1,2,3}", 99), json!("{1,2,3}"));
    }
}
