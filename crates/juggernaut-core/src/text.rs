//! Text that every store can keep. PostgreSQL refuses the NUL character in `TEXT` and in `JSONB`
//! strings while SQLite takes it, so the domain refuses it at the door for what callers submit
//! (both backends then accept and refuse the same inputs, with the same message), and replaces it
//! in diagnostics (errors, reasons) that must be stored whatever they contain.

use crate::error::DomainError;
use std::borrow::Cow;

/// The JSON pointer of the first string or object key in `value` that contains NUL.
pub fn nul_path(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) if s.contains('\0') => Some(String::new()),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| nul_path(v).map(|rest| format!("/{i}{rest}"))),
        serde_json::Value::Object(fields) => fields.iter().find_map(|(k, v)| {
            let key = pointer_token(k);
            if k.contains('\0') {
                Some(format!("/{key}"))
            } else {
                nul_path(v).map(|rest| format!("/{key}{rest}"))
            }
        }),
        _ => None,
    }
}

/// A key as a JSON pointer token (RFC 6901), with NUL shown as `\u0000`.
fn pointer_token(key: &str) -> String {
    key.replace('~', "~0")
        .replace('/', "~1")
        .replace('\0', "\\u0000")
}

/// Refuses a string field that contains NUL.
pub fn check_text(field: &'static str, text: &str) -> Result<(), DomainError> {
    if text.contains('\0') {
        return Err(DomainError::InvalidField {
            field,
            reason: "contains a NUL character (\\u0000), which cannot be stored".into(),
        });
    }
    Ok(())
}

/// Refuses a JSON field with NUL in any string or key, naming where.
pub fn check_json(field: &'static str, value: &serde_json::Value) -> Result<(), DomainError> {
    match nul_path(value) {
        None => Ok(()),
        Some(path) => Err(DomainError::InvalidField {
            field,
            reason: format!(
                "contains a NUL character (\\u0000) at `{}`, which cannot be stored",
                if path.is_empty() { "/" } else { &path }
            ),
        }),
    }
}

/// A diagnostic (an error message, a reason) made storable: NUL becomes U+FFFD.
pub fn storable(text: &str) -> Cow<'_, str> {
    if text.contains('\0') {
        Cow::Owned(text.replace('\0', "\u{FFFD}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// At most `max` bytes of `text`, cut at a character boundary, marked `…` when cut, and made
/// storable (model answers and other outside text kept for diagnosis).
pub fn clipped(text: &str, max: usize) -> String {
    let text = storable(text);
    if text.len() <= max {
        return text.into_owned();
    }
    let cut = (0..=max.saturating_sub(3))
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    format!("{}…", &text[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn clipped_cuts_at_a_boundary_and_says_so() {
        assert_eq!(clipped("short", 10), "short");
        assert_eq!(clipped("ééééé", 6), "é…");
        assert_eq!(clipped("ééééé", 7), "éé…");
        assert!(clipped(&"x".repeat(100), 10).len() <= 10);
        assert_eq!(clipped("a\0b", 10), "a\u{FFFD}b");
    }

    #[test]
    fn nul_is_found_in_strings_keys_and_arrays() {
        assert_eq!(nul_path(&json!({"a": [1, "x\u{0}"]})), Some("/a/1".into()));
        assert_eq!(
            nul_path(&json!({"a/b\u{0}": 1})),
            Some("/a~1b\\u0000".into())
        );
        assert_eq!(nul_path(&json!("\u{0}")), Some(String::new()));
        assert_eq!(nul_path(&json!({"a": "fine", "b": [null, 1.5]})), None);
    }

    #[test]
    fn refusals_name_field_and_place() {
        let e = check_json("input", &json!({"k": "a\u{0}"})).unwrap_err();
        assert!(e.to_string().contains("invalid input"), "{e}");
        assert!(e.to_string().contains("`/k`"), "{e}");
        assert!(
            check_json("input", &json!("\u{0}"))
                .unwrap_err()
                .to_string()
                .contains("`/`")
        );
        assert!(check_text("title", "a\u{0}b").is_err());
        assert!(check_text("title", "plain").is_ok());
        assert_eq!(storable("a\u{0}b"), "a\u{FFFD}b");
        assert!(matches!(storable("ok"), Cow::Borrowed("ok")));
    }
}
