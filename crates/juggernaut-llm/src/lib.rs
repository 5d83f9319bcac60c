//! Juggernaut's LLM client: OpenAI-compatible chat completions (OpenRouter, OpenAI, Ollama, vLLM,
//! llama.cpp's server) with tool calling and JSON-schema structured output.
//!
//! - [`types`]: what a caller asks and gets back, independent of the wire.
//! - [`wire`]: the OpenAI request body, and lenient parsing of answers (servers differ).
//! - [`extract`]: the JSON object in a model's text (bare, in a code fence, or inside prose).
//! - [`config`]: providers, per-purpose models, prices, the key (never printed).
//! - [`retry`]: which failures are retried, backoff, `Retry-After`.
//! - [`client`]: one provider over reqwest: timeouts and retries.
//! - [`meter`]: every call reserves money against the budgets before it is sent and settles
//!   what it used afterwards, in the cost ledger ([`juggernaut_store::CostStore`]).

pub mod client;
pub mod config;
pub mod error;
pub mod extract;
pub mod meter;
pub mod retry;
pub mod types;
pub mod wire;

pub use client::Client;
pub use config::{ApiKey, ModelPrice, Prices, Provider, Purpose};
pub use error::LlmError;
pub use meter::{Charge, Metered, MeteredReply};
pub use types::{
    ChatRequest, ChatResponse, Message, ResponseFormat, Role, TokenUsage, ToolCall, ToolSpec,
};
