//! `notify` run for real through the `notify` tool to a local webhook: a message sent and its id
//! as evidence, a channel the configuration lacks, and inputs refused at enqueue.

use crate::support::{Rig, completed, ended, evidence_calls, tools_of, webhook};
use juggernaut_core::{Evidence, TaskStatus};
use serde_json::json;

#[tokio::test]
async fn a_message_is_sent_and_its_id_is_the_evidence() {
    let (tool, received) = webhook().await;
    let rig = Rig::start(vec![tool]).await;
    let input = json!({"channel": "ops", "subject": "Deploy", "text": "v2 is live"});
    let t = rig.run("notify", input).await;
    completed(&t);
    assert_eq!(t.result.as_ref().unwrap()["id"], "m-1");
    let got = received.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["text"], "v2 is live");
    assert_eq!(got[0]["subject"], "Deploy");
    let calls = rig.calls(t.id).await;
    assert_eq!(tools_of(&calls), ["notify"]);
    assert_eq!(evidence_calls(&t), [calls[0].id.to_string()]);
    assert!(t.evidence.contains(&Evidence::Message {
        channel: "ops".into(),
        id: "m-1".into(),
    }));
}

#[tokio::test]
async fn a_channel_that_is_not_configured_fails_the_task() {
    let (tool, received) = webhook().await;
    let rig = Rig::start(vec![tool]).await;
    let t = rig
        .run("notify", json!({"channel": "sales", "text": "hi"}))
        .await;
    let err = ended(&t, TaskStatus::Failed);
    assert!(
        err.contains("no channel `sales`; the channels are: ops"),
        "{err}"
    );
    assert!(received.lock().unwrap().is_empty());
}

#[tokio::test]
async fn bad_messages_are_refused_at_enqueue() {
    let rig = Rig::start(vec![]).await;
    let cases = [
        (json!({"channel": "ops", "text": "  "}), "`text`"),
        (
            json!({"channel": "ops", "text": "x".repeat(40_001)}),
            "`text`",
        ),
        (json!({"channel": "o p s", "text": "hi"}), "`channel`"),
        (
            json!({"channel": "ops", "text": "hi", "subject": "s".repeat(251)}),
            "`subject`",
        ),
        (json!({"text": "hi"}), "missing field `channel`"),
    ];
    for (input, want) in cases {
        let err = rig.refused("notify", input.clone());
        assert!(err.contains(want), "{want}: {err}");
    }
}
