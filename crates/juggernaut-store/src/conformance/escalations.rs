//! Escalations: raising a key twice while it is open counts one record (the higher level kept,
//! one `escalation.raised` event), concurrent raisers of one key count one record, an
//! acknowledgement closes it (once: a second one, or an unknown id, is refused naming it) and the
//! key opens a new record; lists are newest first, open only or all, page by page; sends are
//! marked once; bad input is refused with nothing written; and the escalator's reads find
//! overdue tasks, failing kinds and goals at their budget.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::api::{ApprovalRequest, Failure};
use crate::capability::escalations::EscalationPage;
use crate::conformance::support::*;
use crate::error::StoreError;
use juggernaut_core::escalation::{EscalationKind as K, EscalationLevel as L, NewEscalation};
use juggernaut_core::goal::Budget;
use juggernaut_core::{DomainError, EscalationId, EventKind, NewGoal, RiskLevel, TaskStatus};
use std::time::Duration;

fn esc(key: &str, level: L, message: &str) -> NewEscalation {
    NewEscalation {
        key: key.into(),
        kind: K::DeadLetter,
        level,
        task_id: None,
        goal_id: None,
        message: message.into(),
    }
}

/// The refusal's message, asserting it is a domain refusal of `field`.
fn refused(err: StoreError, field: &str) -> String {
    match err {
        StoreError::Domain(DomainError::InvalidField { field: f, reason }) => {
            assert_eq!(f, field, "{reason}");
            reason
        }
        other => panic!("expected a refusal of `{field}`, got {other:?}"),
    }
}

async fn escalation_events(store: &S) -> Vec<juggernaut_core::AuditEvent> {
    all_events(store)
        .await
        .into_iter()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::EscalationRaised | EventKind::EscalationAcked
            )
        })
        .collect()
}

fn page(before: Option<EscalationId>, limit: u32) -> EscalationPage {
    EscalationPage { before, limit }
}

/// Raise twice: one record counted twice at the higher level; ack; raise again: a new record;
/// a second ack and an unknown id are refused; each creation and ack has its event.
pub async fn raising_twice_counts_and_acks_close(store: S) {
    let t = add(&store, task("noop")).await;
    let first = NewEscalation {
        task_id: Some(t.id),
        ..esc("dead:1", L::Info, "task 1 is dead")
    };
    let (a, created) = store.raise(first, "escalator").await.unwrap();
    assert!(created);
    assert_eq!((a.count, a.level, a.task_id), (1, L::Info, Some(t.id)));
    assert!(a.is_open() && a.notified_at.is_none());
    sleep(Duration::from_millis(5)).await;
    let (b, created) = store
        .raise(esc("dead:1", L::Critical, "still dead"), "escalator")
        .await
        .unwrap();
    assert!(!created);
    assert_eq!(
        (b.id, b.count, b.level, b.message.as_str()),
        (a.id, 2, L::Critical, "still dead")
    );
    assert!(b.last_at > a.last_at && b.first_at == a.first_at);
    let (c, _) = store
        .raise(esc("dead:1", L::Warning, "again"), "escalator")
        .await
        .unwrap();
    assert_eq!(
        (c.count, c.level),
        (3, L::Critical),
        "the level never falls"
    );

    let acked = store.ack(a.id, "alice", "looked at it").await.unwrap();
    assert!(!acked.is_open());
    assert_eq!(acked.acked_by.as_deref(), Some("alice"));
    assert_eq!(acked.ack_note.as_deref(), Some("looked at it"));
    let again = refused(store.ack(a.id, "bob", "").await.unwrap_err(), "escalation");
    assert!(again.contains("already acknowledged"), "{again}");
    assert!(again.contains("alice"), "{again}");
    let unknown = refused(
        store
            .ack(EscalationId(99_999), "bob", "")
            .await
            .unwrap_err(),
        "escalation",
    );
    assert!(unknown.contains("no escalation has id 99999"), "{unknown}");

    let (d, created) = store
        .raise(esc("dead:1", L::Info, "dead again"), "escalator")
        .await
        .unwrap();
    assert!(created && d.id > a.id && d.count == 1 && d.level == L::Info);

    let events = escalation_events(&store).await;
    let seen: Vec<(EventKind, &str, serde_json::Value)> = events
        .iter()
        .map(|e| (e.kind, e.actor.as_str(), e.data["escalation"].clone()))
        .collect();
    assert_eq!(
        seen,
        vec![
            (EventKind::EscalationRaised, "escalator", a.id.0.into()),
            (EventKind::EscalationAcked, "alice", a.id.0.into()),
            (EventKind::EscalationRaised, "escalator", d.id.0.into()),
        ]
    );
    assert_eq!(events[0].task_id, Some(t.id));
    assert_eq!(events[0].data["kind"], "dead_letter");
    assert_eq!(events[1].data["note"], "looked at it");
}

/// Raisers of one key at once count one record.
pub async fn concurrent_raises_of_a_key_count_one_record(store: S) {
    let mut joins = Vec::new();
    for i in 0..8 {
        let s = store.clone();
        joins.push(tokio::spawn(async move {
            s.raise(esc("stuck:7", L::Warning, &format!("try {i}")), "escalator")
                .await
                .unwrap()
        }));
    }
    let mut created = 0;
    for j in joins {
        created += usize::from(j.await.unwrap().1);
    }
    assert_eq!(created, 1);
    let all = store.escalations(false, page(None, 10)).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].count, 8);
    assert_eq!(escalation_events(&store).await.len(), 1);
}

/// Open only or all, newest first, page by page; unsent ones oldest first until marked; keys
/// ever used include acknowledged ones.
pub async fn escalations_list_page_and_mark_sends(store: S) {
    let mut ids = Vec::new();
    for i in 0..5 {
        let (e, _) = store
            .raise(esc(&format!("k{i}"), L::Warning, "m"), "escalator")
            .await
            .unwrap();
        ids.push(e.id);
    }
    store.ack(ids[1], "alice", "").await.unwrap();
    store.ack(ids[3], "alice", "").await.unwrap();
    let all: Vec<EscalationId> = store
        .escalations(false, page(None, 100))
        .await
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(all, ids.iter().rev().copied().collect::<Vec<_>>());
    let open: Vec<EscalationId> = store
        .escalations(true, page(None, 100))
        .await
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(open, vec![ids[4], ids[2], ids[0]]);
    let first = store.escalations(false, page(None, 2)).await.unwrap();
    assert_eq!(first.len(), 2);
    let second = store
        .escalations(false, page(Some(first[1].id), 2))
        .await
        .unwrap();
    assert_eq!(
        second.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![ids[2], ids[1]]
    );
    let open_page = store
        .escalations(true, page(Some(ids[2]), 2))
        .await
        .unwrap();
    assert_eq!(open_page.iter().map(|e| e.id).collect::<Vec<_>>(), [ids[0]]);
    refused(
        store.escalations(false, page(None, 0)).await.unwrap_err(),
        "limit",
    );
    refused(
        store
            .escalations(false, page(None, 1001))
            .await
            .unwrap_err(),
        "limit",
    );

    let unsent: Vec<EscalationId> = store
        .unnotified(100)
        .await
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(unsent, vec![ids[0], ids[2], ids[4]]);
    store.mark_notified(&[ids[0], ids[4]]).await.unwrap();
    store
        .mark_notified(&[ids[0], EscalationId(99_999)])
        .await
        .unwrap();
    store.mark_notified(&[]).await.unwrap();
    let unsent = store.unnotified(100).await.unwrap();
    assert_eq!(unsent.iter().map(|e| e.id).collect::<Vec<_>>(), [ids[2]]);
    let all = store.escalations(false, page(None, 100)).await.unwrap();
    assert!(
        all.iter()
            .find(|e| e.id == ids[0])
            .unwrap()
            .notified_at
            .is_some()
    );

    let keys = vec!["k1".to_owned(), "k4".to_owned(), "nope".to_owned()];
    let mut used = store.escalation_keys_used(&keys).await.unwrap();
    used.sort();
    assert_eq!(used, vec!["k1", "k4"]);
}

/// A blank or overlong key, a blank or unstorable message, a blank actor and a bad note are
/// refused with nothing written.
pub async fn bad_escalations_are_refused(store: S) {
    for (bad, field) in [
        (esc(" ", L::Info, "m"), "key"),
        (esc(&"k".repeat(201), L::Info, "m"), "key"),
        (esc("k", L::Info, ""), "message"),
        (esc("k", L::Info, "a\0b"), "message"),
    ] {
        refused(store.raise(bad, "escalator").await.unwrap_err(), field);
    }
    refused(
        store.raise(esc("k", L::Info, "m"), " ").await.unwrap_err(),
        "actor",
    );
    assert!(
        store
            .escalations(false, page(None, 10))
            .await
            .unwrap()
            .is_empty()
    );
    let (e, _) = store.raise(esc("k", L::Info, "m"), "x").await.unwrap();
    refused(store.ack(e.id, "", "n").await.unwrap_err(), "actor");
    refused(store.ack(e.id, "a", "n\0").await.unwrap_err(), "note");
    assert!(store.escalations(true, page(None, 10)).await.unwrap()[0].is_open());
    assert_eq!(escalation_events(&store).await.len(), 1);
}

/// The escalator's reads: a ready task and an approval waiting past their limits, kinds with
/// enough failed attempts in the window, and an active goal whose spend reached its budget.
pub async fn escalator_reads_find_what_is_overdue_failing_or_spent(store: S) {
    let ready = add(&store, task("noop")).await;
    let asks = add(&store, task("noop")).await;
    let held = claim(&store, "w", 10).await;
    let asking = held.iter().find(|t| t.id == asks.id).unwrap();
    store
        .request_approval(ApprovalRequest {
            lease: lease(asking),
            reason: "merges".into(),
            risk: RiskLevel::High,
            assessment: None,
        })
        .await
        .unwrap();
    if let Some(r) = held.iter().find(|t| t.id == ready.id) {
        store.release(&[lease(r)], "w").await.unwrap();
    }
    sleep(Duration::from_millis(30)).await;
    let hour = Duration::from_secs(3600);
    assert!(
        store
            .overdue_tasks(hour, hour, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let ms = Duration::from_millis(10);
    let stuck = store.overdue_tasks(ms, hour, 10).await.unwrap();
    assert_eq!(stuck.len(), 1);
    assert_eq!(
        (stuck[0].task, stuck[0].status),
        (ready.id, TaskStatus::Ready)
    );
    assert_eq!(stuck[0].kind, "noop");
    let both = store.overdue_tasks(ms, ms, 10).await.unwrap();
    let mut got: Vec<_> = both.iter().map(|o| (o.task, o.status)).collect();
    got.sort_by_key(|(t, _)| *t);
    assert_eq!(
        got,
        vec![
            (ready.id, TaskStatus::Ready),
            (asks.id, TaskStatus::WaitingApproval)
        ]
    );
    refused(store.overdue_tasks(ms, ms, 0).await.unwrap_err(), "limit");

    // two failed attempts of `flaky`
    add(
        &store,
        juggernaut_core::NewTask {
            max_attempts: 5,
            ..task("flaky")
        },
    )
    .await;
    for _ in 0..2 {
        let held = loop {
            let req = crate::api::ClaimRequest {
                kinds: vec![kind("flaky")],
                ..claim_req("w", 1)
            };
            let got = store.claim(&req).await.unwrap();
            if !got.is_empty() {
                break got;
            }
            sleep(Duration::from_millis(20)).await;
        };
        store
            .fail(Failure {
                lease: lease(&held[0]),
                error: "boom".into(),
                retryable: true,
                retry_after: Some(Duration::ZERO),
            })
            .await
            .unwrap();
    }
    let failing = store.failing_kinds(hour, 2, 10).await.unwrap();
    assert_eq!(failing.len(), 1);
    assert_eq!(
        (failing[0].kind.as_str(), failing[0].failures),
        ("flaky", 2)
    );
    assert!(store.failing_kinds(hour, 3, 10).await.unwrap().is_empty());

    let goal = |title: &str, money| NewGoal {
        budget: Budget {
            money_usd: money,
            max_tasks: None,
        },
        ..NewGoal::titled(title)
    };
    let spent = store.add_goal(goal("spent", Some(1.0)), "o").await.unwrap();
    let room = store.add_goal(goal("room", Some(5.0)), "o").await.unwrap();
    let free = store.add_goal(goal("free", None), "o").await.unwrap();
    for g in [spent.id, room.id, free.id] {
        let r = crate::Reservation {
            goal_id: Some(g),
            task_id: None,
            category: juggernaut_core::cost::CostCategory::Llm,
            item: "model".into(),
            purpose: "planning".into(),
            amount_usd: 1.0,
        };
        store
            .reserve(&r, &crate::Limits::default(), "w")
            .await
            .unwrap();
    }
    let over = store.goals_over_budget(10).await.unwrap();
    assert_eq!(over.len(), 1);
    assert_eq!(over[0].goal, spent.id);
    assert!((over[0].spent_usd - 1.0).abs() < 1e-9 && (over[0].budget_usd - 1.0).abs() < 1e-9);
}
