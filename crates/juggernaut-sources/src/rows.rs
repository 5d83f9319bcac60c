//! Rows a query returns, as JSON, bounded: at most [`RowLimits::max_rows`] rows, each cell at
//! most [`RowLimits::max_cell_bytes`] bytes of text, and the whole at most
//! [`RowLimits::max_total_bytes`] bytes; a result cut short says so (`truncated`).
//!
//! Cells: NULL is `null`; integers and finite reals are numbers; text is a string (cut at the
//! cell limit with a note of what was left out); binary data is `"base64:..."`, or
//! `"<N bytes>"` when that would not fit the cell limit. How each database's values map is
//! described where they are read ([`crate::sqlite`], [`crate::pg_rows`]).

use base64::Engine;
use serde_json::Value;

/// The rows shown when the caller asks for no fewer.
pub const DEFAULT_MAX_ROWS: usize = 1000;

/// The longest cell, in bytes of text, before it is cut.
pub const DEFAULT_MAX_CELL_BYTES: usize = 4096;

/// The largest result, in bytes of JSON, before further rows are left out.
pub const DEFAULT_MAX_TOTAL_BYTES: usize = 512 * 1024;

/// How much of a result is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowLimits {
    /// Rows kept; the rest are left out and the result is `truncated`.
    pub max_rows: usize,
    /// Bytes of text per cell; a longer cell is cut (and says so).
    pub max_cell_bytes: usize,
    /// Bytes of JSON for all rows; rows past it are left out and the result is `truncated`.
    pub max_total_bytes: usize,
}

impl Default for RowLimits {
    fn default() -> Self {
        Self {
            max_rows: DEFAULT_MAX_ROWS,
            max_cell_bytes: DEFAULT_MAX_CELL_BYTES,
            max_total_bytes: DEFAULT_MAX_TOTAL_BYTES,
        }
    }
}

impl RowLimits {
    /// The same limits keeping at most `max_rows` rows (at least one).
    pub fn with_max_rows(mut self, max_rows: usize) -> Self {
        self.max_rows = max_rows.max(1);
        self
    }
}

/// What a query returned.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Rows {
    /// The column names, in order.
    pub columns: Vec<String>,
    /// The rows kept, each with one value per column.
    pub rows: Vec<Vec<Value>>,
    /// Whether the query returned more rows than were kept.
    pub truncated: bool,
}

/// Gathers rows up to the limits.
#[derive(Debug)]
pub(crate) struct Collector {
    limits: RowLimits,
    columns: Vec<String>,
    rows: Vec<Vec<Value>>,
    bytes: usize,
    truncated: bool,
}

impl Collector {
    /// An empty result with these columns.
    pub(crate) fn new(columns: Vec<String>, limits: RowLimits) -> Self {
        Self {
            limits,
            columns,
            rows: Vec::new(),
            bytes: 0,
            truncated: false,
        }
    }

    /// The limits cells are cut to.
    pub(crate) fn limits(&self) -> RowLimits {
        self.limits
    }

    /// Keeps `row`, or, if the result is full, marks it truncated and returns `false` (the
    /// caller stops reading). The first row is always kept.
    pub(crate) fn push(&mut self, row: Vec<Value>) -> bool {
        if self.rows.len() >= self.limits.max_rows {
            self.truncated = true;
            return false;
        }
        let size = serde_json::to_string(&row).map_or(0, |s| s.len() + 1);
        if !self.rows.is_empty() && self.bytes + size > self.limits.max_total_bytes {
            self.truncated = true;
            return false;
        }
        self.bytes += size;
        self.rows.push(row);
        true
    }

    /// The result.
    pub(crate) fn finish(self) -> Rows {
        Rows {
            columns: self.columns,
            rows: self.rows,
            truncated: self.truncated,
        }
    }
}

/// `text` as a string cell, cut (at a character boundary) to `max` bytes with a note of how many
/// bytes were left out.
pub(crate) fn text(text: &str, max: usize) -> Value {
    if text.len() <= max {
        return Value::String(text.to_owned());
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Value::String(format!(
        "{}… [cut: {} more bytes]",
        &text[..end],
        text.len() - end
    ))
}

/// Binary data as a cell: `"base64:..."`, or `"<N bytes>"` when that would exceed `max`.
pub(crate) fn blob(bytes: &[u8], max: usize) -> Value {
    let encoded_len = bytes.len().div_ceil(3) * 4 + "base64:".len();
    if encoded_len > max {
        return Value::String(format!("<{} bytes>", bytes.len()));
    }
    Value::String(format!(
        "base64:{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
}

/// A real as a number, or as a string when it is not finite (JSON has no NaN or infinity).
pub(crate) fn real(v: f64) -> Value {
    serde_json::Number::from_f64(v).map_or_else(|| Value::String(v.to_string()), Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cells_are_bounded() {
        assert_eq!(text("héllo", 10), json!("héllo"));
        // "é" is two bytes: a cut never splits it.
        assert_eq!(text("héllo", 2), json!("h… [cut: 5 more bytes]"));
        assert_eq!(blob(&[0, 1, 2], 64), json!("base64:AAEC"));
        assert_eq!(blob(&[0; 100], 64), json!("<100 bytes>"));
        assert_eq!(real(1.5), json!(1.5));
        assert_eq!(real(f64::INFINITY), json!("inf"));
    }

    #[test]
    fn rows_stop_at_the_row_and_byte_limits() {
        let limits = RowLimits::default().with_max_rows(2);
        let mut c = Collector::new(vec!["n".into()], limits);
        assert!(c.push(vec![json!(1)]) && c.push(vec![json!(2)]));
        assert!(!c.push(vec![json!(3)]));
        let rows = c.finish();
        assert_eq!((rows.rows.len(), rows.truncated), (2, true));
        let limits = RowLimits {
            max_total_bytes: 10,
            ..RowLimits::default()
        };
        let mut c = Collector::new(vec!["s".into()], limits);
        assert!(
            c.push(vec![json!("a long first row")]),
            "the first row is kept"
        );
        assert!(!c.push(vec![json!("x")]));
        let rows = c.finish();
        assert_eq!((rows.rows.len(), rows.truncated), (1, true));
        let mut c = Collector::new(vec!["n".into()], RowLimits::default());
        assert!(c.push(vec![json!(1)]));
        assert!(!c.finish().truncated);
    }
}
