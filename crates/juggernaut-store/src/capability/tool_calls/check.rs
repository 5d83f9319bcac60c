//! What a call to record may hold, checked the same way by every backend before it writes
//! anything: the limits the toolbox already applies, and nothing a store cannot keep.

use super::{MAX_ARGUMENTS_BYTES, MAX_ERROR_BYTES, MAX_RESULT_BYTES, MAX_TOOL_NAME, NewToolCall};
use crate::error::StoreError;
use juggernaut_core::DomainError;
use juggernaut_core::text::{check_json, check_text};

fn invalid(field: &'static str, reason: String) -> StoreError {
    StoreError::Domain(DomainError::InvalidField { field, reason })
}

/// Refuses `text` longer than `max` bytes.
fn check_len(field: &'static str, text: &str, max: usize) -> Result<(), StoreError> {
    if text.len() > max {
        return Err(invalid(
            field,
            format!("{} bytes, use at most {max}", text.len()),
        ));
    }
    Ok(())
}

/// Refuses a count that does not fit the stores' integers.
fn check_count(field: &'static str, n: u64) -> Result<(), StoreError> {
    if i64::try_from(n).is_err() {
        return Err(invalid(field, format!("{n} is too large")));
    }
    Ok(())
}

/// Whether `s` is a lowercase hex SHA-256.
fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl NewToolCall {
    /// Checks the tool name (1-[`MAX_TOOL_NAME`] bytes), the arguments (at most
    /// [`MAX_ARGUMENTS_BYTES`] serialised), the result ([`MAX_RESULT_BYTES`]) and the error
    /// ([`MAX_ERROR_BYTES`]), the hash (64 lowercase hex digits), the cost (finite, ≥ 0), that
    /// the sizes fit the stores' integers, and that no text holds NUL.
    pub fn check(&self) -> Result<(), StoreError> {
        if self.tool.is_empty() || self.tool.len() > MAX_TOOL_NAME {
            return Err(invalid(
                "tool",
                format!("{} bytes, use 1-{MAX_TOOL_NAME}", self.tool.len()),
            ));
        }
        check_text("tool", &self.tool)?;
        check_json("arguments", &self.arguments)?;
        let arguments = self.arguments.to_string().len();
        if arguments > MAX_ARGUMENTS_BYTES {
            return Err(invalid(
                "arguments",
                format!("{arguments} bytes serialised, use at most {MAX_ARGUMENTS_BYTES}"),
            ));
        }
        check_len("result", &self.result, MAX_RESULT_BYTES)?;
        check_text("result", &self.result)?;
        if !is_sha256(&self.result_sha256) {
            return Err(invalid(
                "result_sha256",
                "is not 64 lowercase hex digits".into(),
            ));
        }
        if let Some(error) = &self.error {
            check_len("error", error, MAX_ERROR_BYTES)?;
            check_text("error", error)?;
        }
        if !(self.cost_usd.is_finite() && self.cost_usd >= 0.0) {
            return Err(invalid(
                "cost_usd",
                format!("{} is not a finite amount ≥ 0", self.cost_usd),
            ));
        }
        check_count("result_bytes", self.result_bytes)?;
        check_count("duration_us", self.duration_us)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capability::tool_calls::ToolCallStatus;

    fn ok() -> NewToolCall {
        NewToolCall {
            task_id: None,
            attempt: 1,
            lease_token: None,
            tool: "read_file".into(),
            arguments: serde_json::json!({"path": "a.txt"}),
            result: "hello".into(),
            result_sha256: "a".repeat(64),
            result_bytes: 5,
            status: ToolCallStatus::Ok,
            error: None,
            duration_us: 10,
            cost_usd: 0.0,
        }
    }

    fn field(call: &NewToolCall) -> &'static str {
        match call.check() {
            Err(StoreError::Domain(DomainError::InvalidField { field, .. })) => field,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn limits_are_inclusive() {
        let edge = NewToolCall {
            tool: "t".repeat(MAX_TOOL_NAME),
            result: "r".repeat(MAX_RESULT_BYTES),
            error: Some("e".repeat(MAX_ERROR_BYTES)),
            // `"…"` is the string plus its two quotes.
            arguments: serde_json::json!("a".repeat(MAX_ARGUMENTS_BYTES - 2)),
            ..ok()
        };
        assert!(edge.check().is_ok());
        let tool_status = ToolCallStatus::parse(ToolCallStatus::Error.as_str());
        assert_eq!(tool_status, Some(ToolCallStatus::Error));
    }

    #[test]
    fn each_refusal_names_its_field() {
        let cases = [
            (
                "tool",
                NewToolCall {
                    tool: String::new(),
                    ..ok()
                },
            ),
            (
                "tool",
                NewToolCall {
                    tool: "t".repeat(MAX_TOOL_NAME + 1),
                    ..ok()
                },
            ),
            (
                "tool",
                NewToolCall {
                    tool: "a\0b".into(),
                    ..ok()
                },
            ),
            (
                "arguments",
                NewToolCall {
                    arguments: serde_json::json!("a".repeat(MAX_ARGUMENTS_BYTES - 1)),
                    ..ok()
                },
            ),
            (
                "arguments",
                NewToolCall {
                    arguments: serde_json::json!({"k": "\0"}),
                    ..ok()
                },
            ),
            (
                "result",
                NewToolCall {
                    result: "r".repeat(MAX_RESULT_BYTES + 1),
                    ..ok()
                },
            ),
            (
                "result",
                NewToolCall {
                    result: "a\0".into(),
                    ..ok()
                },
            ),
            (
                "result_sha256",
                NewToolCall {
                    result_sha256: "A".repeat(64),
                    ..ok()
                },
            ),
            (
                "result_sha256",
                NewToolCall {
                    result_sha256: "a".repeat(63),
                    ..ok()
                },
            ),
            (
                "error",
                NewToolCall {
                    error: Some("e".repeat(MAX_ERROR_BYTES + 1)),
                    ..ok()
                },
            ),
            (
                "error",
                NewToolCall {
                    error: Some("\0".into()),
                    ..ok()
                },
            ),
            (
                "cost_usd",
                NewToolCall {
                    cost_usd: f64::NAN,
                    ..ok()
                },
            ),
            (
                "cost_usd",
                NewToolCall {
                    cost_usd: -0.01,
                    ..ok()
                },
            ),
            (
                "cost_usd",
                NewToolCall {
                    cost_usd: f64::INFINITY,
                    ..ok()
                },
            ),
            (
                "result_bytes",
                NewToolCall {
                    result_bytes: u64::MAX,
                    ..ok()
                },
            ),
            (
                "duration_us",
                NewToolCall {
                    duration_us: u64::MAX,
                    ..ok()
                },
            ),
        ];
        for (want, call) in cases {
            assert_eq!(field(&call), want, "{call:?}");
        }
    }
}
