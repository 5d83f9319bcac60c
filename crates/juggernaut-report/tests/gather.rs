//! Gathering from a real store, on SQLite and on PostgreSQL: a goal with readings, a deadline
//! and a budget (its forecast and spend), a task completed with a pull request, one dead, one
//! waiting for approval, and money spent today; every section holds what the store holds.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{Duration, Utc};
use juggernaut_core::cost::CostCategory;
use juggernaut_core::{Evidence, MetricSource, MetricTarget, NewGoal, RiskLevel};
use juggernaut_report::{Format, Period, Request, Sources, gather};
use juggernaut_store::conformance::support::*;
use juggernaut_store::{ApprovalRequest, Failure, Limits, Reservation, Usage};

async fn seed(store: &S) {
    let mut goal = NewGoal::titled("Get 100 leads");
    goal.target = Some(MetricTarget {
        source: MetricSource::Manual,
        target: 100.0,
        unit: "leads".into(),
    });
    goal.deadline = Some(Utc::now() + Duration::days(30));
    goal.budget.money_usd = Some(5.0);
    let goal = store.add_goal(goal, "test").await.unwrap();
    for v in [10.0, 20.0, 30.0] {
        store.record_metric(goal.id, v, "manual").await.unwrap();
        sleep(std::time::Duration::from_millis(5)).await;
    }
    let r = Reservation {
        goal_id: Some(goal.id),
        task_id: None,
        category: CostCategory::Llm,
        item: "model-x".into(),
        purpose: "planning".into(),
        amount_usd: 1.0,
    };
    let id = store.reserve(&r, &Limits::default(), "test").await.unwrap();
    let used = Usage {
        tokens_in: 10,
        tokens_out: 5,
        amount_usd: 0.75,
    };
    store.settle(id, &used, "test").await.unwrap();

    let done_task = add(store, task("noop")).await;
    let dead_task = add(
        store,
        juggernaut_core::NewTask {
            max_attempts: 1,
            ..task("noop")
        },
    )
    .await;
    let waiting = add(store, task("noop")).await;
    let overran = add(
        store,
        juggernaut_core::NewTask {
            max_attempts: 1,
            ..task("noop")
        },
    )
    .await;
    let claimed = claim(store, "w", 4).await;
    assert!(claimed.iter().any(|t| t.id == overran.id));
    for t in &claimed {
        if t.id == done_task.id {
            let mut c = done(t);
            c.evidence.push(Evidence::PullRequest {
                url: "https://github.com/acme/site/pull/7".into(),
                number: 7,
                state: "merged".into(),
            });
            store.complete(c).await.unwrap();
        } else if t.id == dead_task.id {
            let f = Failure {
                lease: lease(t),
                error: "the <b>API</b> said no".into(),
                retryable: true,
                retry_after: None,
            };
            store.fail(f).await.unwrap();
        } else if t.id == waiting.id {
            let a = ApprovalRequest {
                lease: lease(t),
                reason: "sends email to customers".into(),
                risk: RiskLevel::High,
                assessment: None,
            };
            store.request_approval(a).await.unwrap();
        }
    }
    // Its only attempt runs past the run-time limit: `task.timed_out` into `dead`.
    let out = store
        .time_out_overdue(std::time::Duration::ZERO, "watchdog")
        .await
        .unwrap();
    assert_eq!(out, vec![overran.id]);
}

async fn sections_hold_what_the_store_holds(store: S) {
    seed(&store).await;
    let request = Request {
        title: None,
        period: Period::ending(None, Utc::now() + Duration::seconds(1)).unwrap(),
        day_budget_usd: Some(0.5),
    };
    let r = gather(&Sources::over(store.clone()), &request)
        .await
        .unwrap();
    assert!(r.title.starts_with("Executive report "), "{}", r.title);
    assert_eq!(r.goals.len(), 1);
    let g = &r.goals[0];
    assert_eq!(
        (g.current, g.target, g.series.len()),
        (Some(30.0), Some(100.0), 3)
    );
    let f = g.forecast.as_ref().expect("an active goal with a deadline");
    assert_eq!(f.points, 3);
    assert_eq!(r.done.len(), 1);
    let labels: Vec<&str> = r.done[0].links.iter().map(|l| l.label.as_str()).collect();
    assert!(labels.contains(&"pull request #7 (merged)"), "{labels:?}");
    assert_eq!(
        r.done[0].links[0].href.as_deref(),
        Some(format!("/#/tasks/{}", r.done[0].id.0).as_str())
    );
    assert_eq!(r.failures.len(), 2, "{:?}", r.failures);
    assert!(r.failures.iter().all(|f| f.outcome == "dead"));
    let by_error = r
        .failures
        .iter()
        .find(|f| f.error == "the <b>API</b> said no");
    assert!(by_error.is_some(), "{:?}", r.failures);
    assert_eq!(r.approvals.len(), 1);
    assert_eq!(r.approvals[0].risk, RiskLevel::High);
    assert_eq!(r.spend.days.len(), 8);
    assert!((r.spend.total_usd() - 0.75).abs() < 1e-9);
    assert_eq!(r.spend.days_over(), 1);
    assert_eq!(r.spend.goals.len(), 1);
    assert_eq!(r.spend.goals[0].budget_usd, Some(5.0));
    let s = r.summary();
    assert_eq!(
        (
            s["done"].as_u64(),
            s["dead"].as_u64(),
            s["approvals"].as_u64()
        ),
        (Some(1), Some(2), Some(1))
    );
    let page = Format::Html.render(&r);
    assert_eq!(page.matches("<svg").count(), 2);
    assert!(page.contains("the &lt;b&gt;API&lt;/b&gt; said no"));
    store.close().await;
}

#[tokio::test]
async fn gathers_every_section_on_sqlite() {
    sections_hold_what_the_store_holds(juggernaut_testkit::fresh_sqlite().await).await;
}

#[tokio::test]
async fn gathers_every_section_on_postgres() {
    let (store, db) = juggernaut_testkit::fresh_postgres().await;
    sections_hold_what_the_store_holds(store).await;
    db.dispose().await;
}
