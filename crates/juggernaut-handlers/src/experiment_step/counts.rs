//! Reading `successes, trials` from `sql_query`'s output: the first row's first two cells,
//! whole non-negative numbers (or their decimal text, as PostgreSQL's `numeric` may come), a
//! NULL (a `SUM` over no rows) as zero, and no more successes than trials.

use serde_json::Value;

fn count(cell: &Value, name: &str) -> Result<u64, String> {
    let n = match cell {
        Value::Null => return Ok(0),
        Value::Number(n) => n.as_u64().or_else(|| n.as_f64().and_then(whole)),
        Value::String(s) => s
            .trim()
            .parse::<u64>()
            .ok()
            .or_else(|| s.trim().parse().ok().and_then(whole)),
        _ => None,
    };
    n.ok_or_else(|| format!("`{name}` is {cell}, not a whole number of 0 or more"))
}

fn whole(f: f64) -> Option<u64> {
    (f.is_finite() && f >= 0.0 && f.fract() == 0.0 && f < 9.0e15).then_some(f as u64)
}

/// `(successes, trials)` from the output's first row.
pub fn read(content: &Value) -> Result<(u64, u64), String> {
    let row = content["rows"]
        .as_array()
        .and_then(|rows| rows.first())
        .ok_or("the query returned no row; it must return one row of `successes, trials`")?;
    let cells: Vec<&Value> = match row {
        Value::Array(cells) => cells.iter().collect(),
        Value::Object(map) => map.values().collect(),
        _ => Vec::new(),
    };
    if cells.len() < 2 {
        return Err("the row must have two columns: successes, trials".into());
    }
    let successes = count(cells[0], "successes")?;
    let trials = count(cells[1], "trials")?;
    if successes > trials {
        return Err(format!(
            "{successes} successes of {trials} trials: more successes than trials"
        ));
    }
    Ok((successes, trials))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn counts_are_whole_numbers_with_null_as_zero() {
        assert_eq!(read(&json!({"rows": [[3, 10]]})), Ok((3, 10)));
        assert_eq!(read(&json!({"rows": [["4", 12.0]]})), Ok((4, 12)));
        assert_eq!(read(&json!({"rows": [[null, 0]]})), Ok((0, 0)));
        for bad in [
            json!({"rows": []}),
            json!({"rows": [[1]]}),
            json!({"rows": [[1.5, 3]]}),
            json!({"rows": [[-1, 3]]}),
            json!({"rows": [[5, 3]]}),
            json!({"rows": [["x", 3]]}),
        ] {
            assert!(read(&bad).is_err(), "{bad}");
        }
    }
}
