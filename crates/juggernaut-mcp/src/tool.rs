//! One tool of an MCP server as a Juggernaut [`Tool`]: named `<server>__<tool>`, described and
//! typed by the server. A call sends `tools/call` on the server's session:
//!
//! - the result's text parts, joined by newlines, are the output; a result with structured
//!   content gives that JSON instead; other parts (images, audio, resources) are named with
//!   their size, not inlined; text past [`MAX_TEXT`] bytes is cut (what is past it is never
//!   copied), and structured content over [`MAX_STRUCTURED`] bytes of JSON is an error shown to
//!   the model, saying the result was too large;
//! - `isError: true` is an error shown to the model, with the result's text;
//! - a JSON-RPC error (unknown tool, bad arguments) is shown to the model too;
//! - a session that closed, a timeout or a cancellation ends the attempt, retryable (the next
//!   call connects again).
//!
//! MCP tools can do anything, so each is [`Permission::External`] and [`RiskLevel::Medium`].

use crate::connect::{Server, cut, head};
use async_trait::async_trait;
use juggernaut_core::RiskLevel;
use juggernaut_tools::registry::MAX_NAME;
use juggernaut_tools::{Permission, Tool, ToolContext, ToolError, ToolOutput};
use rmcp::ServiceError;
use rmcp::model::{
    CallToolRequest, CallToolRequestParams, CallToolResult, CancelledNotification,
    CancelledNotificationParam, ClientNotification, ClientRequest, Content, RawContent,
    ResourceContents, ServerResult,
};
use rmcp::service::PeerRequestOptions;
use serde_json::Value;
use std::borrow::Cow;
use std::sync::Arc;

/// The most text of a result shown, in bytes.
pub const MAX_TEXT: usize = 256 * 1024;

/// The largest structured content of a result taken, in bytes of JSON.
pub const MAX_STRUCTURED: usize = 1024 * 1024;

/// A tool of an MCP server.
#[derive(Debug)]
pub struct McpTool {
    name: String,
    remote: String,
    description: String,
    parameters: Value,
    server: Arc<Server>,
}

/// `<server>__<tool>` with every character outside `[A-Za-z0-9_-]` replaced by `_`, cut to 64.
pub fn tool_name(server: &str, tool: &str) -> String {
    let mut name: String = format!("{server}__{tool}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    name.truncate(MAX_NAME);
    name
}

impl McpTool {
    /// `tool` as the server listed it.
    pub(crate) fn new(server: &Arc<Server>, tool: &rmcp::model::Tool) -> Self {
        let description = tool
            .description
            .as_deref()
            .or(tool.title.as_deref())
            .filter(|d| !d.trim().is_empty())
            .map_or_else(
                || {
                    format!(
                        "The `{}` tool of MCP server `{}`.",
                        tool.name,
                        server.name()
                    )
                },
                str::to_owned,
            );
        let mut parameters = (*tool.input_schema).clone();
        parameters
            .entry("type")
            .or_insert_with(|| Value::String("object".into()));
        Self {
            name: tool_name(server.name(), &tool.name),
            remote: tool.name.to_string(),
            description,
            parameters: Value::Object(parameters),
            server: Arc::clone(server),
        }
    }

    /// The tool's own name on its server.
    pub fn remote_name(&self) -> &str {
        &self.remote
    }

    /// The name of its server.
    pub fn server(&self) -> &str {
        self.server.name()
    }

    fn stopped(&self, why: &str, stderr: Option<&crate::connect::StderrTail>) -> ToolError {
        let tail = stderr.map(|s| s.describe()).unwrap_or_default();
        ToolError::transient(
            self.server
                .scrub(&format!("MCP server `{}`: {why}{tail}", self.server.name())),
        )
    }
}

#[async_trait]
impl Tool for McpTool {
    fn name(&self) -> &str {
        &self.name
    }

    fn description(&self) -> &str {
        &self.description
    }

    fn parameters(&self) -> Value {
        self.parameters.clone()
    }

    fn risk(&self) -> RiskLevel {
        RiskLevel::Medium
    }

    fn permission(&self) -> Permission {
        Permission::External
    }

    async fn call(&self, ctx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let arguments = match args {
            Value::Object(map) => Some(map),
            Value::Null => None,
            other => {
                return Err(ToolError::model(format!(
                    "the arguments of `{}` must be a JSON object, not {other}",
                    self.name
                )));
            }
        };
        let (peer, stderr) = self
            .server
            .peer()
            .await
            .map_err(|e| ToolError::transient(e.to_string()))?;
        let request = ClientRequest::CallToolRequest(CallToolRequest {
            method: Default::default(),
            params: CallToolRequestParams {
                meta: None,
                name: self.remote.clone().into(),
                arguments,
                task: None,
            },
            extensions: Default::default(),
        });
        let options = PeerRequestOptions {
            timeout: Some(self.server.timeout()),
            meta: None,
        };
        let handle = match peer.send_cancellable_request(request, options).await {
            Ok(handle) => handle,
            Err(e) => {
                self.server.discard().await;
                return Err(self.stopped(&e.to_string(), stderr.as_deref()));
            }
        };
        let id = handle.id.clone();
        let answer = tokio::select! {
            answer = handle.await_response() => answer,
            () = ctx.cancel.cancelled() => {
                let note = CancelledNotification {
                    params: CancelledNotificationParam {
                        request_id: id,
                        reason: Some("the task was cancelled".into()),
                    },
                    method: Default::default(),
                    extensions: Default::default(),
                };
                let tell = peer.send_notification(ClientNotification::CancelledNotification(note));
                let _ = tokio::time::timeout(std::time::Duration::from_secs(1), tell).await;
                return Err(ToolError::transient(format!(
                    "the call to MCP server `{}` was cancelled",
                    self.server.name()
                )));
            }
        };
        let result = match answer {
            Ok(ServerResult::CallToolResult(r)) => r,
            Ok(_) => return Err(self.stopped("answered tools/call with something else", None)),
            Err(ServiceError::McpError(e)) => {
                return Err(ToolError::model(self.server.scrub(&format!(
                    "MCP server `{}` refused the call: {}",
                    self.server.name(),
                    e.message
                ))));
            }
            // The session may be fine (a slow tool): it is kept.
            Err(ServiceError::Timeout { timeout }) => {
                let why = format!("no answer within {} s", timeout.as_secs_f64());
                return Err(self.stopped(&why, None));
            }
            Err(e) => {
                let why = match e {
                    ServiceError::TransportClosed => {
                        "the connection closed before it answered (the server stopped or went \
                         away)"
                            .to_owned()
                    }
                    other => other.to_string(),
                };
                // The next call connects again.
                self.server.discard().await;
                return Err(self.stopped(&why, stderr.as_deref()));
            }
        };
        output(result).map(ToolOutput::new)
    }
}

/// A result as the tool's output, or the model error it reports.
pub(crate) fn output(result: CallToolResult) -> Result<Value, ToolError> {
    let text = render(&result);
    if result.is_error != Some(true)
        && let Some(v) = &result.structured_content
        && serde_json::to_writer(&mut Budget(MAX_STRUCTURED), v).is_err()
    {
        return Err(ToolError::model(format!(
            "the tool's result was too large: its structured content is over {MAX_STRUCTURED} \
             bytes of JSON; ask for less"
        )));
    }
    if result.is_error == Some(true) {
        let message = if !text.is_empty() {
            text
        } else if let Some(s) = &result.structured_content {
            cut(&s.to_string(), MAX_TEXT)
        } else {
            "the tool reported an error without a message".into()
        };
        return Err(ToolError::model(message));
    }
    Ok(match result.structured_content {
        Some(v) => v,
        None => Value::String(text),
    })
}

/// A writer that takes at most its number of bytes, then fails.
struct Budget(usize);

impl std::io::Write for Budget {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 = self
            .0
            .checked_sub(buf.len())
            .ok_or_else(|| std::io::Error::other("over the budget"))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The result's content as text, cut past [`MAX_TEXT`] bytes (marked): text parts as they are,
/// other parts named.
fn render(result: &CallToolResult) -> String {
    let (mut out, mut total, mut full) = (String::new(), 0, false);
    for (i, c) in result.content.iter().enumerate() {
        let part = part(c);
        let sep = if i == 0 { "" } else { "\n" };
        total += sep.len() + part.len();
        if full {
            continue;
        }
        for piece in [sep, part.as_ref()] {
            let kept = head(piece, MAX_TEXT - out.len());
            out.push_str(kept);
            if kept.len() < piece.len() {
                full = true;
                break;
            }
        }
    }
    if total > out.len() {
        out = format!("{out}… [cut: {} more bytes]", total - out.len());
    }
    out
}

/// One part of a result as text.
fn part(c: &Content) -> Cow<'_, str> {
    Cow::Owned(match &c.raw {
        RawContent::Text(t) => return Cow::Borrowed(&t.text),
        RawContent::Image(i) => format!("[image: {}, {} bytes]", i.mime_type, decoded(&i.data)),
        RawContent::Audio(a) => format!("[audio: {}, {} bytes]", a.mime_type, decoded(&a.data)),
        RawContent::Resource(r) => match &r.resource {
            ResourceContents::TextResourceContents { uri, text, .. } => {
                format!("[resource {uri}]\n{text}")
            }
            ResourceContents::BlobResourceContents {
                uri,
                mime_type,
                blob,
                ..
            } => format!(
                "[resource {uri}: {}, {} bytes]",
                mime_type.as_deref().unwrap_or("binary"),
                decoded(blob)
            ),
        },
        RawContent::ResourceLink(l) => format!("[resource link: {} <{}>]", l.name, l.uri),
    })
}

/// Roughly how many bytes base64 text holds.
fn decoded(base64: &str) -> usize {
    base64.trim_end_matches('=').len() * 3 / 4
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_are_prefixed_sanitised_and_bounded() {
        assert_eq!(tool_name("files", "read_file"), "files__read_file");
        assert_eq!(tool_name("gh", "issues.list/all"), "gh__issues_list_all");
        assert_eq!(tool_name("x", "é"), "x___");
        let long = tool_name("srv", &"a".repeat(100));
        assert_eq!(long.len(), 64);
        assert!(juggernaut_tools::registry::valid_name(&long));
    }

    #[test]
    fn results_become_output_or_model_errors() {
        let text = CallToolResult::success(vec![Content::text("a"), Content::text("b")]);
        assert_eq!(output(text).unwrap(), json!("a\nb"));
        let mut structured = CallToolResult::success(vec![Content::text("{\"sum\":3}")]);
        structured.structured_content = Some(json!({"sum": 3}));
        assert_eq!(output(structured).unwrap(), json!({"sum": 3}));
        let image = CallToolResult::success(vec![Content::image("AAAA", "image/png")]);
        assert_eq!(output(image).unwrap(), json!("[image: image/png, 3 bytes]"));
        let failed = CallToolResult::error(vec![Content::text("no such file")]);
        assert_eq!(output(failed), Err(ToolError::model("no such file")));
        let silent = CallToolResult::error(vec![]);
        assert!(matches!(output(silent), Err(ToolError::Model(m)) if m.contains("without")));
        let big = CallToolResult::success(vec![Content::text("x".repeat(MAX_TEXT + 10))]);
        let shown = output(big).unwrap();
        assert!(shown.as_str().unwrap().ends_with("[cut: 10 more bytes]"));
        let parts = vec![
            Content::text("a".repeat(MAX_TEXT - 1)),
            Content::text("bcd"),
        ];
        let shown = output(CallToolResult::success(parts)).unwrap();
        let shown = shown.as_str().unwrap();
        assert!(
            shown.starts_with(&"a".repeat(MAX_TEXT - 1)),
            "{}",
            shown.len()
        );
        assert!(
            shown.ends_with("a\n… [cut: 3 more bytes]"),
            "{}",
            &shown[shown.len() - 40..]
        );
        let mut huge = CallToolResult::success(vec![Content::text("{}")]);
        huge.structured_content = Some(json!({"data": "y".repeat(MAX_STRUCTURED)}));
        let err = output(huge);
        assert!(
            matches!(&err, Err(ToolError::Model(m)) if m.contains("too large")),
            "{err:?}"
        );
        let mut fits = CallToolResult::success(vec![]);
        fits.structured_content = Some(json!({"data": "y".repeat(MAX_STRUCTURED - 20)}));
        assert!(output(fits).is_ok());
    }
}
