//! The JSON object in a model's text. Models asked for JSON answer with it bare, inside a
//! Markdown code fence, or after a sentence of prose; the first complete object that parses is
//! taken, wherever it is.

use serde_json::Value;

/// The first JSON object in `text` that parses, or why there is none.
pub fn json_object(text: &str) -> Result<Value, String> {
    let trimmed = text.trim();
    if let Ok(v @ Value::Object(_)) = serde_json::from_str(trimmed) {
        return Ok(v);
    }
    for (start, _) in text.match_indices('{') {
        if let Some(end) = matching_brace(&text[start..])
            && let Ok(v @ Value::Object(_)) = serde_json::from_str(&text[start..start + end])
        {
            return Ok(v);
        }
    }
    Err(if trimmed.is_empty() {
        "the answer is empty".to_owned()
    } else {
        "the answer holds no JSON object".to_owned()
    })
}

/// The length of the balanced `{…}` at the start of `s` (strings and escapes respected).
fn matching_brace(s: &str) -> Option<usize> {
    let (mut depth, mut in_str, mut escaped) = (0usize, false, false);
    for (i, c) in s.char_indices() {
        if in_str {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '{' => depth += 1,
            '}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_bare_fenced_and_embedded_objects() {
        assert_eq!(json_object(r#" {"a":1} "#).unwrap()["a"], 1);
        let fenced = "Here is the plan:\n```json\n{\"a\": {\"b\": \"}\"}}\n```\nDone.";
        assert_eq!(json_object(fenced).unwrap()["a"]["b"], "}");
        assert_eq!(json_object("x {oops} then {\"k\":2}").unwrap()["k"], 2);
    }

    #[test]
    fn says_why_there_is_none() {
        assert_eq!(json_object("  ").unwrap_err(), "the answer is empty");
        assert_eq!(
            json_object("I cannot help with that.").unwrap_err(),
            "the answer holds no JSON object"
        );
        assert!(json_object("[1,2]").is_err());
        assert!(json_object("{\"a\": ").is_err());
    }
}
