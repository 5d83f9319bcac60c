//! The experiments loop's step on both backends: the first look starts iteration 1 with one
//! `experiment_step` task per variant (origin `experiment`, keyed per iteration), a look while
//! points are missing waits and says for which variants, a look with every point concludes with
//! the winner's rollout task, and a concluded experiment is not moved again (nothing made twice).

use juggernaut_core::experiment::{
    ConversionMetric, ExperimentSpec, ExperimentStatus, FollowUp, StoppingRule, Variant, Verdict,
};
use juggernaut_core::{Origin, TaskKind};
use juggernaut_engine::node::experiments::{Moved, advance};
use juggernaut_store::{NewPoint, PageRequest, Store, StoreError, TaskFilter};
use std::sync::Arc;

fn spec() -> ExperimentSpec {
    let variant = |name: &str, control| Variant {
        name: name.into(),
        weight: 1.0,
        control,
    };
    ExperimentSpec {
        name: "Quote form".into(),
        hypothesis: "Instant prices convert better".into(),
        goal_id: None,
        variants: vec![variant("callback", true), variant("instant", false)],
        metric: ConversionMetric {
            source: "shop".into(),
            query: "SELECT 1, 2 WHERE {{variant}} IS NOT NULL".into(),
        },
        min_sample: 500,
        max_duration_secs: 86_400,
        interval_secs: 60,
        rule: StoppingRule::Bayesian {
            alpha: 0.05,
            max_loss: 0.002,
        },
        rollout: Some(FollowUp {
            kind: TaskKind::new("noop").unwrap(),
            title: "Roll out {{variant}}".into(),
            input: serde_json::json!({}),
        }),
        rollback: None,
    }
}

async fn scenario(store: Arc<dyn Store>) {
    let e = store.create_experiment(spec(), "test").await.unwrap();
    assert_eq!(
        advance(store.as_ref(), &e, "leader").await.unwrap(),
        Moved::Iterated(2)
    );
    let page = PageRequest {
        before: None,
        limit: 100,
    };
    let tasks = store
        .list(&TaskFilter::default(), page)
        .await
        .unwrap()
        .items;
    let mut keys: Vec<_> = tasks.iter().filter_map(|t| t.dedupe_key.clone()).collect();
    keys.sort();
    let want = [
        format!("experiment:{}:1:callback", e.id),
        format!("experiment:{}:1:instant", e.id),
    ];
    assert_eq!(keys, want);
    assert!(
        tasks
            .iter()
            .all(|t| t.origin == Origin::Experiment && t.kind.as_str() == "experiment_step")
    );
    let e = store.experiment(e.id).await.unwrap().unwrap();
    let point = |variant: &str, s, t| NewPoint {
        experiment: e.id,
        iteration: 1,
        variant: variant.into(),
        successes: s,
        trials: t,
        task_id: None,
    };
    store
        .record_point(point("callback", 90, 1000), "w")
        .await
        .unwrap();
    match advance(store.as_ref(), &e, "leader").await.unwrap() {
        Moved::Waiting(why) => assert!(why.contains("waits for instant"), "{why}"),
        other => panic!("{other:?}"),
    }
    store
        .record_point(point("instant", 150, 1000), "w")
        .await
        .unwrap();
    assert_eq!(
        advance(store.as_ref(), &e, "leader").await.unwrap(),
        Moved::Concluded(1)
    );
    let done = store.experiment(e.id).await.unwrap().unwrap();
    assert_eq!(done.status, ExperimentStatus::Concluded);
    let c = done.conclusion.unwrap();
    assert_eq!(
        (c.verdict, c.winner.as_deref()),
        (Verdict::Winner, Some("instant"))
    );
    let rollout = format!("experiment:{}:rollout:instant", e.id);
    let tasks = store
        .list(&TaskFilter::default(), page)
        .await
        .unwrap()
        .items;
    let made: Vec<_> = tasks
        .iter()
        .filter(|t| t.dedupe_key.as_deref() == Some(&rollout))
        .collect();
    assert_eq!(made.len(), 1);
    assert_eq!(made[0].title, "Roll out instant");
    // A second leader with the old view cannot conclude it again.
    let again = advance(store.as_ref(), &e, "other").await;
    assert!(matches!(again, Err(StoreError::Domain(_))), "{again:?}");
    assert_eq!(
        store
            .list(&TaskFilter::default(), page)
            .await
            .unwrap()
            .items
            .len(),
        3
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn experiments_iterate_and_conclude_on_sqlite() {
    scenario(juggernaut_testkit::sqlite::fresh_sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn experiments_iterate_and_conclude_on_postgres() {
    let (store, db) = juggernaut_testkit::postgres::fresh_postgres().await;
    scenario(store.clone()).await;
    store.close().await;
    db.remove().await;
}
