//! Metric sources through the binary: a goal whose SQL metric runs on a configured SQLite file is
//! sampled by `up` and becomes achieved once enough rows are in; an unconfigured source is
//! refused at `goal add`; a metric that cannot be read is named in `status`.

use crate::support::{Cwd, fails_with, free_port, start_up, wait_for};
use sqlx::{Connection, SqliteConnection};

/// Runs `sql` on the SQLite file at `path` (created if needed).
fn exec(path: &std::path::Path, sql: &str) {
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let sql = sql.to_owned();
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(async move {
            let mut conn = SqliteConnection::connect(&url).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut conn)
                .await
                .unwrap();
            conn.close().await.unwrap();
        });
}

fn goal(cwd: &Cwd, id: i64) -> serde_json::Value {
    let goals = cwd.json(&["goal", "list"]);
    goals
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("no goal {id} in {goals}"))
}

#[test]
fn a_sql_metric_is_sampled_until_the_goal_is_achieved() {
    let cwd = Cwd::new();
    let shop = cwd.dir.path().join("shop.db");
    exec(
        &shop,
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, amount REAL NOT NULL);
         INSERT INTO orders (amount) VALUES (10), (20);",
    );
    std::fs::write(
        cwd.dir.path().join("juggernaut.toml"),
        "[sources.shop]\nurl = \"sqlite://shop.db\"\n[sampler]\ninterval_secs = 1\n",
    )
    .unwrap();
    let sql = "SELECT sum(amount) FROM orders";
    let add = |title: &'static str, query: &'static str, source: &'static str| {
        [
            "goal",
            "add",
            title,
            "--metric-sql",
            query,
            "--source",
            source,
            "--target",
            "100",
        ]
    };
    let id = cwd.json(&add("Sell 100", sql, "shop"))["id"]
        .as_i64()
        .unwrap();
    let err = fails_with(
        &cwd,
        &add("Elsewhere", sql, "crm"),
        2,
        "--source `crm` is not a configured data source (configured: shop)",
    );
    assert!(err.contains("[sources.crm]"), "{err}");
    let broken = cwd.json(&add("Broken", "SELECT sum(amount) FROM refunds", "shop"))["id"]
        .as_i64()
        .unwrap();

    let _engine = start_up(&cwd, free_port());
    wait_for("the first reading", 20, || {
        goal(&cwd, id)["current"] == 30.0
    });
    assert_eq!(goal(&cwd, id)["status"], "active");
    exec(&shop, "INSERT INTO orders (amount) VALUES (50), (25);");
    wait_for("the goal to be achieved", 20, || {
        goal(&cwd, id)["status"] == "achieved"
    });
    assert_eq!(goal(&cwd, id)["current"], 105.0);
    let points = cwd.json(&["goal", "progress", &id.to_string()]);
    let points = points.as_array().unwrap();
    assert!(points.len() >= 2, "{points:?}");
    assert!(
        points.iter().all(|p| p["source"] == "sampler"),
        "{points:?}"
    );
    wait_for("the unreadable metric in status", 20, || {
        let status = cwd.json(&["status"]);
        status["workers"].as_array().unwrap().iter().any(|w| {
            w["idle"]["sampler"].as_str().is_some_and(|s| {
                s.contains(&format!("goal {broken}: data source `shop`"))
                    && s.contains("no such table: refunds")
            })
        })
    });
    assert_eq!(goal(&cwd, broken)["status"], "active");
}

#[test]
fn a_source_url_from_the_environment_is_needed_by_up_only() {
    let cwd = Cwd::new();
    std::fs::write(
        cwd.dir.path().join("juggernaut.toml"),
        "[sources.crm]\nurl_env = \"JG_TEST_CRM_DATABASE_URL\"\n",
    )
    .unwrap();
    let g = cwd.json(&[
        "goal",
        "add",
        "Leads",
        "--metric-sql",
        "SELECT count(*) FROM leads",
        "--source",
        "crm",
        "--target",
        "10",
    ]);
    assert_eq!(g["status"], "active");
    let port = free_port().to_string();
    fails_with(
        &cwd,
        &["up", "--listen", &format!("127.0.0.1:{port}")],
        2,
        "data source `crm`: the environment variable JG_TEST_CRM_DATABASE_URL (its url_env) is not set",
    );
    std::fs::write(
        cwd.dir.path().join("juggernaut.toml"),
        "[sources.crm]\nurl = \"mysql://u:S3cret@h/crm\"\n",
    )
    .unwrap();
    let err = fails_with(&cwd, &["goal", "list"], 2, "[sources.crm]");
    assert!(
        err.contains("unknown URL scheme") && !err.contains("S3cret"),
        "{err}"
    );
}
