//! The OpenAI chat-completions wire format: the request body, and a lenient reading of answers.
//! Compatible servers differ (missing `id`, `usage` or `finish_reason`; tool-call arguments as an
//! object instead of a string; `content` as a list of parts), so the answer is read from JSON
//! values with defaults, never from a strict struct that one odd field would break.

use crate::types::{ChatRequest, ChatResponse, Message, ResponseFormat, TokenUsage, ToolCall};
use serde_json::{Map, Value, json};

/// The request body for `model`. `usage_include` asks OpenRouter to report the call's cost.
pub fn body(req: &ChatRequest, model: &str, usage_include: bool) -> Value {
    let mut body = Map::new();
    body.insert("model".into(), json!(model));
    body.insert(
        "messages".into(),
        Value::Array(req.messages.iter().map(message).collect()),
    );
    body.insert("max_tokens".into(), json!(req.max_tokens));
    if let Some(t) = req.temperature {
        body.insert("temperature".into(), json!(t));
    }
    if !req.tools.is_empty() {
        let tools = req
            .tools
            .iter()
            .map(|t| {
                json!({"type": "function", "function": {
                    "name": t.name, "description": t.description, "parameters": t.parameters}})
            })
            .collect();
        body.insert("tools".into(), Value::Array(tools));
    }
    match &req.response_format {
        None => {}
        Some(ResponseFormat::JsonObject) => {
            body.insert("response_format".into(), json!({"type": "json_object"}));
        }
        Some(ResponseFormat::JsonSchema {
            name,
            schema,
            strict,
        }) => {
            body.insert(
                "response_format".into(),
                json!({"type": "json_schema",
                       "json_schema": {"name": name, "schema": schema, "strict": strict}}),
            );
        }
    }
    if usage_include {
        body.insert("usage".into(), json!({"include": true}));
    }
    Value::Object(body)
}

fn message(m: &Message) -> Value {
    let mut v = Map::new();
    v.insert("role".into(), json!(m.role));
    v.insert("content".into(), json!(m.content));
    if !m.tool_calls.is_empty() {
        let calls = m
            .tool_calls
            .iter()
            .map(|c| {
                json!({"id": c.id, "type": "function",
                       "function": {"name": c.name, "arguments": c.arguments}})
            })
            .collect();
        v.insert("tool_calls".into(), Value::Array(calls));
    }
    if let Some(id) = &m.tool_call_id {
        v.insert("tool_call_id".into(), json!(id));
    }
    Value::Object(v)
}

/// Reads an answer body. `Err` says what is missing; the caller keeps the raw body.
pub fn parse(body: &str, asked_model: &str) -> Result<ChatResponse, String> {
    let v: Value = serde_json::from_str(body).map_err(|e| format!("not JSON: {e}"))?;
    if let Some(err) = v.get("error") {
        return Err(format!(
            "the server answered with an error: {}",
            error_text(err)
        ));
    }
    let choice = v
        .get("choices")
        .and_then(Value::as_array)
        .and_then(|c| c.first())
        .ok_or("no `choices` in the answer")?;
    let msg = choice
        .get("message")
        .or_else(|| choice.get("delta"))
        .ok_or("the first choice has no `message`")?;
    let content = content_text(msg.get("content"));
    let tool_calls = tool_calls(msg.get("tool_calls"));
    if content.is_none() && tool_calls.is_empty() {
        return Err("the answer has neither text nor tool calls".into());
    }
    Ok(ChatResponse {
        model: v
            .get("model")
            .and_then(Value::as_str)
            .filter(|m| !m.is_empty())
            .unwrap_or(asked_model)
            .to_owned(),
        content,
        tool_calls,
        finish_reason: choice
            .get("finish_reason")
            .and_then(Value::as_str)
            .map(str::to_owned),
        usage: v.get("usage").map(usage),
    })
}

/// An error object's message (OpenAI: `{"message": …}`; others: a string).
pub fn error_text(err: &Value) -> String {
    err.get("message")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| err.as_str().map(str::to_owned))
        .unwrap_or_else(|| err.to_string())
}

fn content_text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        // Content as parts: [{"type": "text", "text": "…"}, …].
        Value::Array(parts) => {
            let text: String = parts
                .iter()
                .filter_map(|p| p.get("text").and_then(Value::as_str))
                .collect();
            (!text.is_empty()).then_some(text)
        }
        _ => None,
    }
}

fn tool_calls(v: Option<&Value>) -> Vec<ToolCall> {
    let Some(calls) = v.and_then(Value::as_array) else {
        return Vec::new();
    };
    calls
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let f = c.get("function").unwrap_or(c);
            let name = f.get("name")?.as_str()?.to_owned();
            let arguments = match f.get("arguments") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => "{}".to_owned(),
                Some(other) => other.to_string(),
            };
            let id = c
                .get("id")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map_or_else(|| format!("call_{i}"), str::to_owned);
            Some(ToolCall {
                id,
                name,
                arguments,
            })
        })
        .collect()
}

fn usage(v: &Value) -> TokenUsage {
    let n = |k: &str| v.get(k).and_then(Value::as_u64).unwrap_or(0);
    TokenUsage {
        prompt_tokens: n("prompt_tokens"),
        completion_tokens: n("completion_tokens"),
        cost_usd: v
            .get("cost")
            .and_then(Value::as_f64)
            .filter(|c| c.is_finite() && *c >= 0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Message, ToolSpec};

    #[test]
    fn body_carries_tools_schema_and_usage() {
        let mut req = ChatRequest::new(vec![Message::user("hi")], 100);
        req.tools.push(ToolSpec {
            name: "t".into(),
            description: "d".into(),
            parameters: json!({"type": "object"}),
        });
        req.response_format = Some(ResponseFormat::JsonSchema {
            name: "plan".into(),
            schema: json!({"type": "object"}),
            strict: true,
        });
        let b = body(&req, "m", true);
        assert_eq!(b["model"], "m");
        assert_eq!(b["messages"][0]["role"], "user");
        assert_eq!(b["tools"][0]["function"]["name"], "t");
        assert_eq!(b["response_format"]["json_schema"]["name"], "plan");
        assert_eq!(b["usage"]["include"], true);
        assert!(body(&req, "m", false).get("usage").is_none());
    }

    #[test]
    fn minimal_answers_parse() {
        let r = parse(r#"{"choices":[{"message":{"content":"ok"}}]}"#, "asked").unwrap();
        assert_eq!(r.content.as_deref(), Some("ok"));
        assert_eq!(r.model, "asked");
        assert!(r.usage.is_none());
    }

    #[test]
    fn odd_shapes_parse() {
        let body = r#"{"model":"x","choices":[{"message":{"content":[{"type":"text","text":"a"},{"type":"text","text":"b"}],
            "tool_calls":[{"function":{"name":"f","arguments":{"k":1}}}]},"finish_reason":"tool_calls"}],
            "usage":{"prompt_tokens":3,"completion_tokens":4,"cost":0.5}}"#;
        let r = parse(body, "asked").unwrap();
        assert_eq!(r.content.as_deref(), Some("ab"));
        assert_eq!(r.tool_calls[0].id, "call_0");
        assert_eq!(r.tool_calls[0].arguments, r#"{"k":1}"#);
        let u = r.usage.unwrap();
        assert_eq!((u.prompt_tokens, u.completion_tokens), (3, 4));
        assert_eq!(u.cost_usd, Some(0.5));
    }

    #[test]
    fn broken_answers_say_why() {
        assert!(parse("{", "m").unwrap_err().contains("not JSON"));
        assert!(parse("{}", "m").unwrap_err().contains("choices"));
        assert!(
            parse(r#"{"error":{"message":"quota"}}"#, "m")
                .unwrap_err()
                .contains("quota")
        );
        assert!(
            parse(r#"{"choices":[{"message":{}}]}"#, "m")
                .unwrap_err()
                .contains("neither")
        );
    }
}
