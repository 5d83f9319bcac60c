//! Evidence: what proves that a task's work happened. A task is completed only with evidence that
//! its kind's verifier accepted; an LLM saying "done" is not evidence.

use crate::error::DomainError;
use serde::{Deserialize, Serialize};

/// One piece of evidence, stored with the completed task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Evidence {
    /// A recorded tool call that succeeded.
    ToolCall {
        /// The tool call's id.
        id: String,
    },
    /// A pull request.
    PullRequest {
        /// Its web URL.
        url: String,
        /// Its number.
        number: u64,
        /// `open`, `merged` or `closed`.
        state: String,
    },
    /// A file and its content hash.
    File {
        /// Path inside the task's workspace.
        path: String,
        /// Lowercase hex SHA-256 of the content.
        sha256: String,
    },
    /// Rows written to a table.
    Rows {
        /// The table.
        table: String,
        /// The written rows' keys.
        keys: Vec<String>,
    },
    /// An HTTP response received.
    HttpResponse {
        /// Status code.
        status: u16,
        /// Requested URL.
        url: String,
    },
    /// A message sent on a channel.
    Message {
        /// The channel (slack, webhook, email).
        channel: String,
        /// The id the channel gave the message.
        id: String,
    },
    /// A stored report.
    Report {
        /// The report's id.
        id: String,
    },
    /// Metric points recorded.
    MetricPoints {
        /// The metric's name.
        metric: String,
        /// How many points.
        count: u32,
    },
    /// The handler's own run record: for kinds whose whole effect is the run itself (`noop`).
    HandlerRun {
        /// The handler that ran.
        handler: String,
        /// The lease token of the attempt that ran it.
        lease_token: i64,
        /// How long the handler ran, in microseconds.
        duration_us: u64,
    },
}

impl Evidence {
    /// Checks the shape of the evidence (non-empty names, well-formed hashes). Whether it proves
    /// the task's work is the verifier's call, not this one's.
    pub fn validate(&self) -> Result<(), DomainError> {
        let bad = |reason: &str| {
            Err(DomainError::InvalidField {
                field: "evidence",
                reason: reason.to_owned(),
            })
        };
        if let Ok(value) = serde_json::to_value(self) {
            crate::text::check_json("evidence", &value)?;
        }
        match self {
            Self::ToolCall { id } | Self::Report { id } if id.is_empty() => bad("empty id"),
            Self::PullRequest { url, .. } | Self::HttpResponse { url, .. } if url.is_empty() => {
                bad("empty url")
            }
            Self::File { sha256, .. }
                if sha256.len() != 64 || !sha256.chars().all(|c| c.is_ascii_hexdigit()) =>
            {
                bad("file sha256 must be 64 hex digits")
            }
            Self::Rows { table, keys } if table.is_empty() || keys.is_empty() => {
                bad("rows need a table and at least one key")
            }
            Self::Message { channel, id } if channel.is_empty() || id.is_empty() => {
                bad("message needs a channel and an id")
            }
            Self::HandlerRun { handler, .. } if handler.is_empty() => bad("empty handler"),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shape_is_tagged() {
        let e = Evidence::HandlerRun {
            handler: "noop".into(),
            lease_token: 3,
            duration_us: 12,
        };
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["type"], "handler_run");
        assert_eq!(serde_json::from_value::<Evidence>(v).unwrap(), e);
    }

    #[test]
    fn malformed_evidence_is_refused() {
        let file = Evidence::File {
            path: "a".into(),
            sha256: "xyz".into(),
        };
        assert!(file.validate().unwrap_err().to_string().contains("sha256"));
        let rows = Evidence::Rows {
            table: "t".into(),
            keys: vec![],
        };
        assert!(rows.validate().is_err());
        let ok = Evidence::File {
            path: "a".into(),
            sha256: "a".repeat(64),
        };
        assert!(ok.validate().is_ok());
        let nul = Evidence::Message {
            channel: "slack".into(),
            id: "a\u{0}".into(),
        };
        assert!(nul.validate().unwrap_err().to_string().contains("NUL"));
        assert!(serde_json::from_str::<Evidence>(r#"{"type":"vibes"}"#).is_err());
    }
}
