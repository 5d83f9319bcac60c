//! A query's rows as the report shows them: a Markdown table of the first [`MAX_TABLE_ROWS`] rows
//! and a short narrative computed from the rows (never written by a model): the value of each
//! column for a single row; for several, how many, each numeric column's sum, minimum, maximum
//! and mean, and the first rows.

use crate::markdown::{self, value_text};
use serde_json::Value;

/// Rows shown in a table.
pub const MAX_TABLE_ROWS: usize = 50;

/// Characters per table cell.
const MAX_CELL: usize = 200;

/// Rows the narrative names.
const TOP_ROWS: usize = 3;

/// A query's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Column names.
    pub columns: Vec<String>,
    /// Rows, one value per column.
    pub rows: Vec<Vec<Value>>,
    /// Whether the source left rows out.
    pub truncated: bool,
}

impl Table {
    /// Reads `sql_query`'s output: `{"columns": [...], "rows": [[...]], "truncated"}` (a column
    /// may be an object with a `name`; rows may be objects keyed by column).
    pub fn from_output(content: &Value) -> Result<Self, String> {
        let rows = content["rows"]
            .as_array()
            .ok_or("the output has no `rows` list")?;
        let mut columns: Vec<String> = match content["columns"].as_array() {
            Some(cols) => cols
                .iter()
                .map(|c| match c {
                    Value::String(s) => s.clone(),
                    other => value_text(&other["name"]),
                })
                .collect(),
            None => Vec::new(),
        };
        if columns.is_empty()
            && let Some(Value::Object(first)) = rows.first()
        {
            columns = first.keys().cloned().collect();
        }
        let rows = rows
            .iter()
            .map(|r| match r {
                Value::Array(cells) => cells.clone(),
                Value::Object(map) => columns
                    .iter()
                    .map(|c| map.get(c).cloned().unwrap_or(Value::Null))
                    .collect(),
                other => vec![other.clone()],
            })
            .collect();
        Ok(Self {
            columns,
            rows,
            truncated: content["truncated"].as_bool().unwrap_or(false),
        })
    }

    /// The rows as a Markdown table (the first [`MAX_TABLE_ROWS`]).
    pub fn markdown(&self) -> String {
        if self.rows.is_empty() {
            return String::new();
        }
        let width = self
            .rows
            .iter()
            .map(Vec::len)
            .max()
            .unwrap_or(0)
            .max(self.columns.len());
        let headers: Vec<String> = (0..width)
            .map(|i| {
                self.columns
                    .get(i)
                    .cloned()
                    .unwrap_or_else(|| format!("column {}", i + 1))
            })
            .collect();
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .take(MAX_TABLE_ROWS)
            .map(|r| {
                (0..width)
                    .map(|i| r.get(i).map(value_text).unwrap_or_default())
                    .collect()
            })
            .collect();
        let mut out = markdown::table(&headers, &rows, MAX_CELL);
        if self.rows.len() > MAX_TABLE_ROWS {
            out.push_str(&format!(
                "\nThe first {MAX_TABLE_ROWS} of {} rows are shown.\n",
                self.rows.len()
            ));
        }
        out
    }

    /// The row count as the report states it.
    pub fn count_text(&self) -> String {
        let n = self.rows.len();
        let rows = if n == 1 { "row" } else { "rows" };
        if self.truncated {
            format!("{n} {rows} (the source returned more; only these were kept)")
        } else {
            format!("{n} {rows}")
        }
    }

    fn name(&self, i: usize) -> String {
        self.columns
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("column {}", i + 1))
    }

    /// The narrative lines (Markdown list items).
    pub fn narrative(&self) -> Vec<String> {
        match self.rows.as_slice() {
            [] => vec!["No rows.".into()],
            [row] => row
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    format!(
                        "{}: {}",
                        markdown::cell(&self.name(i), MAX_CELL),
                        markdown::cell(&shown(v), MAX_CELL)
                    )
                })
                .collect(),
            rows => {
                let mut lines = vec![format!("{}.", self.count_text())];
                for (i, stats) in self.numeric_columns() {
                    lines.push(format!(
                        "{}: sum {}, min {}, max {}, mean {}",
                        markdown::cell(&self.name(i), MAX_CELL),
                        num(stats.sum),
                        num(stats.min),
                        num(stats.max),
                        num(stats.sum / stats.count as f64)
                    ));
                }
                let top: Vec<String> = rows
                    .iter()
                    .take(TOP_ROWS)
                    .map(|r| {
                        let cells: Vec<String> = r.iter().map(shown).collect();
                        markdown::cell(&cells.join(", "), MAX_CELL)
                    })
                    .collect();
                lines.push(format!("First rows: {}.", top.join("; ")));
                lines
            }
        }
    }

    /// Columns whose non-null values are all numbers (at least one), with their statistics.
    fn numeric_columns(&self) -> Vec<(usize, Stats)> {
        let width = self.rows.first().map_or(0, Vec::len);
        (0..width)
            .filter_map(|i| {
                let mut stats = Stats::default();
                for row in &self.rows {
                    match row.get(i) {
                        None | Some(Value::Null) => {}
                        Some(Value::Number(n)) => stats.add(n.as_f64()?),
                        Some(_) => return None,
                    }
                }
                (stats.count > 0).then_some((i, stats))
            })
            .collect()
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Stats {
    count: usize,
    sum: f64,
    min: f64,
    max: f64,
}

impl Stats {
    fn add(&mut self, v: f64) {
        if self.count == 0 {
            self.min = v;
            self.max = v;
        } else {
            self.min = self.min.min(v);
            self.max = self.max.max(v);
        }
        self.count += 1;
        self.sum += v;
    }
}

/// A number for people: integers as they are, others to at most four places.
fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

/// A cell's value in a sentence (`NULL` for null).
fn shown(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        other => value_text(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn outputs_are_read_in_both_shapes() {
        let a = Table::from_output(&json!({"columns": ["a", {"name": "b"}], "rows": [[1, "x"]]}));
        let b = Table::from_output(&json!({"rows": [{"a": 1, "b": "x"}], "truncated": false}));
        assert_eq!(a.as_ref().unwrap().columns, ["a", "b"]);
        assert_eq!(a.unwrap().rows, b.unwrap().rows);
        assert!(Table::from_output(&json!({"x": 1})).is_err());
    }

    #[test]
    fn narratives_are_computed_from_the_rows() {
        let one = Table::from_output(&json!({"columns": ["total"], "rows": [[60.5]]})).unwrap();
        assert_eq!(one.narrative(), ["total: 60.5"]);
        let many = Table::from_output(&json!({
            "columns": ["region", "amount"],
            "rows": [["north", 30], ["south", 20.5], ["east", 10], ["west", null]],
            "truncated": true,
        }))
        .unwrap();
        let n = many.narrative();
        assert!(
            n[0].starts_with("4 rows (the source returned more"),
            "{n:?}"
        );
        assert_eq!(n[1], "amount: sum 60.5, min 10, max 30, mean 20.1667");
        assert_eq!(n[2], "First rows: north, 30; south, 20.5; east, 10.");
        let none = Table::from_output(&json!({"columns": ["a"], "rows": []})).unwrap();
        assert_eq!(none.narrative(), ["No rows."]);
        assert_eq!(none.markdown(), "");
    }

    #[test]
    fn tables_show_fifty_rows_escaped() {
        let rows: Vec<_> = (0..60).map(|i| json!([i, "a|b"])).collect();
        let t = Table::from_output(&json!({"columns": ["n", "s"], "rows": rows})).unwrap();
        let md = t.markdown();
        assert_eq!(md.lines().filter(|l| l.starts_with("| ")).count(), 52);
        assert!(md.contains("| 49 | a\\|b |") && !md.contains("| 50 |"));
        assert!(md.contains("The first 50 of 60 rows are shown."));
    }
}
