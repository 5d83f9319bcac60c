//! `notify`: Slack and webhook sinks that record what they got, an SMTP sink speaking just
//! enough SMTP, and a failing webhook that must leave no evidence.

use crate::support::{Recorder, abort, ctx, model_msg, serve};
use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use juggernaut_core::Evidence;
use juggernaut_tools::Tool;
use juggernaut_tools_net::{
    Channel, FetchConfig, HttpConfig, Notify, NotifyConfig, SearchConfig, net_tools,
};
use serde_json::json;
use std::collections::BTreeMap;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

fn notify(channels: Vec<(&str, Channel)>) -> Notify {
    let channels: BTreeMap<String, Channel> = channels
        .into_iter()
        .map(|(n, c)| (n.to_owned(), c))
        .collect();
    Notify::new(&NotifyConfig {
        channels,
        timeout_secs: 5,
    })
    .unwrap()
}

fn message_of(out: &juggernaut_tools::ToolOutput) -> (String, String) {
    match &out.evidence[..] {
        [Evidence::Message { channel, id }] => (channel.clone(), id.clone()),
        other => panic!("expected one message, got {other:?}"),
    }
}

#[tokio::test]
async fn slack_and_webhooks_get_the_message_and_give_an_id() {
    let got = Recorder::default();
    let (g1, g2, g3) = (got.clone(), got.clone(), got.clone());
    let app = Router::new()
        .route(
            "/services/T1/B1/SECRETPATH",
            post(move |body: String| async move {
                g1.push(body);
                "ok"
            }),
        )
        .route(
            "/hook",
            post(move |headers: HeaderMap, body: String| async move {
                let auth = headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                g2.push(format!("{auth}|{body}"));
                axum::Json(json!({"id": "msg-77"}))
            }),
        )
        .route(
            "/hook-rid",
            post(move |body: String| async move {
                g3.push(body);
                ([("x-request-id", "rid-5")], "")
            }),
        );
    let addr = serve(app).await;
    let base = format!("http://127.0.0.1:{}", addr.port());
    let mut headers = BTreeMap::new();
    headers.insert("Authorization".to_owned(), "Bearer HOOKTOKEN".to_owned());
    let t = notify(vec![
        (
            "ops",
            Channel::Slack {
                webhook_url: format!("{base}/services/T1/B1/SECRETPATH"),
            },
        ),
        (
            "hook",
            Channel::Webhook {
                url: format!("{base}/hook"),
                headers,
            },
        ),
        (
            "rid",
            Channel::Webhook {
                url: format!("{base}/hook-rid"),
                headers: BTreeMap::new(),
            },
        ),
    ]);
    assert!(!format!("{t:?}").contains("SECRETPATH"));
    let schema = t.parameters();
    assert_eq!(
        schema["properties"]["channel"]["enum"],
        json!(["hook", "ops", "rid"])
    );

    let out = t
        .call(&ctx(), json!({"channel": "ops", "subject": "Deploy", "text": "v2 is out", "fields": {"env": "prod", "n": 3}}))
        .await
        .unwrap();
    let (channel, id) = message_of(&out);
    assert_eq!(channel, "ops");
    let parts: Vec<&str> = id.split(':').collect();
    assert_eq!(parts.len(), 3, "{id}");
    assert_eq!(parts[0], "slack");
    assert!(
        parts[1].len() == 16 && parts[1].chars().all(|c| c.is_ascii_hexdigit()),
        "{id}"
    );
    assert!(
        parts[2].parse::<u128>().unwrap() > 1_600_000_000_000,
        "{id}"
    );
    let slack: serde_json::Value = serde_json::from_str(&got.all()[0]).unwrap();
    assert_eq!(
        slack,
        json!({"text": "*Deploy*\nv2 is out\n• env: prod\n• n: 3"})
    );
    assert!(!out.content.to_string().contains("SECRETPATH"));

    let out = t
        .call(&ctx(), json!({"channel": "hook", "text": "hello"}))
        .await
        .unwrap();
    assert_eq!(message_of(&out), ("hook".to_owned(), "msg-77".to_owned()));
    let (auth, body) = got.all()[1]
        .split_once('|')
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .unwrap();
    assert_eq!(auth, "Bearer HOOKTOKEN");
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        body,
        json!({"channel": "hook", "subject": null, "text": "hello", "fields": {}})
    );

    let out = t
        .call(&ctx(), json!({"channel": "rid", "text": "x"}))
        .await
        .unwrap();
    assert_eq!(message_of(&out).1, "rid-5");

    let e = t
        .call(&ctx(), json!({"channel": "pager", "text": "x"}))
        .await
        .unwrap_err();
    let msg = model_msg(e);
    assert!(msg.contains("hook, ops, rid"), "{msg}");
    let e = t
        .call(&ctx(), json!({"channel": "ops", "text": "  "}))
        .await
        .unwrap_err();
    assert!(model_msg(e).contains("`text` is empty"));
}

#[tokio::test]
async fn a_failing_webhook_is_an_error_without_evidence() {
    let app = Router::new()
        .route(
            "/down/SECRETPATH",
            post(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "boom") }),
        )
        .route(
            "/gone/SECRETPATH",
            post(|| async { (StatusCode::NOT_FOUND, "no_service") }),
        );
    let addr = serve(app).await;
    let base = format!("http://127.0.0.1:{}", addr.port());
    let t = notify(vec![
        (
            "down",
            Channel::Webhook {
                url: format!("{base}/down/SECRETPATH"),
                headers: BTreeMap::new(),
            },
        ),
        (
            "gone",
            Channel::Slack {
                webhook_url: format!("{base}/gone/SECRETPATH"),
            },
        ),
    ]);
    let (msg, retryable) = abort(
        t.call(&ctx(), json!({"channel": "down", "text": "x"}))
            .await
            .unwrap_err(),
    );
    assert!(retryable, "{msg}");
    assert!(msg.contains("500"), "{msg}");
    assert!(!msg.contains("SECRETPATH"), "{msg}");
    let (msg, retryable) = abort(
        t.call(&ctx(), json!({"channel": "gone", "text": "x"}))
            .await
            .unwrap_err(),
    );
    assert!(!retryable, "{msg}");
    assert!(
        msg.contains("tools.notify.channels.gone.webhook_url"),
        "{msg}"
    );
    assert!(!msg.contains("SECRETPATH"), "{msg}");
}

/// An SMTP server for one session: records the DATA it got, answers `250 OK queued as TESTID`.
async fn smtp_sink() -> (u16, tokio::sync::oneshot::Receiver<Vec<String>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read).lines();
        let mut log = Vec::new();
        write.write_all(b"220 sink.test ESMTP\r\n").await.unwrap();
        while let Ok(Some(line)) = lines.next_line().await {
            let verb = line
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_ascii_uppercase();
            log.push(line.clone());
            let answer: &[u8] = match verb.as_str() {
                "EHLO" | "HELO" => b"250 sink.test\r\n",
                "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 OK\r\n",
                "DATA" => {
                    write.write_all(b"354 go ahead\r\n").await.unwrap();
                    while let Ok(Some(l)) = lines.next_line().await {
                        if l == "." {
                            break;
                        }
                        log.push(l.strip_prefix('.').map_or(l.clone(), str::to_owned));
                    }
                    b"250 OK queued as TESTID\r\n"
                }
                "QUIT" => {
                    let _ = write.write_all(b"221 bye\r\n").await;
                    break;
                }
                _ => b"502 not here\r\n",
            };
            write.write_all(answer).await.unwrap();
        }
        let _ = tx.send(log);
    });
    (port, rx)
}

#[tokio::test]
async fn email_reaches_the_smtp_server_and_its_answer_is_the_id() {
    let (port, received) = smtp_sink().await;
    let t = notify(vec![(
        "mail",
        Channel::Email {
            smtp_url: format!("smtp://127.0.0.1:{port}"),
            from: "Juggernaut <bot@example.test>".to_owned(),
            to: vec!["ops@example.test".to_owned()],
        },
    )]);
    let out = t
        .call(&ctx(), json!({"channel": "mail", "subject": "Disk almost full", "text": "db-1 is at 91%", "fields": {"host": "db-1"}}))
        .await
        .unwrap();
    assert_eq!(
        message_of(&out),
        ("mail".to_owned(), "OK queued as TESTID".to_owned())
    );
    assert!(
        out.content["message_id"]
            .as_str()
            .unwrap()
            .ends_with("@example.test>")
    );
    let log = tokio::time::timeout(std::time::Duration::from_secs(5), received)
        .await
        .unwrap()
        .unwrap();
    let all = log.join("\n");
    assert!(all.contains("MAIL FROM:<bot@example.test>"), "{all}");
    assert!(all.contains("RCPT TO:<ops@example.test>"), "{all}");
    assert!(all.contains("Subject: Disk almost full"), "{all}");
    assert!(all.contains("db-1 is at 91%"), "{all}");
    assert!(all.contains("host: db-1"), "{all}");
}

#[tokio::test]
async fn net_tools_offers_what_is_configured() {
    let names = |tools: Vec<std::sync::Arc<dyn Tool>>| {
        tools
            .iter()
            .map(|t| t.name().to_owned())
            .collect::<Vec<_>>()
    };
    let bare = net_tools(
        HttpConfig::default(),
        FetchConfig::default(),
        None,
        NotifyConfig::default(),
    )
    .unwrap();
    assert_eq!(names(bare), ["http_request", "fetch_page"]);
    let search: SearchConfig =
        serde_json::from_value(json!({"provider": "searxng", "url": "http://127.0.0.1:9"}))
            .unwrap();
    let notify: NotifyConfig = serde_json::from_value(json!({
        "channels": {"ops": {"type": "slack", "webhook_url": "https://hooks.example.test/x"}}
    }))
    .unwrap();
    let all = net_tools(
        HttpConfig::default(),
        FetchConfig::default(),
        Some(search),
        notify,
    )
    .unwrap();
    assert_eq!(
        names(all),
        ["http_request", "fetch_page", "web_search", "notify"]
    );
    let bad = HttpConfig {
        allow_hosts: vec!["https://x.test".to_owned()],
        ..HttpConfig::default()
    };
    let e = net_tools(bad, FetchConfig::default(), None, NotifyConfig::default())
        .err()
        .unwrap();
    assert_eq!(e.key, "tools.http.allow_hosts[0]");
}
