//! The escalator's sink: each escalation sent once as a message on the `[escalation] channel`
//! through the `notify` tool, called through the toolbox for no task (so the call is checked,
//! time-limited and recorded in the tool-call ledger like every other).

use crate::config::Config;
use async_trait::async_trait;
use juggernaut_core::Escalation;
use juggernaut_engine::node::{Escalating, EscalationSink};
use juggernaut_tools::{Permission, ToolContext, Toolbox, Workspaces};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// Sends escalations on one notify channel.
pub struct NotifySink {
    toolbox: Toolbox,
    workspaces: Workspaces,
    channel: String,
}

#[async_trait]
impl EscalationSink for NotifySink {
    fn describe(&self) -> String {
        format!("notify channel `{}`", self.channel)
    }

    async fn send(&self, e: &Escalation) -> Result<(), String> {
        let ctx = ToolContext {
            task_id: None,
            attempt: 1,
            lease_token: None,
            workspace: self.workspaces.named("escalations"),
            cancel: CancellationToken::new(),
        };
        let called = self
            .toolbox
            .call(
                &ctx,
                "notify",
                arguments(&self.channel, e),
                &[Permission::External],
            )
            .await
            .map_err(|err| err.to_string())?;
        called
            .outcome
            .map(|_| ())
            .map_err(|err| format!("notify call {}: {err}", called.id))
    }
}

/// The `notify` arguments for `e`: a subject with its level and kind, the message, and the
/// fields a person needs to act (how to acknowledge it).
fn arguments(channel: &str, e: &Escalation) -> serde_json::Value {
    let mut fields = serde_json::json!({
        "escalation": e.id.0,
        "key": e.key,
        "level": e.level.as_str(),
        "kind": e.kind.as_str(),
        "raised": e.count,
        "first_at": e.first_at.to_rfc3339(),
        "acknowledge": format!("juggernaut escalation ack {}", e.id),
    });
    if let Some(t) = e.task_id {
        fields["task"] = t.0.into();
    }
    if let Some(g) = e.goal_id {
        fields["goal"] = g.0.into();
    }
    serde_json::json!({
        "channel": channel,
        "subject": format!("[{}] {}: escalation {}", e.level, e.kind, e.id),
        "text": e.message,
        "fields": fields,
    })
}

/// The escalator for `up`/`worker`: the configured thresholds, and a sink on the configured
/// channel (none: escalations are only recorded).
pub fn escalating(cfg: &Config, toolbox: &Toolbox, workspaces: &Workspaces) -> Escalating {
    let sink = cfg.escalation.channel.as_ref().map(|channel| {
        Arc::new(NotifySink {
            toolbox: toolbox.clone(),
            workspaces: workspaces.clone(),
            channel: channel.clone(),
        }) as Arc<dyn EscalationSink>
    });
    Escalating {
        config: cfg.escalation.config.clone(),
        sink,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use juggernaut_core::escalation::{EscalationKind, EscalationLevel};
    use juggernaut_core::{EscalationId, TaskId};

    #[test]
    fn arguments_name_the_channel_level_and_how_to_acknowledge() {
        let now = chrono::Utc::now();
        let e = Escalation {
            id: EscalationId(7),
            key: "dead:3".into(),
            kind: EscalationKind::DeadLetter,
            level: EscalationLevel::Warning,
            task_id: Some(TaskId(3)),
            goal_id: None,
            message: "task 3 is dead".into(),
            count: 1,
            first_at: now,
            last_at: now,
            acked_at: None,
            acked_by: None,
            ack_note: None,
            notified_at: None,
        };
        let a = arguments("ops", &e);
        assert_eq!(a["channel"], "ops");
        assert_eq!(a["subject"], "[warning] dead_letter: escalation 7");
        assert_eq!(a["text"], "task 3 is dead");
        assert_eq!(a["fields"]["task"], 3);
        assert_eq!(a["fields"]["acknowledge"], "juggernaut escalation ack 7");
        assert!(a["fields"].get("goal").is_none());
    }
}
