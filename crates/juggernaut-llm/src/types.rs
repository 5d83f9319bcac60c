//! What a caller sends and receives, independent of the wire format: messages, tools offered,
//! the structured output asked for, and the answer (text, tool calls, token usage, cost).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Instructions.
    System,
    /// The asker.
    User,
    /// The model.
    Assistant,
    /// A tool's result, answering a tool call.
    Tool,
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Who wrote it.
    pub role: Role,
    /// Its text (an assistant message that only calls tools has none).
    pub content: Option<String>,
    /// Tool calls an assistant message made.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCall>,
    /// For a tool message: the call it answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
}

impl Message {
    /// A message with text only.
    pub fn text(role: Role, content: impl Into<String>) -> Self {
        Self {
            role,
            content: Some(content.into()),
            tool_calls: Vec::new(),
            tool_call_id: None,
        }
    }

    /// A system message.
    pub fn system(content: impl Into<String>) -> Self {
        Self::text(Role::System, content)
    }

    /// A user message.
    pub fn user(content: impl Into<String>) -> Self {
        Self::text(Role::User, content)
    }

    /// A tool's result for the call `id`.
    pub fn tool_result(id: impl Into<String>, content: impl Into<String>) -> Self {
        Self {
            role: Role::Tool,
            content: Some(content.into()),
            tool_calls: Vec::new(),
            tool_call_id: Some(id.into()),
        }
    }

    /// Characters of text this message carries (for estimates).
    pub fn chars(&self) -> usize {
        self.content.as_deref().map_or(0, str::len)
            + self
                .tool_calls
                .iter()
                .map(|c| c.name.len() + c.arguments.len())
                .sum::<usize>()
    }
}

/// A tool the model may call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolSpec {
    /// Its name.
    pub name: String,
    /// What it does.
    pub description: String,
    /// JSON schema of its arguments.
    pub parameters: Value,
}

/// A tool call the model made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    /// The call's id (made up when a server gives none).
    pub id: String,
    /// The tool.
    pub name: String,
    /// Its arguments as the model wrote them (JSON text, not yet checked).
    pub arguments: String,
}

/// The shape the answer must have.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseFormat {
    /// Any JSON object.
    JsonObject,
    /// A JSON value matching `schema`.
    JsonSchema {
        /// The schema's name (letters, digits, `_`, `-`).
        name: String,
        /// The schema.
        schema: Value,
        /// Whether the server must follow it strictly (where it supports that).
        strict: bool,
    },
}

/// One chat completion to ask for.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    /// The model; `None` uses the provider's model for the purpose.
    pub model: Option<String>,
    /// The conversation.
    pub messages: Vec<Message>,
    /// Tools offered.
    pub tools: Vec<ToolSpec>,
    /// The answer's shape, if one is required.
    pub response_format: Option<ResponseFormat>,
    /// Sampling temperature.
    pub temperature: Option<f32>,
    /// Most tokens to generate (also bounds the money reserved for the call).
    pub max_tokens: u32,
}

impl ChatRequest {
    /// A request for `messages` with at most `max_tokens` of answer.
    pub fn new(messages: Vec<Message>, max_tokens: u32) -> Self {
        Self {
            model: None,
            messages,
            tools: Vec::new(),
            response_format: None,
            temperature: None,
            max_tokens,
        }
    }

    /// Characters sent (messages, tool specs and schema), for estimating input tokens.
    pub fn chars(&self) -> usize {
        let tools: usize = self
            .tools
            .iter()
            .map(|t| t.name.len() + t.description.len() + t.parameters.to_string().len())
            .sum();
        let format = match &self.response_format {
            Some(ResponseFormat::JsonSchema { schema, .. }) => schema.to_string().len(),
            _ => 0,
        };
        self.messages.iter().map(Message::chars).sum::<usize>() + tools + format
    }
}

/// Tokens a call used, and its cost when the provider reports one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct TokenUsage {
    /// Prompt tokens.
    pub prompt_tokens: u64,
    /// Completion tokens.
    pub completion_tokens: u64,
    /// What the provider says the call cost, in USD (OpenRouter reports it).
    pub cost_usd: Option<f64>,
}

/// A model's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatResponse {
    /// The model that answered (as the server names it, else the one asked for).
    pub model: String,
    /// Its text.
    pub content: Option<String>,
    /// Tools it called.
    pub tool_calls: Vec<ToolCall>,
    /// Why it stopped (`stop`, `length`, `tool_calls`, …) when the server says.
    pub finish_reason: Option<String>,
    /// What it used; `None` when the server did not say.
    pub usage: Option<TokenUsage>,
}
