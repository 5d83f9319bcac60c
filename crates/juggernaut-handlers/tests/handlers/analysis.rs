//! `analysis` run for real: queries on a SQLite data file through `sql_query`, the report
//! written through `fs_write`, reached through one of its aliases; a query that writes, refused
//! by the source; and inputs refused at enqueue.

use crate::support::{Rig, completed, ended, evidence_calls, tools_of};
use juggernaut_core::{Evidence, TaskStatus};
use juggernaut_sources::tool::SqlQuery;
use juggernaut_sources::{SourceConfig, Sources};
use juggernaut_tools::Tool;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// A shop database in `dir`: orders by region (one region's name holds a `|`)
/// and customers.
fn shop(dir: &Path) -> Arc<dyn Tool> {
    let path = dir.join("shop.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, region TEXT NOT NULL, amount REAL NOT NULL);
         INSERT INTO orders (region, amount) VALUES
           ('north', 10), ('north', 20), ('south', 20.5), ('west|coast', 5), ('west|coast', 5);
         CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
         INSERT INTO customers (name) VALUES ('Ada'), ('Grace');",
    )
    .unwrap();
    drop(conn);
    let config = BTreeMap::from([(
        "shop".to_owned(),
        SourceConfig {
            url: format!("sqlite://{}", path.display()),
        },
    )]);
    Arc::new(SqlQuery::new(Arc::new(Sources::new(config).unwrap())))
}

fn queries() -> serde_json::Value {
    json!([
        {"name": "Revenue", "sql": "SELECT SUM(amount) AS revenue, COUNT(*) AS orders FROM orders"},
        {"name": "By region",
         "sql": "SELECT region, SUM(amount) AS total FROM orders GROUP BY region ORDER BY total DESC"},
        {"name": "Nobody", "sql": "SELECT name FROM customers WHERE name = 'Linus'"},
    ])
}

#[tokio::test]
async fn queries_are_written_up_as_a_report() {
    let data = tempfile::tempdir().unwrap();
    let rig = Rig::start(vec![shop(data.path())]).await;
    let input = json!({"source": "shop", "title": "Q3 revenue: by region", "queries": queries()});
    let t = rig.run("reporting", input).await;
    completed(&t);
    assert_eq!(t.kind.as_str(), "reporting");
    let result = t.result.clone().unwrap();
    assert_eq!(result["path"], "reports/q3-revenue-by-region.md");
    assert_eq!(result["queries"][1]["rows"], 3);

    let calls = rig.calls(t.id).await;
    assert_eq!(
        tools_of(&calls),
        ["sql_query", "sql_query", "sql_query", "fs_write"]
    );
    assert_eq!(calls[0].arguments["source"], "shop");
    let ledger: Vec<String> = calls.iter().map(|c| c.id.to_string()).collect();
    assert_eq!(evidence_calls(&t), ledger);

    let file = rig.workspace(t.id).join("reports/q3-revenue-by-region.md");
    let md = std::fs::read_to_string(&file).unwrap();
    let sha = juggernaut_tools::sha256_file(&file).unwrap();
    assert!(t.evidence.contains(&Evidence::File {
        path: format!("task-{}/reports/q3-revenue-by-region.md", t.id.0),
        sha256: sha,
    }));
    assert!(
        md.starts_with("# Q3 revenue: by region\n\nGenerated "),
        "{md}"
    );
    assert!(
        md.contains("## Revenue\n\n```sql\nSELECT SUM(amount)"),
        "{md}"
    );
    assert!(md.contains("Rows: 1 row."), "{md}");
    assert!(md.contains("- revenue: 60.5\n- orders: 5\n"), "{md}");
    assert!(
        md.contains("| region | total |\n| --- | --- |\n| north | 30.0 |\n"),
        "{md}"
    );
    assert!(
        md.contains("| west\\|coast | 10.0 |"),
        "the pipe is escaped: {md}"
    );
    assert!(
        md.contains("- 3 rows.\n- total: sum 60.5, min 10, max 30, mean 20.1667\n"),
        "{md}"
    );
    assert!(
        md.contains("- First rows: north, 30.0; south, 20.5; west\\|coast, 10.0."),
        "{md}"
    );
    assert!(
        md.contains("## Nobody") && md.contains("Rows: 0 rows.\n\n- No rows.\n"),
        "{md}"
    );
}

#[tokio::test]
async fn the_report_goes_where_asked() {
    let data = tempfile::tempdir().unwrap();
    let rig = Rig::start(vec![shop(data.path())]).await;
    let input = json!({
        "source": "shop", "title": "Customers", "report_path": "./out/customers.md",
        "queries": [{"name": "count", "sql": "SELECT COUNT(*) AS customers FROM customers"}],
    });
    let t = rig.run("analysis", input).await;
    completed(&t);
    assert_eq!(t.result.as_ref().unwrap()["path"], "out/customers.md");
    let md = std::fs::read_to_string(rig.workspace(t.id).join("out/customers.md")).unwrap();
    assert!(md.contains("- customers: 2\n"), "{md}");
}

#[tokio::test]
async fn a_query_that_writes_is_refused_by_the_source() {
    let data = tempfile::tempdir().unwrap();
    let rig = Rig::start(vec![shop(data.path())]).await;
    let input = json!({"source": "shop", "title": "Cleanup", "queries": [
        {"name": "count", "sql": "SELECT COUNT(*) FROM orders"},
        {"name": "wipe", "sql": "DELETE FROM orders"},
    ]});
    let t = rig.run("audit", input).await;
    let err = ended(&t, TaskStatus::Failed);
    assert!(err.starts_with("query `wipe`: "), "{err}");
    assert_eq!(tools_of(&rig.calls(t.id).await), ["sql_query", "sql_query"]);
    assert!(!rig.workspace(t.id).join("reports/cleanup.md").exists());
    let conn = rusqlite::Connection::open(data.path().join("shop.db")).unwrap();
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM orders", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 5, "nothing was deleted");
}

#[tokio::test]
async fn an_unknown_source_fails_the_task() {
    let data = tempfile::tempdir().unwrap();
    let rig = Rig::start(vec![shop(data.path())]).await;
    let input =
        json!({"source": "crm", "title": "x", "queries": [{"name": "a", "sql": "SELECT 1"}]});
    let err = ended(&rig.run("metrics", input).await, TaskStatus::Failed);
    assert!(err.contains("no data source named `crm`"), "{err}");
}

#[tokio::test]
async fn bad_analyses_are_refused_at_enqueue() {
    let rig = Rig::start(vec![]).await;
    let q = json!([{"name": "a", "sql": "SELECT 1"}]);
    let many: Vec<_> = (0..21)
        .map(|i| json!({"name": format!("q{i}"), "sql": "SELECT 1"}))
        .collect();
    let cases = [
        (
            json!({"source": "Shop DB", "title": "t", "queries": q}),
            "`source`",
        ),
        (
            json!({"source": "shop", "title": " ", "queries": q}),
            "`title`",
        ),
        (
            json!({"source": "shop", "title": "t", "queries": []}),
            "`queries`: give 1 to 20",
        ),
        (
            json!({"source": "shop", "title": "t", "queries": many}),
            "(got 21)",
        ),
        (
            json!({"source": "shop", "title": "t", "queries": [{"name": "a", "sql": "SELECT 1"}, {"name": "a", "sql": "SELECT 2"}]}),
            "`queries[1].name`: `a` is already the name of queries[0]",
        ),
        (
            json!({"source": "shop", "title": "t", "queries": [{"name": "a", "sql": ""}]}),
            "`queries[0].sql`",
        ),
        (
            json!({"source": "shop", "title": "t", "queries": q, "report_path": "../up.md"}),
            "`report_path`",
        ),
        (
            json!({"source": "shop", "title": "t", "queries": q, "report_path": "/etc/x.md"}),
            "`report_path`",
        ),
        (
            json!({"source": "shop", "queries": q}),
            "missing field `title`",
        ),
    ];
    for (input, want) in cases {
        for kind in ["analysis", "pattern_detection"] {
            let err = rig.refused(kind, input.clone());
            assert!(err.contains(want), "{kind} {input}: {err}");
        }
    }
}
