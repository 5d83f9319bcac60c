//! Request parts from the model's arguments (checked headers, a body under the cap) and the
//! response body as the model sees it (JSON if it parses, text, or a note for binary data).

use crate::client::Capped;
use juggernaut_tools::ToolError;
use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use std::collections::BTreeMap;

/// Headers the model may not set: they belong to the connection or would bypass the host check.
const REFUSED_HEADERS: [&str; 8] = [
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "te",
    "upgrade",
    "proxy-authorization",
];

/// The checked headers and body of a request.
pub(super) fn request_parts(
    method: &Method,
    given: &BTreeMap<String, String>,
    body: Option<serde_json::Value>,
    max_request: usize,
) -> Result<(HeaderMap, Option<Vec<u8>>), ToolError> {
    let mut headers = HeaderMap::new();
    for (name, value) in given {
        let n = HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| ToolError::model(format!("`headers`: `{name}` is not a header name")))?;
        if REFUSED_HEADERS.contains(&n.as_str()) {
            return Err(ToolError::model(format!(
                "`headers`: `{name}` may not be set; it is derived from the URL and body"
            )));
        }
        let v = HeaderValue::from_str(value).map_err(|_| {
            ToolError::model(format!(
                "`headers`: the value of `{name}` holds characters a header cannot carry"
            ))
        })?;
        headers.append(n, v);
    }
    let Some(body) = body else {
        return Ok((headers, None));
    };
    if *method == Method::GET || *method == Method::HEAD {
        return Err(ToolError::model(format!(
            "`body`: a {method} request carries no body; use POST, PUT or PATCH"
        )));
    }
    let (bytes, kind) = match body {
        serde_json::Value::String(s) => (s.into_bytes(), "text/plain; charset=utf-8"),
        other => (
            serde_json::to_vec(&other)
                .map_err(|e| ToolError::model(format!("`body`: cannot encode as JSON: {e}")))?,
            "application/json",
        ),
    };
    if bytes.len() > max_request {
        return Err(ToolError::model(format!(
            "`body` is {} bytes; the most sent is {max_request} (`tools.http.max_request_bytes`)",
            bytes.len()
        )));
    }
    if !headers.contains_key(CONTENT_TYPE) {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(kind));
    }
    Ok((headers, Some(bytes)))
}

/// Adds `body` (and `binary` for data that is not text) to the result object.
pub(super) fn describe_body(
    out: &mut serde_json::Value,
    capped: &Capped,
    content_type: Option<&str>,
) {
    let body = if capped.bytes.is_empty() {
        serde_json::Value::String(String::new())
    } else if let Some(json) = (!capped.truncated)
        .then(|| serde_json::from_slice::<serde_json::Value>(&capped.bytes).ok())
        .flatten()
    {
        json
    } else {
        match text(&capped.bytes, capped.truncated) {
            Some(t) => serde_json::Value::String(t),
            None => {
                out["binary"] = serde_json::Value::Bool(true);
                serde_json::Value::String(format!(
                    "[{} bytes of binary data ({}) not shown]",
                    capped.bytes.len(),
                    content_type.unwrap_or("no content type")
                ))
            }
        }
    };
    out["body"] = body;
}

/// The bytes as text: UTF-8 (a character cut at the end of a truncated body is dropped), or
/// `None` for binary data.
fn text(bytes: &[u8], truncated: bool) -> Option<String> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Some(s.to_owned()),
        Err(e) if truncated && e.error_len().is_none() => {
            Some(String::from_utf8_lossy(&bytes[..e.valid_up_to()]).into_owned())
        }
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn bodies_and_headers_are_checked() {
        let mut h = BTreeMap::new();
        h.insert("Host".to_owned(), "evil".to_owned());
        let e = request_parts(&Method::POST, &h, None, 10).unwrap_err();
        assert!(e.to_string().contains("`Host` may not be set"), "{e}");
        let e = request_parts(&Method::GET, &BTreeMap::new(), Some("x".into()), 10).unwrap_err();
        assert!(e.to_string().contains("no body"), "{e}");
        let e = request_parts(
            &Method::POST,
            &BTreeMap::new(),
            Some("x".repeat(11).into()),
            10,
        )
        .unwrap_err();
        assert!(e.to_string().contains("max_request_bytes"), "{e}");
        let (h, b) = request_parts(
            &Method::PUT,
            &BTreeMap::new(),
            Some(serde_json::json!({"a": 1})),
            99,
        )
        .unwrap();
        assert_eq!(h[CONTENT_TYPE], "application/json");
        assert_eq!(b.unwrap(), br#"{"a":1}"#);
    }

    #[test]
    fn response_bodies_read_as_json_text_or_binary() {
        let mut out = serde_json::json!({});
        let c = |b: &[u8], t| Capped {
            bytes: b.to_vec(),
            truncated: t,
        };
        describe_body(&mut out, &c(br#"{"ok":true}"#, false), None);
        assert_eq!(out["body"]["ok"], true);
        describe_body(&mut out, &c("héllo".as_bytes(), false), None);
        assert_eq!(out["body"], "héllo");
        describe_body(&mut out, &c(&"hé".as_bytes()[..2], true), None);
        assert_eq!(out["body"], "h");
        describe_body(&mut out, &c(&[0xff, 0xfe, 0, 1], false), Some("image/png"));
        assert_eq!(out["binary"], true);
        assert!(out["body"].as_str().unwrap().contains("image/png"));
    }
}
