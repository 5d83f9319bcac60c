//! Goals changed by hand: an edit replaces the spec (not the parent or owner), records
//! `goal.edited` and makes the planner look at the goal again; a replan request does the same
//! with `goal.replan_requested`; finished goals and bad specs are refused with nothing written.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::conformance::support::*;
use crate::error::StoreError;
use juggernaut_core::goal::{MetricSource, MetricTarget};
use juggernaut_core::ids::EventId;
use juggernaut_core::{EventKind, GoalStatus, NewGoal};
use std::time::Duration;

/// A goal whose planning failed with an hour's backoff: the planner leaves it alone until the
/// backoff passes or a person changes something.
async fn backing_off(store: &dyn crate::Store, title: &str) -> juggernaut_core::Goal {
    let g = store.add_goal(NewGoal::titled(title), "t").await.unwrap();
    store
        .plan_failed(
            g.id,
            "no playbook",
            None,
            Duration::from_secs(3600),
            "planner",
        )
        .await
        .unwrap();
    assert!(!wanted(store).await.contains(&g.id));
    g
}

async fn wanted(store: &dyn crate::Store) -> Vec<juggernaut_core::GoalId> {
    let found = store.goals_to_plan(100, Duration::ZERO).await.unwrap();
    found.into_iter().map(|g| g.id).collect()
}

pub async fn edits_replace_the_spec_and_ask_for_a_plan(store: S) {
    let g = backing_off(&*store, "before").await;
    let spec = NewGoal {
        description: "more".into(),
        target: Some(MetricTarget {
            source: MetricSource::Manual,
            target: 10.0,
            unit: "leads".into(),
        }),
        deadline: Some(chrono::Utc::now() + chrono::Duration::days(7)),
        tags: vec!["sales".into()],
        owner: "someone else".into(),
        ..NewGoal::titled("after")
    };
    let edited = store
        .edit_goal(g.id, spec, None, "alice", "sharper")
        .await
        .unwrap();
    assert_eq!(edited.spec.title, "after");
    assert_eq!(edited.spec.tags, vec!["sales".to_owned()]);
    assert_eq!(edited.spec.target.as_ref().map(|t| t.target), Some(10.0));
    assert_eq!(edited.spec.owner, g.spec.owner, "the owner stays");
    assert_eq!(store.get_goal(g.id).await.unwrap(), Some(edited.clone()));
    assert!(
        wanted(&*store).await.contains(&g.id),
        "the backoff is lifted"
    );
    let events = store.events_after(EventId(0), 1000).await.unwrap();
    let e = events
        .iter()
        .find(|e| e.kind == EventKind::GoalEdited)
        .unwrap();
    assert_eq!((e.goal_id, e.actor.as_str()), (Some(g.id), "alice"));
    assert_eq!(e.data["reason"], "sharper");

    let bad = NewGoal::titled("");
    assert!(matches!(
        store.edit_goal(g.id, bad, None, "alice", "x").await,
        Err(StoreError::Domain(_))
    ));
    store
        .set_goal_status(g.id, GoalStatus::Cancelled, "alice", "done")
        .await
        .unwrap();
    let refused = store
        .edit_goal(g.id, NewGoal::titled("late"), None, "alice", "x")
        .await;
    assert!(matches!(refused, Err(StoreError::Domain(_))), "{refused:?}");
    assert_eq!(
        store.get_goal(g.id).await.unwrap().unwrap().spec.title,
        "after"
    );
    let unknown = juggernaut_core::GoalId(g.id.0 + 1000);
    assert!(matches!(
        store
            .edit_goal(unknown, NewGoal::titled("x"), None, "a", "x")
            .await,
        Err(StoreError::Domain(_))
    ));
}

pub async fn replan_requests_make_an_active_goal_wanted(store: S) {
    let g = backing_off(&*store, "quiet").await;
    let asked = store
        .request_replan(g.id, "bob", "new information")
        .await
        .unwrap();
    assert_eq!(asked.id, g.id);
    assert!(
        wanted(&*store).await.contains(&g.id),
        "the backoff is lifted"
    );
    let events = store.events_after(EventId(0), 1000).await.unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.kind == EventKind::GoalReplanRequested
                && e.actor == "bob"
                && e.data["reason"] == "new information")
    );
    store
        .set_goal_status(g.id, GoalStatus::Paused, "bob", "hold")
        .await
        .unwrap();
    assert!(matches!(
        store.request_replan(g.id, "bob", "x").await,
        Err(StoreError::Domain(_))
    ));
}

pub async fn an_edit_from_a_stale_read_is_refused(store: S) {
    let g = store.add_goal(NewGoal::titled("read"), "t").await.unwrap();
    let first = NewGoal {
        tags: vec!["a".into()],
        ..g.spec.clone()
    };
    let after = store
        .edit_goal(g.id, first, Some(g.updated_at), "alice", "tags")
        .await
        .unwrap();
    // Bob read the goal before Alice's edit: his write would undo her tags.
    let stale = NewGoal {
        title: "bob's title".into(),
        ..g.spec.clone()
    };
    let refused = store
        .edit_goal(g.id, stale, Some(g.updated_at), "bob", "title")
        .await;
    match refused {
        Err(StoreError::Domain(juggernaut_core::DomainError::InvalidField { field, .. })) => {
            assert_eq!(field, crate::capability::goals::GOAL_CHANGED)
        }
        other => panic!("a stale edit was not refused: {other:?}"),
    }
    let now = store.get_goal(g.id).await.unwrap().unwrap();
    assert_eq!(
        (now.spec.title.as_str(), now.spec.tags.clone()),
        ("read", vec!["a".to_owned()])
    );
    let fresh = NewGoal {
        title: "bob's title".into(),
        ..now.spec.clone()
    };
    let ok = store
        .edit_goal(g.id, fresh, Some(after.updated_at), "bob", "title")
        .await
        .unwrap();
    assert_eq!(ok.spec.tags, vec!["a".to_owned()], "both edits kept");
}
