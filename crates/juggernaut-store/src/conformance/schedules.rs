//! Cron schedules: add, list, refuse, remove, and one task per fire time however many race.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use crate::api::TaskFilter;
use crate::conformance::support::*;
use crate::error::StoreError;
use juggernaut_core::Origin;
use juggernaut_core::schedule::NewSchedule;

fn schedule(name: &str, cron: &str) -> NewSchedule {
    NewSchedule {
        name: name.into(),
        cron: cron.into(),
        kind: kind("noop"),
        title: format!("{name} run"),
        input: serde_json::json!({"from": name}),
        priority: 3,
        max_attempts: 2,
    }
}

/// Schedules: add with a first fire time, list, refuse duplicates and bad cron, remove.
pub async fn schedules_are_added_listed_and_removed(store: S) {
    let before = store.now().await.unwrap();
    let s = store
        .add_schedule(schedule("nightly", "0 3 * * *"), "ops")
        .await
        .unwrap();
    assert!(s.next_fire_at > before);
    assert_eq!(
        (s.name.as_str(), s.priority, s.max_attempts),
        ("nightly", 3, 2)
    );
    let dup = store
        .add_schedule(schedule("nightly", "* * * * *"), "ops")
        .await
        .unwrap_err();
    assert!(
        dup.to_string()
            .contains("a schedule named `nightly` already exists"),
        "{dup}"
    );
    let bad = store
        .add_schedule(schedule("bad", "every day"), "ops")
        .await
        .unwrap_err();
    assert!(
        matches!(bad, StoreError::Domain(_)) && bad.to_string().contains("every day"),
        "{bad}"
    );
    store
        .add_schedule(schedule("a-first", "*/5 * * * *"), "ops")
        .await
        .unwrap();
    let names: Vec<_> = store
        .list_schedules()
        .await
        .unwrap()
        .valid
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, vec!["a-first", "nightly"]);
    let poison = NewSchedule {
        max_attempts: 0,
        ..schedule("poison", "* * * * * *")
    };
    let refused = store.add_schedule(poison, "ops").await.unwrap_err();
    assert!(refused.to_string().contains("max_attempts"), "{refused}");
    assert!(store.remove_schedule("nightly", "ops").await.unwrap());
    assert!(!store.remove_schedule("nightly", "ops").await.unwrap());
    let left = store.list_schedules().await.unwrap();
    assert_eq!((left.valid.len(), left.invalid.len()), (1, 0));
}

/// A fire time creates its task once, however many callers race for it.
pub async fn schedule_fires_once_per_fire_time(store: S) {
    let s = store
        .add_schedule(schedule("tick", "* * * * * *"), "ops")
        .await
        .unwrap();
    let fire_at = s.next_fire_at;
    let next = fire_at + chrono::Duration::seconds(1);
    let mut handles = Vec::new();
    for i in 0..4 {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            store
                .fire_schedule(s.id, fire_at, next, &format!("node{i}"))
                .await
                .unwrap()
        }));
    }
    let mut fired = Vec::new();
    for h in handles {
        fired.extend(h.await.unwrap());
    }
    assert_eq!(fired.len(), 1, "exactly one node fired");
    let t = store.get(fired[0]).await.unwrap().unwrap();
    assert_eq!(
        (t.origin, t.priority, t.title.as_str()),
        (Origin::Schedule, 3, "tick run")
    );
    assert_eq!(t.input["from"], "tick");
    let after = store.list_schedules().await.unwrap().valid.remove(0);
    assert_eq!(
        (after.next_fire_at, after.last_fired_at, after.last_task_id),
        (next, Some(fire_at), Some(t.id))
    );
    assert!(
        store
            .fire_schedule(s.id, fire_at, next, "late")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .fire_schedule(s.id, next, next + chrono::Duration::seconds(1), "n")
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(store.count(&TaskFilter::default()).await.unwrap(), 2);
}
