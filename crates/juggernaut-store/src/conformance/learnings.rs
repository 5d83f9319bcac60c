//! Learnings: the capture reads each terminal task (and failed attempt) after its cursor once,
//! with its goal's tags and its tools; recording a batch moves the cursor by compare-and-set (a
//! stale batch is refused with nothing written) and counts a known fingerprint, keeping a
//! person's edit; lists filter and page newest first; edits and retirements write their events;
//! candidates put the matching first and leave the retired out; the error scan reads failures
//! seen repeatedly; bad input is refused naming the field.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::api::Failure;
use crate::capability::learnings::{LearningFilter, LearningPage};
use crate::capability::tool_calls::{NewToolCall, ToolCallStatus};
use crate::conformance::support::*;
use crate::error::StoreError;
use juggernaut_core::learning::{LearningEdit, LearningId, Outcome};
use juggernaut_core::{DomainError, EventKind, NewGoal, NewTask, TaskId};
use std::time::Duration;

fn refused(err: StoreError, field: &str) {
    match err {
        StoreError::Domain(DomainError::InvalidField { field: f, reason }) => {
            assert_eq!(f, field, "{reason}")
        }
        other => panic!("expected a refusal of `{field}`, got {other:?}"),
    }
}

fn ok_call(task: TaskId, tool: &str, status: ToolCallStatus) -> NewToolCall {
    NewToolCall {
        task_id: Some(task),
        attempt: 1,
        lease_token: None,
        tool: tool.into(),
        arguments: serde_json::json!({}),
        result: String::new(),
        result_sha256: "0".repeat(64),
        result_bytes: 0,
        error: (status == ToolCallStatus::Error).then(|| "boom".into()),
        status,
        duration_us: 1,
        cost_usd: 0.0,
    }
}

/// Claims the next task of `k`.
async fn claim_kind(store: &S, k: &str) -> Vec<juggernaut_core::Task> {
    let req = crate::api::ClaimRequest {
        kinds: vec![kind(k)],
        ..claim_req("w", 1)
    };
    store.claim(&req).await.unwrap()
}

/// Fails the next claimed `shell` task for good with `error`.
async fn fail_one(store: &S, error: &str) {
    let c = claim_kind(store, "shell").await;
    let f = Failure {
        lease: lease(&c[0]),
        error: error.into(),
        retryable: false,
        retry_after: None,
    };
    store.fail(f).await.unwrap();
}

/// Two tasks fail with errors that differ in numbers, one completes after calling tools, one is
/// cancelled: captured once into three learnings (the failure counted twice), the cursor moved.
async fn capture_all(store: &S) -> (TaskId, i64) {
    let goal = NewGoal {
        tags: vec!["orders".into()],
        ..NewGoal::titled("ship orders")
    };
    let goal = store.add_goal(goal, "owner").await.unwrap();
    let in_goal = |k: &str| NewTask {
        goal_id: Some(goal.id),
        ..task(k)
    };
    add(store, in_goal("shell")).await;
    fail_one(store, "exit 127 after 31ms: jq: command not found").await;
    add(store, in_goal("shell")).await;
    fail_one(store, "exit 127 after 7ms: jq: command not found").await;
    let ok = add(store, in_goal("http")).await;
    let c = claim_kind(store, "http").await;
    for (tool, st) in [
        ("http_request", ToolCallStatus::Ok),
        ("fs_write", ToolCallStatus::Error),
    ] {
        store
            .record_tool_call(ok_call(ok.id, tool, st), "w")
            .await
            .unwrap();
    }
    store.complete(done(&c[0])).await.unwrap();
    let gone = add(store, task("noop")).await;
    store.cancel(gone.id, "owner", "not needed").await.unwrap();
    let after = store.capture_cursor().await.unwrap();
    assert_eq!(after, 0);
    let waiting = store
        .capture_source(after, Duration::from_secs(3600), 1000)
        .await
        .unwrap();
    assert!(
        waiting.ended.is_empty() && waiting.next == after,
        "{waiting:?}"
    );
    let batch = store
        .capture_source(after, Duration::ZERO, 1000)
        .await
        .unwrap();
    let outcomes: Vec<Outcome> = batch.ended.iter().map(|t| t.outcome).collect();
    use Outcome::*;
    assert_eq!(outcomes, vec![Failed, Failed, Succeeded, Cancelled]);
    let success = &batch.ended[2];
    assert_eq!(success.tools, vec!["http_request".to_owned()]);
    assert_eq!(success.failed_tools, vec!["fs_write".to_owned()]);
    assert_eq!(success.tags, vec!["orders".to_owned()]);
    assert_eq!(success.evidence, vec!["handler_run".to_owned()]);
    assert!(batch.ended[3].error.as_deref() == Some("not needed"));
    let learnings = batch.ended.iter().map(|t| t.learning()).collect::<Vec<_>>();
    let n = store
        .record_learnings(learnings.clone(), after, batch.next, "learner")
        .await
        .unwrap();
    assert_eq!(n, 3, "the two failures are one row counted twice");
    let stale = store.record_learnings(learnings, after, batch.next, "learner");
    refused(stale.await.unwrap_err(), "cursor");
    assert_eq!(store.capture_cursor().await.unwrap(), batch.next);
    let again = store.capture_source(batch.next, Duration::ZERO, 1000).await;
    assert!(again.unwrap().ended.is_empty());
    (ok.id, batch.next)
}

/// See the module doc: capture once, count by fingerprint, refuse a stale cursor.
pub async fn capture_counts_each_ending_once_by_fingerprint(store: S) {
    let (ok_task, _) = capture_all(&store).await;
    let all = store
        .learnings(&LearningFilter::default(), LearningPage::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 3, "{all:#?}");
    let failure = all.iter().find(|l| l.outcome == Outcome::Failed).unwrap();
    assert_eq!((failure.count, failure.kind.as_str()), (2, "shell"));
    assert!(
        failure
            .error
            .as_deref()
            .unwrap()
            .contains("jq: command not found")
    );
    assert_eq!(failure.tags, vec!["orders".to_owned()]);
    let success = all
        .iter()
        .find(|l| l.outcome == Outcome::Succeeded)
        .unwrap();
    assert_eq!(success.last_task, Some(ok_task));
    assert_eq!(success.tools, vec!["http_request".to_owned()]);
    let repeated = store.repeated_failures(2, 10).await.unwrap();
    assert_eq!(repeated.len(), 1);
    assert_eq!((repeated[0].learning, repeated[0].count), (failure.id, 2));
    assert!(store.repeated_failures(3, 10).await.unwrap().is_empty());
    let recorded: Vec<_> = all_events(&store)
        .await
        .into_iter()
        .filter(|e| e.kind == EventKind::LearningRecorded)
        .collect();
    assert_eq!(
        recorded.len(),
        1,
        "one event per batch, none for the refused one"
    );
}

/// Lists filter and page; an edit is kept by a later capture; retire and unretire write their
/// events; candidates put the matching first and leave the retired out.
pub async fn learnings_are_listed_edited_and_retired(store: S) {
    let (_, cursor) = capture_all(&store).await;
    let page = |limit| LearningPage {
        before: None,
        limit,
    };
    let first = store
        .learnings(&LearningFilter::default(), page(2))
        .await
        .unwrap();
    assert_eq!(first.len(), 2);
    assert!(first[0].id > first[1].id);
    let rest = LearningPage {
        before: Some(first[1].id),
        limit: 10,
    };
    assert_eq!(
        store
            .learnings(&LearningFilter::default(), rest)
            .await
            .unwrap()
            .len(),
        1
    );
    let by = |f: LearningFilter| {
        let store = store.clone();
        async move { store.learnings(&f, page(50)).await.unwrap() }
    };
    let shell = by(LearningFilter {
        kind: Some("shell".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(shell.len(), 1);
    let tagged = by(LearningFilter {
        tag: Some("orders".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(tagged.len(), 2);
    let cancelled = by(LearningFilter {
        outcome: Some(Outcome::Cancelled),
        ..Default::default()
    })
    .await;
    assert_eq!(cancelled.len(), 1);
    let id = shell[0].id;
    let edit = LearningEdit {
        summary: Some("Install jq first, or use python -m json.tool".into()),
        tags: Some(vec!["orders".into(), "tooling".into()]),
    };
    let edited = store.edit_learning(id, &edit, "owner").await.unwrap();
    assert_eq!(edited.edited_by.as_deref(), Some("owner"));
    // the same failure again: counted, the edit kept
    add(&store, task("shell")).await;
    fail_one(&store, "exit 127 after 99ms: jq: command not found").await;
    let batch = store
        .capture_source(cursor, Duration::ZERO, 1000)
        .await
        .unwrap();
    let news = batch.ended.iter().map(|t| t.learning()).collect();
    store
        .record_learnings(news, cursor, batch.next, "learner")
        .await
        .unwrap();
    let now = store.learning(id).await.unwrap().unwrap();
    assert_eq!(
        (now.count, now.summary.as_str()),
        (3, edit.summary.as_deref().unwrap())
    );
    assert_eq!(now.tags, vec!["orders".to_owned(), "tooling".to_owned()]);
    let retired = store.retire_learning(id, true, "owner").await.unwrap();
    assert_eq!(retired.retired_by.as_deref(), Some("owner"));
    store.retire_learning(id, true, "owner").await.unwrap();
    assert_eq!(by(LearningFilter::default()).await.len(), 2);
    let with_retired = by(LearningFilter {
        include_retired: true,
        ..Default::default()
    });
    assert_eq!(with_retired.await.len(), 3);
    let cands = store
        .learning_candidates(Some("shell"), &[], 10)
        .await
        .unwrap();
    assert!(cands.iter().all(|l| l.id != id), "retired stays out");
    assert!(store.repeated_failures(1, 10).await.unwrap().is_empty());
    store.retire_learning(id, false, "owner").await.unwrap();
    let cands = store
        .learning_candidates(Some("shell"), &[], 10)
        .await
        .unwrap();
    assert_eq!((cands.len(), cands[0].id), (3, id), "the kind's first");
    let tags = ["tooling".to_owned()];
    let cands = store
        .learning_candidates(Some("noop"), &tags, 10)
        .await
        .unwrap();
    assert_eq!(cands.len(), 3);
    assert!(cands[..2].iter().any(|l| l.id == id) && cands[..2].iter().any(|l| l.kind == "noop"));
    let kinds: Vec<EventKind> = all_events(&store)
        .await
        .into_iter()
        .map(|e| e.kind)
        .filter(|k| k.as_str().starts_with("learning.") && *k != EventKind::LearningRecorded)
        .collect();
    use EventKind::*;
    assert_eq!(
        kinds,
        vec![LearningEdited, LearningRetired, LearningUnretired]
    );
    assert!(store.learning(LearningId(999_999)).await.unwrap().is_none());
}

/// Unknown ids, empty or bad edits, bad tags and limits are refused naming the field.
pub async fn bad_learning_input_is_refused(store: S) {
    capture_all(&store).await;
    let unknown = LearningId(999_999);
    let edit = LearningEdit {
        summary: Some("x".into()),
        tags: None,
    };
    refused(
        store.edit_learning(unknown, &edit, "o").await.unwrap_err(),
        "learning",
    );
    refused(
        store.retire_learning(unknown, true, "o").await.unwrap_err(),
        "learning",
    );
    let id = store
        .learnings(&LearningFilter::default(), LearningPage::default())
        .await
        .unwrap()[0]
        .id;
    let empty = LearningEdit::default();
    refused(
        store.edit_learning(id, &empty, "o").await.unwrap_err(),
        "edit",
    );
    let nul = LearningEdit {
        summary: Some("a\0b".into()),
        tags: None,
    };
    refused(
        store.edit_learning(id, &nul, "o").await.unwrap_err(),
        "summary",
    );
    let tags = LearningEdit {
        summary: None,
        tags: Some(vec!["x".repeat(65)]),
    };
    refused(
        store.edit_learning(id, &tags, "o").await.unwrap_err(),
        "tags",
    );
    let zero = LearningPage {
        before: None,
        limit: 0,
    };
    refused(
        store
            .learnings(&LearningFilter::default(), zero)
            .await
            .unwrap_err(),
        "limit",
    );
    refused(store.repeated_failures(1, 1001).await.unwrap_err(), "limit");
    let l = store.learning(id).await.unwrap().unwrap();
    assert!(l.edited_at.is_none(), "nothing written");
}

/// Writes every learning event (for the audit conformance case).
pub async fn exercise(store: &S) {
    let after = store.capture_cursor().await.unwrap();
    let batch = store
        .capture_source(after, Duration::ZERO, 1000)
        .await
        .unwrap();
    let news = batch.ended.iter().map(|t| t.learning()).collect();
    store
        .record_learnings(news, after, batch.next, "learner")
        .await
        .unwrap();
    let l = &store
        .learnings(&LearningFilter::default(), LearningPage::default())
        .await
        .unwrap()[0];
    let edit = LearningEdit {
        summary: Some("edited".into()),
        tags: Some(vec!["t".into()]),
    };
    store.edit_learning(l.id, &edit, "owner").await.unwrap();
    store.retire_learning(l.id, true, "owner").await.unwrap();
    store.retire_learning(l.id, false, "owner").await.unwrap();
}
