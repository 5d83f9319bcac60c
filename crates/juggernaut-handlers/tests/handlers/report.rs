//! `report` run for real: goals, a completed task and a settled cost in the store; the executive
//! report stored (and read back by the verifier), written as Markdown and HTML with charts
//! through `fs_write` and announced through `notify` to a local webhook; the default path; and
//! inputs refused at enqueue.

use crate::support::{Rig, completed, evidence_calls, tools_of, webhook};
use chrono::{Duration, Utc};
use juggernaut_core::cost::CostCategory;
use juggernaut_core::{Evidence, MetricSource, MetricTarget, NewGoal};
use juggernaut_store::{Limits, ReportId, Reservation, Store, Usage};
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
async fn the_report_is_stored_written_with_charts_and_announced() {
    let (tool, received) = webhook().await;
    let store = seeded().await;
    let rig = Rig::start_on(store.clone(), vec![tool]).await;
    let earlier = rig.run("noop", json!({})).await;
    completed(&earlier);
    let input = json!({"title": "Weekly status", "path": "out/weekly.md", "notify_channel": "ops"});
    let t = rig.run("report", input).await;
    completed(&t);
    let result = t.result.clone().unwrap();
    assert_eq!(
        (&result["path"], &result["html_path"]),
        (&json!("out/weekly.md"), &json!("out/weekly.html"))
    );
    assert_eq!(result["summary"]["goals"], 2);
    assert_eq!(result["summary"]["active"], 2);
    assert_eq!(result["summary"]["done"], 1, "the noop before it");
    assert_eq!(result["summary"]["spend_usd"], 0.25);

    let id = ReportId(result["report"].as_i64().unwrap());
    assert!(t.evidence.contains(&Evidence::Report {
        id: id.0.to_string()
    }));
    let stored = store.report(id).await.unwrap().unwrap();
    assert_eq!(stored.info.task, Some(t.id));
    assert_eq!(stored.info.title, "Weekly status");
    assert_eq!(stored.info.until - stored.info.since, Duration::days(7));
    let md_file = rig.workspace(t.id).join("out/weekly.md");
    let html_file = rig.workspace(t.id).join("out/weekly.html");
    assert_eq!(std::fs::read_to_string(&md_file).unwrap(), stored.markdown);
    assert_eq!(std::fs::read_to_string(&html_file).unwrap(), stored.html);
    let md = &stored.markdown;
    assert!(md.starts_with("# Weekly status\n"), "{md}");
    assert!(
        md.contains("| #1 Get 100 leads | active | 25 leads | 100 leads | 25% | "),
        "{md}"
    );
    assert!(
        md.contains(&format!("[task {0}](</#/tasks/{0}>)", earlier.id.0)),
        "{md}"
    );
    assert!(
        md.contains("$0.25 in the period (no day budget is set"),
        "{md}"
    );
    assert!(stored.html.contains("<svg"), "the spend chart at least");
    assert!(
        stored.html.contains(">target 100</text>"),
        "the goal's chart"
    );

    let calls = rig.calls(t.id).await;
    assert_eq!(tools_of(&calls), ["fs_write", "fs_write", "notify"]);
    let ledger: Vec<String> = calls.iter().map(|c| c.id.to_string()).collect();
    assert_eq!(evidence_calls(&t), ledger);
    let sha = juggernaut_tools::sha256_file(&md_file).unwrap();
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
        text.starts_with("Weekly status: 2 goals (2 active, 0 achieved, 0 at risk); 1 tasks done"),
        "{text}"
    );
    assert!(
        text.ends_with(&format!(
            "Report {} (files out/weekly.md and out/weekly.html).",
            id.0
        )),
        "{text}"
    );
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
    assert!(md.starts_with("# Executive report "), "{md}");
    assert!(md.contains("No goals yet.\n"), "{md}");
    assert!(md.contains("No tasks completed in this period.\n"), "{md}");
    let html = rig
        .workspace(t.id)
        .join(format!("reports/status-{today}.html"));
    assert!(std::fs::read_to_string(html).unwrap().contains("<svg"));
    assert_eq!(tools_of(&rig.calls(t.id).await), ["fs_write", "fs_write"]);
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
        (json!({"path": "reports/x.txt"}), "must end in `.md`"),
        (json!({"days": 0}), "`days`: 0 is out of range"),
        (json!({"days": 93}), "`days`: 93 is out of range"),
    ];
    for (input, want) in cases {
        let err = rig.refused("report", input.clone());
        assert!(err.contains(want), "{want}: {err}");
    }
}

/// The check reads the report back: evidence naming another task's report, a report whose text
/// is not what the files hold, or no stored report at all is refused.
#[tokio::test]
async fn the_check_refuses_a_report_that_is_not_this_tasks() {
    use juggernaut_handler::context::Handles;
    use juggernaut_handler::{Done, Handler, TaskContext};
    use juggernaut_handlers::report::Report;
    use juggernaut_store::{LeaseRef, NewReport};

    let store = fresh_sqlite().await;
    let rig = Rig::start_on(store.clone(), vec![]).await;
    let t = rig.run("report", json!({"path": "r.md"})).await;
    completed(&t);
    let other = rig.run("noop", json!({})).await;
    let ctx = TaskContext {
        task: t.clone(),
        lease: LeaseRef {
            task_id: t.id,
            token: 1,
        },
        cancel: tokio_util::sync::CancellationToken::new(),
        handles: Handles::over(store.clone()),
        envelope: Default::default(),
    };
    let done = Done {
        result: t.result.clone().unwrap(),
        evidence: t.evidence.clone(),
    };
    let handler = Report::new(None);
    handler.verify(&ctx, &done).await.unwrap();

    let stored = store
        .report(ReportId(done.result["report"].as_i64().unwrap()))
        .await
        .unwrap()
        .unwrap();
    let save = |task, markdown: &str| NewReport {
        title: "forged".into(),
        since: stored.info.since,
        until: stored.info.until,
        task: Some(task),
        summary: json!({}),
        markdown: markdown.into(),
        html: stored.html.clone(),
    };
    let swapped = |id: ReportId| {
        let mut d = done.clone();
        d.evidence.retain(|e| !matches!(e, Evidence::Report { .. }));
        d.evidence.push(Evidence::Report {
            id: id.0.to_string(),
        });
        d.result["report"] = json!(id.0);
        d
    };
    let theirs = store
        .save_report(save(other.id, &stored.markdown), "test")
        .await
        .unwrap();
    let err = handler.verify(&ctx, &swapped(theirs.id)).await.unwrap_err();
    assert!(err.contains("was not made by this task"), "{err}");
    let edited = store
        .save_report(save(t.id, "# something else\n"), "test")
        .await
        .unwrap();
    let err = handler.verify(&ctx, &swapped(edited.id)).await.unwrap_err();
    assert!(
        err.contains("`r.md` does not hold the stored report"),
        "{err}"
    );
    let err = handler
        .verify(&ctx, &swapped(ReportId(99_999)))
        .await
        .unwrap_err();
    assert!(err.contains("report 99999 is not stored"), "{err}");
}
