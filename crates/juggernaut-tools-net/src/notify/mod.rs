//! `notify`: sends a message on a configured channel (Slack webhook, JSON webhook, email) and
//! gives back the id the channel gave it as [`Evidence::Message`]. Only a message the channel
//! took counts: any other answer is an error and no evidence.

mod config;
mod email;
mod post;

pub use config::{Channel, NotifyConfig};

use crate::client;
use crate::error::{ConfigError, check_timeout};
use async_trait::async_trait;
use email::EmailSink;
use juggernaut_core::{Evidence, RiskLevel};
use juggernaut_tools::args::{parse_args, schema_of};
use juggernaut_tools::{Permission, Tool, ToolContext, ToolError, ToolOutput};
use post::{PostSink, Shape};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// The longest message text.
const MAX_TEXT_CHARS: usize = 40_000;

/// The longest subject.
const MAX_SUBJECT_CHARS: usize = 250;

/// The most fields.
const MAX_FIELDS: usize = 50;

/// Arguments of `notify`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct Args {
    /// The channel's name.
    channel: String,
    /// A subject line (an email's subject; bold first line on Slack).
    #[serde(default)]
    subject: Option<String>,
    /// The message.
    text: String,
    /// Named values shown with the message.
    #[serde(default)]
    fields: BTreeMap<String, serde_json::Value>,
}

/// A message to send.
#[derive(Debug, Clone)]
pub(crate) struct Note {
    pub channel: String,
    pub subject: Option<String>,
    pub text: String,
    pub fields: BTreeMap<String, serde_json::Value>,
}

impl Note {
    fn field_lines(&self, bullet: &str) -> Vec<String> {
        self.fields
            .iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{bullet}{k}: {s}"),
                other => format!("{bullet}{k}: {other}"),
            })
            .collect()
    }

    /// Slack's `text`: the subject in bold, the text, the fields as bullets.
    pub(crate) fn slack_text(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = &self.subject {
            parts.push(format!("*{s}*"));
        }
        parts.push(self.text.clone());
        parts.extend(self.field_lines("• "));
        parts.join("\n")
    }

    /// An email's body: the text, then the fields.
    pub(crate) fn plain_text(&self) -> String {
        let fields = self.field_lines("");
        if fields.is_empty() {
            self.text.clone()
        } else {
            format!("{}\n\n{}\n", self.text, fields.join("\n"))
        }
    }

    /// An email's subject: the one given, else the text's first line (cut to 78 characters).
    pub(crate) fn email_subject(&self) -> String {
        let s = match &self.subject {
            Some(s) => s.clone(),
            None => client::snippet(self.text.lines().next().unwrap_or_default().trim(), 78),
        };
        let s: String = s
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        if s.trim().is_empty() {
            "Notification".to_owned()
        } else {
            s
        }
    }
}

enum Sink {
    Post(Box<PostSink>),
    Email(Box<EmailSink>),
}

/// The `notify` tool.
pub struct Notify {
    sinks: BTreeMap<String, Sink>,
    timeout: Duration,
}

impl std::fmt::Debug for Notify {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notify")
            .field("channels", &self.sinks.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Notify {
    /// The tool, or what is wrong with `config`.
    pub fn new(config: &NotifyConfig) -> Result<Self, ConfigError> {
        let timeout = check_timeout("tools.notify.timeout_secs", config.timeout_secs)?;
        let http =
            client::client(timeout, None).map_err(|r| ConfigError::new("tools.notify", r))?;
        let mut sinks = BTreeMap::new();
        for (name, channel) in &config.channels {
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(ConfigError::new(
                    format!("tools.notify.channels.{name}"),
                    "a channel name is letters, digits, `-` and `_`",
                ));
            }
            let sink = match channel {
                Channel::Slack { webhook_url } => Sink::Post(Box::new(PostSink::new(
                    Shape::Slack,
                    name,
                    webhook_url,
                    &BTreeMap::new(),
                    http.clone(),
                    timeout,
                )?)),
                Channel::Webhook { url, headers } => Sink::Post(Box::new(PostSink::new(
                    Shape::Webhook,
                    name,
                    url,
                    headers,
                    http.clone(),
                    timeout,
                )?)),
                Channel::Email { smtp_url, from, to } => {
                    Sink::Email(Box::new(EmailSink::new(name, smtp_url, from, to, timeout)?))
                }
            };
            sinks.insert(name.clone(), sink);
        }
        Ok(Self { sinks, timeout })
    }

    async fn send(&self, sink: &Sink, note: &Note) -> Result<serde_json::Value, ToolError> {
        Ok(match sink {
            Sink::Post(p) => {
                let (id, status) = p.send(note).await?;
                serde_json::json!({"channel": note.channel, "id": id, "status": status})
            }
            Sink::Email(e) => {
                let (id, message_id) = e.send(note).await?;
                serde_json::json!({"channel": note.channel, "id": id, "message_id": message_id})
            }
        })
    }
}

/// Checks the arguments' sizes.
fn note_of(args: Args) -> Result<Note, ToolError> {
    if args.text.trim().is_empty() {
        return Err(ToolError::model("`text` is empty"));
    }
    if args.text.chars().count() > MAX_TEXT_CHARS {
        return Err(ToolError::model(format!(
            "`text` is longer than {MAX_TEXT_CHARS} characters"
        )));
    }
    if args
        .subject
        .as_ref()
        .is_some_and(|s| s.chars().count() > MAX_SUBJECT_CHARS)
    {
        return Err(ToolError::model(format!(
            "`subject` is longer than {MAX_SUBJECT_CHARS} characters"
        )));
    }
    if args.fields.len() > MAX_FIELDS {
        return Err(ToolError::model(format!("more than {MAX_FIELDS} `fields`")));
    }
    Ok(Note {
        channel: args.channel,
        subject: args.subject.filter(|s| !s.trim().is_empty()),
        text: args.text,
        fields: args.fields,
    })
}

#[async_trait]
impl Tool for Notify {
    fn name(&self) -> &str {
        "notify"
    }

    fn description(&self) -> &str {
        "Sends a message on a configured channel (Slack, webhook or email) and returns the id \
         the channel gave it."
    }

    fn parameters(&self) -> serde_json::Value {
        let mut schema = schema_of::<Args>();
        let names: Vec<serde_json::Value> = self
            .sinks
            .keys()
            .map(|k| serde_json::Value::String(k.clone()))
            .collect();
        if let Some(channel) = schema.pointer_mut("/properties/channel") {
            channel["enum"] = serde_json::Value::Array(names);
        }
        schema
    }

    fn risk(&self) -> RiskLevel {
        RiskLevel::Medium
    }

    fn permission(&self) -> Permission {
        Permission::External
    }

    async fn call(
        &self,
        _ctx: &ToolContext,
        args: serde_json::Value,
    ) -> Result<ToolOutput, ToolError> {
        let note = note_of(parse_args(self.name(), args)?)?;
        let Some(sink) = self.sinks.get(&note.channel) else {
            let names: Vec<&str> = self.sinks.keys().map(String::as_str).collect();
            return Err(ToolError::model(format!(
                "no channel `{}`; the channels are: {}",
                note.channel,
                names.join(", ")
            )));
        };
        let content = tokio::time::timeout(self.timeout, self.send(sink, &note))
            .await
            .map_err(|_| {
                ToolError::transient(format!(
                    "channel `{}`: no answer within {} s; the message may not have been sent",
                    note.channel,
                    self.timeout.as_secs()
                ))
            })??;
        let id = content["id"].as_str().unwrap_or_default().to_owned();
        Ok(ToolOutput::new(content).with_evidence(Evidence::Message {
            channel: note.channel,
            id,
        }))
    }
}
