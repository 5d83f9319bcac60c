//! What counts as a metric's number: an integer, a real, or text that is one (`" 42.5 "`), and
//! always finite. PostgreSQL's `numeric` arrives in its binary wire form and is decoded here.

/// `v` if it is finite.
pub fn finite(v: f64) -> Result<f64, String> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(format!("{v} is not a finite number"))
    }
}

/// The number a text holds (surrounding white space allowed), or why it holds none.
pub fn from_text(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let shown: String = t.chars().take(40).collect();
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!(
            "the text `{}` is not a number",
            shown.escape_debug()
        )),
    }
}

/// The number a JSON value is: a number, or a string holding one.
pub fn from_json(value: &serde_json::Value) -> Result<f64, String> {
    match value {
        serde_json::Value::Number(n) => n
            .as_f64()
            .ok_or_else(|| format!("{n} is not a finite number"))
            .and_then(finite),
        serde_json::Value::String(s) => from_text(s),
        serde_json::Value::Null => Err("the value is null".into()),
        other => Err(format!(
            "the value is {}, not a number",
            match other {
                serde_json::Value::Bool(_) => "a boolean",
                serde_json::Value::Array(_) => "an array",
                _ => "an object",
            }
        )),
    }
}

/// A PostgreSQL `numeric` in its binary form: digit count, weight, sign, scale (each 16 bits),
/// then base-10000 digits, most significant first.
pub fn from_pg_numeric(bytes: &[u8]) -> Result<f64, String> {
    let word = |i: usize| -> Result<u16, String> {
        bytes
            .get(i * 2..i * 2 + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| "a truncated numeric value".to_owned())
    };
    let digits = usize::from(word(0)?);
    let weight = i32::from(word(1)? as i16);
    let sign = word(2)?;
    match sign {
        0x0000 | 0x4000 => {}
        0xC000 => return Err("the value is NaN".into()),
        _ => return Err("the value is infinite".into()),
    }
    let mut value = 0.0_f64;
    for i in 0..digits {
        let d = f64::from(word(4 + i)?);
        let power = weight - i32::try_from(i).unwrap_or(i32::MAX);
        value += d * 10_000_f64.powi(power);
    }
    finite(if sign == 0x4000 { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric(digits: &[u16], weight: i16, sign: u16) -> Vec<u8> {
        let mut out = Vec::new();
        for w in [digits.len() as u16, weight as u16, sign, 2] {
            out.extend(w.to_be_bytes());
        }
        for d in digits {
            out.extend(d.to_be_bytes());
        }
        out
    }

    #[test]
    fn text_and_json_numbers() {
        assert_eq!(from_text(" 42.5\n"), Ok(42.5));
        assert_eq!(from_text("-3"), Ok(-3.0));
        assert!(from_text("12abc").unwrap_err().contains("`12abc`"));
        assert!(from_text("NaN").is_err() && from_text("inf").is_err() && from_text("").is_err());
        assert_eq!(from_json(&serde_json::json!(7)), Ok(7.0));
        assert_eq!(from_json(&serde_json::json!("8.25")), Ok(8.25));
        assert!(
            from_json(&serde_json::json!(null))
                .unwrap_err()
                .contains("null")
        );
        assert!(
            from_json(&serde_json::json!([1]))
                .unwrap_err()
                .contains("array")
        );
        assert!(finite(f64::INFINITY).is_err());
    }

    #[test]
    fn pg_numerics_decode() {
        // 12345.67 = 1 * 10000^1 + 2345 * 10000^0 + 6700 * 10000^-1
        let v = from_pg_numeric(&numeric(&[1, 2345, 6700], 1, 0)).unwrap();
        assert!((v - 12_345.67).abs() < 1e-9, "{v}");
        assert_eq!(from_pg_numeric(&numeric(&[5], 0, 0x4000)), Ok(-5.0));
        assert_eq!(from_pg_numeric(&numeric(&[], 0, 0)), Ok(0.0));
        assert_eq!(from_pg_numeric(&numeric(&[5000], -1, 0)), Ok(0.5));
        assert!(from_pg_numeric(&numeric(&[], 0, 0xC000)).is_err());
        assert!(from_pg_numeric(&[0, 1]).is_err());
    }
}
