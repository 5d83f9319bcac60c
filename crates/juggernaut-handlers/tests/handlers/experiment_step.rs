//! `experiment_step` run for real: the stored experiment's query on a SQLite data file through
//! `sql_query` with the variant as a quoted name, the point recorded and proven (the call and the
//! row); a repeated step keeps the first point; a variant the experiment lacks fails the task;
//! inputs refused at enqueue.

use crate::support::{Rig, completed, ended, tools_of};
use juggernaut_core::experiment::{
    ConversionMetric, ExperimentId, ExperimentSpec, StoppingRule, Variant,
};
use juggernaut_core::{Evidence, TaskStatus};
use juggernaut_sources::tool::SqlQuery;
use juggernaut_sources::{SourceConfig, Sources};
use juggernaut_tools::Tool;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn visits(dir: &Path) -> (PathBuf, Arc<dyn Tool>) {
    let path = dir.join("shop.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE visits (id INTEGER PRIMARY KEY, variant TEXT NOT NULL, bought INTEGER NOT NULL);
         INSERT INTO visits (variant, bought) VALUES
           ('blue', 0), ('blue', 1), ('green', 1), ('green', 1), ('green', 0);",
    )
    .unwrap();
    drop(conn);
    let config = BTreeMap::from([(
        "shop".to_owned(),
        SourceConfig {
            url: format!("sqlite://{}", path.display()),
        },
    )]);
    let tool = Arc::new(SqlQuery::new(Arc::new(Sources::new(config).unwrap())));
    (path, tool)
}

fn spec() -> ExperimentSpec {
    let variant = |name: &str, control| Variant {
        name: name.into(),
        weight: 1.0,
        control,
    };
    ExperimentSpec {
        name: "Button".into(),
        hypothesis: "Green sells more".into(),
        goal_id: None,
        variants: vec![variant("blue", true), variant("green", false)],
        metric: ConversionMetric {
            source: "shop".into(),
            query: "SELECT SUM(bought), COUNT(*) FROM visits WHERE variant = {{variant}}".into(),
        },
        min_sample: 100,
        max_duration_secs: 3600,
        interval_secs: 60,
        rule: StoppingRule::Bayesian {
            alpha: 0.05,
            max_loss: 0.01,
        },
        rollout: None,
        rollback: None,
    }
}

#[tokio::test]
async fn a_step_reads_and_records_one_variants_counts() {
    let data = tempfile::tempdir().unwrap();
    let (db, tool) = visits(data.path());
    let rig = Rig::start(vec![tool]).await;
    let e = rig.store.create_experiment(spec(), "test").await.unwrap();
    rig.store
        .start_iteration(e.id, 1, vec![], "leader")
        .await
        .unwrap();
    let input = json!({"experiment": e.id.0, "iteration": 1, "variant": "green"});
    let t = rig.run("experiment_step", input.clone()).await;
    completed(&t);
    let result = t.result.clone().unwrap();
    assert_eq!(
        (result["successes"].clone(), result["trials"].clone()),
        (json!(2), json!(3))
    );
    assert_eq!(result["recorded"], true);
    let calls = rig.calls(t.id).await;
    assert_eq!(tools_of(&calls), ["sql_query"]);
    let query = calls[0].arguments["query"].as_str().unwrap();
    assert!(query.ends_with("WHERE variant = 'green'"), "{query}");
    let key = format!("{}:1:green", e.id);
    assert!(t.evidence.contains(&Evidence::Rows {
        table: "experiment_points".into(),
        keys: vec![key],
    }));
    let points = rig.store.experiment_points(e.id, 10).await.unwrap();
    assert_eq!(
        (points[0].successes, points[0].trials, points[0].task_id),
        (2, 3, Some(t.id))
    );
    // More visits later: a repeated step of iteration 1 keeps the first point.
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "INSERT INTO visits (variant, bought) VALUES ('green', 1)",
            [],
        )
        .unwrap();
    let again = rig.run("experiment_step", input).await;
    completed(&again);
    let result = again.result.clone().unwrap();
    assert_eq!(result["recorded"], false);
    assert_eq!(
        (result["successes"].clone(), result["read"].clone()),
        (json!(2), json!([3, 4]))
    );
}

#[tokio::test]
async fn unknown_experiments_variants_and_bad_inputs_are_refused() {
    let data = tempfile::tempdir().unwrap();
    let (_, tool) = visits(data.path());
    let rig = Rig::start(vec![tool]).await;
    let e = rig.store.create_experiment(spec(), "test").await.unwrap();
    let red = json!({"experiment": e.id.0, "iteration": 1, "variant": "red"});
    let t = rig.run("experiment_step", red).await;
    let why = ended(&t, TaskStatus::Failed);
    assert!(why.contains("no variant `red`"), "{why}");
    let gone = json!({"experiment": ExperimentId(e.id.0 + 5).0, "iteration": 1, "variant": "blue"});
    let why = ended(&rig.run("experiment_step", gone).await, TaskStatus::Failed);
    assert!(why.contains("there is no experiment"), "{why}");
    for (input, field) in [
        (
            json!({"experiment": 1, "iteration": 1, "variant": "Bad Name"}),
            "`variant`",
        ),
        (
            json!({"experiment": 1, "iteration": 0, "variant": "blue"}),
            "`iteration`",
        ),
        (
            json!({"experiment": 0, "iteration": 1, "variant": "blue"}),
            "`experiment`",
        ),
        (json!({"experiment": 1, "iteration": 1}), "variant"),
    ] {
        let why = rig.refused("experiment_step", input);
        assert!(why.contains(field), "{field}: {why}");
    }
}
