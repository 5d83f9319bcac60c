//! The client against the fake OpenAI-compatible server: what is sent, what is retried and how
//! long it waits, and what each kind of failure becomes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use juggernaut_llm::retry::RetryPolicy;
use juggernaut_llm::{
    ApiKey, ChatRequest, Client, LlmError, Message, Provider, Purpose, ResponseFormat, ToolSpec,
};
use juggernaut_testkit::fake_llm::{FakeLlm, Reply};
use serde_json::json;
use std::time::{Duration, Instant};

fn provider(fake: &FakeLlm) -> Provider {
    let mut p = Provider::new("fake", &fake.base_url(), "default-model");
    p.api_key = Some(ApiKey::new("sk-test-key"));
    p.models.insert(Purpose::Planning, "planner-model".into());
    p.timeout = Duration::from_millis(500);
    p.max_retries = 2;
    p
}

fn quick() -> RetryPolicy {
    RetryPolicy {
        base: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        max_wait: Duration::from_secs(5),
    }
}

fn client(fake: &FakeLlm) -> Client {
    Client::with_policy(provider(fake), quick()).unwrap()
}

fn ask() -> ChatRequest {
    ChatRequest::new(
        vec![Message::system("be brief"), Message::user("hello")],
        64,
    )
}

#[tokio::test]
async fn sends_model_messages_tools_schema_and_key() {
    let fake = FakeLlm::start().await;
    fake.push(Reply::Text("hi".into()));
    let mut req = ask();
    req.tools.push(ToolSpec {
        name: "lookup".into(),
        description: "finds".into(),
        parameters: json!({"type": "object"}),
    });
    req.response_format = Some(ResponseFormat::JsonSchema {
        name: "answer".into(),
        schema: json!({"type": "object", "required": ["x"]}),
        strict: true,
    });
    let r = client(&fake).chat(&req, Purpose::Planning).await.unwrap();
    assert_eq!(r.content.as_deref(), Some("hi"));
    assert_eq!(r.model, "planner-model");
    assert_eq!(r.usage.unwrap().prompt_tokens, 100);
    let sent = &fake.received()[0];
    assert_eq!(sent.authorization.as_deref(), Some("Bearer sk-test-key"));
    assert_eq!(sent.body["model"], "planner-model");
    assert_eq!(sent.body["messages"][1]["content"], "hello");
    assert_eq!(sent.body["tools"][0]["function"]["name"], "lookup");
    assert_eq!(
        sent.body["response_format"]["json_schema"]["schema"]["required"][0],
        "x"
    );
    // Purposes without a model of their own use the default.
    fake.push(Reply::Text("hi".into()));
    client(&fake).chat(&ask(), Purpose::Coding).await.unwrap();
    assert_eq!(fake.received()[1].body["model"], "default-model");
}

#[tokio::test]
async fn tool_calls_come_back() {
    let fake = FakeLlm::start().await;
    fake.push(Reply::ToolCalls(vec![("lookup".into(), json!({"q": "x"}))]));
    let r = client(&fake).chat(&ask(), Purpose::Coding).await.unwrap();
    assert_eq!(r.tool_calls[0].name, "lookup");
    assert_eq!(r.tool_calls[0].arguments, r#"{"q":"x"}"#);
}

#[tokio::test]
async fn rate_limits_are_retried_after_the_wait_the_server_asks() {
    let fake = FakeLlm::start().await;
    fake.push(Reply::Status(429, Some("1".into()), "slow down".into()));
    fake.push(Reply::Text("ok".into()));
    let started = Instant::now();
    let r = client(&fake).chat(&ask(), Purpose::Planning).await.unwrap();
    assert_eq!(r.content.as_deref(), Some("ok"));
    assert_eq!(fake.count(), 2);
    assert!(started.elapsed() >= Duration::from_millis(950));
}

#[tokio::test]
async fn server_errors_are_retried_then_reported() {
    let fake = FakeLlm::start().await;
    fake.push(Reply::Status(500, None, "boom".into()));
    fake.push(Reply::Text("ok".into()));
    assert!(client(&fake).chat(&ask(), Purpose::Planning).await.is_ok());
    fake.fallback(Some(Reply::Status(503, None, "down".into())));
    let err = client(&fake)
        .chat(&ask(), Purpose::Planning)
        .await
        .unwrap_err();
    assert!(matches!(err, LlmError::Status { status: 503, .. }), "{err}");
    assert!(err.to_string().contains("down"));
    assert!(err.is_retryable());
    // 2 for the first call, then 1 + 2 retries.
    assert_eq!(fake.count(), 5);
}

#[tokio::test]
async fn a_long_retry_after_ends_the_call_with_the_wait() {
    let fake = FakeLlm::start().await;
    fake.push(Reply::Status(429, Some("3600".into()), "quota".into()));
    let err = client(&fake)
        .chat(&ask(), Purpose::Planning)
        .await
        .unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(fake.count(), 1);
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let fake = FakeLlm::start().await;
    fake.push(Reply::Status(400, None, "bad model".into()));
    let err = client(&fake)
        .chat(&ask(), Purpose::Planning)
        .await
        .unwrap_err();
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("HTTP 400: bad model"), "{err}");
    assert!(!err.to_string().contains("sk-test-key"));
    assert_eq!(fake.count(), 1);
}

#[tokio::test]
async fn a_hang_past_the_timeout_is_a_timeout_after_retries() {
    let fake = FakeLlm::start().await;
    fake.fallback(Some(Reply::Hang(Duration::from_secs(5))));
    let started = Instant::now();
    let err = client(&fake)
        .chat(&ask(), Purpose::Planning)
        .await
        .unwrap_err();
    assert!(matches!(err, LlmError::Timeout { .. }), "{err}");
    assert_eq!(fake.count(), 3);
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[tokio::test]
async fn malformed_answers_keep_the_body() {
    let fake = FakeLlm::start().await;
    fake.push(Reply::Raw("{\"choices\": [".into()));
    let err = client(&fake)
        .chat(&ask(), Purpose::Planning)
        .await
        .unwrap_err();
    match err {
        LlmError::Malformed { reason, raw, .. } => {
            assert!(reason.contains("not JSON"), "{reason}");
            assert_eq!(raw, "{\"choices\": [");
        }
        other => panic!("{other}"),
    }
    assert_eq!(fake.count(), 1);
}

#[tokio::test]
async fn an_unreachable_server_is_a_transport_error() {
    let fake = FakeLlm::start().await;
    let mut p = provider(&fake);
    drop(fake);
    p.base_url = "http://127.0.0.1:9/v1".into();
    p.max_retries = 0;
    let err = Client::with_policy(p, quick())
        .unwrap()
        .chat(&ask(), Purpose::Planning)
        .await
        .unwrap_err();
    assert!(matches!(err, LlmError::Transport { .. }), "{err}");
    assert!(err.to_string().contains("refused"), "{err}");
    assert!(Client::new(Provider::new("x", "ftp://h", "m")).is_err());
}
