//! `notify`: sends one message on a configured channel through the `notify` tool.
//!
//! Input ([`NotifyInput`]): `{"channel", "text", "subject"?}`: a channel name (letters, digits,
//! `-`, `_`), a text of 1-40,000 characters, a subject of at most 250. Anything else is refused
//! at enqueue, naming the field; a channel the configuration lacks fails the attempt (the tool
//! names the channels there are).
//!
//! Result: `{"channel", "id", "call"}` with the id the channel gave the message. Evidence: the
//! `ToolCall` and the tool's `Message`. The check: a `Message` on the input's channel.

use crate::calls;
use async_trait::async_trait;
use juggernaut_core::Evidence;
use juggernaut_handler::{Done, Handler, HandlerError, InputSpec, Outcome, TaskContext, TaskInput};
use juggernaut_tools::Permission;
use serde_json::json;

/// `notify` acts outside.
pub const ALLOWED: &[Permission] = &[Permission::External];

/// Longest text, in characters.
pub const MAX_TEXT: usize = 40_000;

/// Longest subject, in characters.
pub const MAX_SUBJECT: usize = 250;

/// The `notify` handler.
pub struct Notify;

/// `notify`'s input.
#[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotifyInput {
    /// The channel's name, as configured under `[tools.notify.channels]`.
    pub channel: String,
    /// The message (1-40000 characters).
    pub text: String,
    /// A subject line (at most 250 characters).
    #[serde(default)]
    pub subject: Option<String>,
}

/// Whether `name` can be a channel's name.
pub fn is_channel(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl TaskInput for NotifyInput {
    fn validate(&self) -> Result<(), String> {
        if !is_channel(&self.channel) {
            return Err(format!(
                "`channel`: `{}` is not a channel name (1-64 letters, digits, `-` and `_`)",
                self.channel
            ));
        }
        if self.text.trim().is_empty() || self.text.chars().count() > MAX_TEXT {
            return Err(format!(
                "`text`: must be 1-{MAX_TEXT} characters, not blank"
            ));
        }
        if self
            .subject
            .as_ref()
            .is_some_and(|s| s.chars().count() > MAX_SUBJECT)
        {
            return Err(format!("`subject`: at most {MAX_SUBJECT} characters"));
        }
        Ok(())
    }
}

/// Sends `text` on `channel` through the `notify` tool; what it was for starts any error.
pub async fn send(
    ctx: &TaskContext,
    channel: &str,
    subject: Option<&str>,
    text: &str,
) -> Result<calls::Called, HandlerError> {
    let mut args = json!({ "channel": channel, "text": text });
    if let Some(s) = subject {
        args["subject"] = json!(s);
    }
    calls::call(ctx, "notify", args, ALLOWED, &format!("notify `{channel}`")).await
}

/// Whether `done` carries a message sent on `channel`.
pub fn sent_on(done: &Done, channel: &str) -> bool {
    done.evidence
        .iter()
        .any(|e| matches!(e, Evidence::Message { channel: c, .. } if c == channel))
}

#[async_trait]
impl Handler for Notify {
    fn reach(&self, _input: &serde_json::Value) -> juggernaut_handler::gate::Reach {
        crate::reach::notify()
    }

    fn kind(&self) -> &'static str {
        "notify"
    }

    fn description(&self) -> &'static str {
        "sends one message on a configured channel (Slack, webhook, email)"
    }

    fn input(&self) -> InputSpec {
        InputSpec::of::<NotifyInput>()
    }

    async fn run(&self, ctx: &TaskContext) -> Result<Outcome, HandlerError> {
        let input: NotifyInput = ctx
            .input()
            .map_err(|e| HandlerError::Permanent(format!("notify input: {e}")))?;
        let called = send(ctx, &input.channel, input.subject.as_deref(), &input.text).await?;
        let result = json!({
            "channel": input.channel,
            "id": called.output.content["id"],
            "call": called.id.0,
        });
        Ok(Outcome::done(result, called.all_evidence()))
    }

    async fn verify(&self, ctx: &TaskContext, done: &Done) -> Result<(), String> {
        let input: NotifyInput = ctx.input().map_err(|e| format!("notify input: {e}"))?;
        let call =
            calls::call_id(&done.result["call"]).ok_or("the result names no `call`".to_owned())?;
        calls::has_calls(done, [call.as_str()])?;
        if sent_on(done, &input.channel) {
            Ok(())
        } else {
            Err(format!(
                "no message on channel `{}` in the evidence",
                input.channel
            ))
        }
    }
}
