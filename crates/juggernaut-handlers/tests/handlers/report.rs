//! `report` run for real: goals and a settled cost in the store, the report written through
//! `fs_write` and summed up through `notify` to a local webhook; the default path; and inputs
//! refused at enqueue.

use crate::support::{Rig, completed, evidence_calls, tools_of, webhook};
use chrono::{Duration, Utc};
use juggernaut_core::cost::CostCategory;
use juggernaut_core::{Evidence, MetricSource, MetricTarget, NewGoal};
use juggernaut_store::{Limits, Reservation, Store, Usage};
use juggernaut_testkit::fresh_sqlite;
use serde_json::json;
use std::sync::Arc;

/// A store with two active goals (one with a target, read at 25 of 100 leads, due in ten days)
/// and one model call settled today at $0.25.
async fn seeded() -> Arc<dyn Store> {
    let store = fresh_sqlite().await;
    let mut leads = NewGoal::titled("Get 100 leads");
    leads.target = Some(MetricTarget {
        source: MetricSource::Manual,
        target: 100.0,
        unit: "leads".into(),
    });
    leads.deadline = Some(Utc::now() + Duration::days(10) + Duration::hours(1));
    let leads = store.add_goal(leads, "test").await.unwrap();
    store.record_metric(leads.id, 25.0, "manual").await.unwrap();
    store
        .add_goal(NewGoal::titled("Write the docs"), "test")
        .await
        .unwrap();
    let r = Reservation {
        goal_id: None,
        task_id: None,
        category: CostCategory::Llm,
        item: "model-x".into(),
        purpose: "planning".into(),
        amount_usd: 0.5,
    };
    let id = store.reserve(&r, &Limits::default(), "test").await.unwrap();
    let used = Usage {
        tokens_in: 1000,
        tokens_out: 200,
        amount_usd: 0.25,
    };
    store.settle(id, &used, "test").await.unwrap();
    store
}

#[tokio::test]
async fn the_report_holds_goals_and_spend_and_is_announced() {
    let (tool, received) = webhook().await;
    let rig = Rig::start_on(seeded().await, vec![tool]).await;
    let input = json!({"title": "Weekly status", "path": "out/weekly.md", "notify_channel": "ops"});
    let t = rig.run("report", input).await;
    completed(&t);
    let result = t.result.clone().unwrap();
    assert_eq!(result["path"], "out/weekly.md");
    assert_eq!(result["goals"], 2);
    assert_eq!(result["statuses"]["active"], 2);
    assert_eq!(result["spend_today_usd"], 0.25);

    let file = rig.workspace(t.id).join("out/weekly.md");
    let md = std::fs::read_to_string(&file).unwrap();
    assert!(md.starts_with("# Weekly status\n\nGenerated "), "{md}");
    assert!(md.contains("2 goals: 2 active.\n"), "{md}");
    assert!(
        md.contains("| Goal | Status | Current | Target | Progress | Deadline |"),
        "{md}"
    );
    assert!(
        md.contains("Get 100 leads | active | 25 leads | 100 leads | 25% | "),
        "{md}"
    );
    assert!(md.contains("(10 days left) |"), "{md}");
    assert!(
        md.contains("Write the docs | active | — | — | — | — |"),
        "{md}"
    );
    assert!(
        md.contains("- Settled: $0.2500 over 1 calls (1000 tokens in, 200 out)"),
        "{md}"
    );

    let calls = rig.calls(t.id).await;
    assert_eq!(tools_of(&calls), ["fs_write", "notify"]);
    let ledger: Vec<String> = calls.iter().map(|c| c.id.to_string()).collect();
    assert_eq!(evidence_calls(&t), ledger);
    let sha = juggernaut_tools::sha256_file(&file).unwrap();
    assert!(t.evidence.contains(&Evidence::File {
        path: format!("task-{}/out/weekly.md", t.id.0),
        sha256: sha,
    }));
    assert!(t.evidence.contains(&Evidence::Message {
        channel: "ops".into(),
        id: "m-1".into(),
    }));
    let sent = received.lock().unwrap().clone();
    let text = sent[0]["text"].as_str().unwrap();
    assert!(
        text.contains("2 goals (2 active, 0 achieved, 0 missed); $0.25"),
        "{text}"
    );
    assert!(text.ends_with("Report: out/weekly.md"), "{text}");
}

#[tokio::test]
async fn by_default_the_report_is_dated_and_nothing_is_sent() {
    let rig = Rig::start(vec![]).await;
    let t = rig.run("report", json!({})).await;
    completed(&t);
    let today = Utc::now().format("%Y-%m-%d").to_string();
    let path = format!("reports/status-{today}.md");
    assert_eq!(t.result.as_ref().unwrap()["path"], path.as_str());
    let md = std::fs::read_to_string(rig.workspace(t.id).join(&path)).unwrap();
    assert!(
        md.starts_with(&format!("# Status report {today}\n")),
        "{md}"
    );
    assert!(md.contains("No goals.\n"), "{md}");
    assert!(
        md.contains("- Counted against today's budget: $0.0000"),
        "{md}"
    );
    assert_eq!(tools_of(&rig.calls(t.id).await), ["fs_write"]);
}

#[tokio::test]
async fn bad_reports_are_refused_at_enqueue() {
    let rig = Rig::start(vec![]).await;
    let cases = [
        (json!({"path": "../status.md"}), "`path`"),
        (json!({"path": "reports/"}), "`path`"),
        (json!({"title": ""}), "`title`"),
        (json!({"notify_channel": "#ops"}), "`notify_channel`"),
        (json!({"channel": "ops"}), "unknown field `channel`"),
    ];
    for (input, want) in cases {
        let err = rig.refused("report", input.clone());
        assert!(err.contains(want), "{want}: {err}");
    }
}
