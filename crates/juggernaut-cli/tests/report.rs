//! `juggernaut report` on the default embedded database and on PostgreSQL: Markdown printed,
//! HTML with charts written to `--out`, `--store` keeping it in the `reports` table, `--json`;
//! a bad format, a `--since` in the future or too far back, and a missing database are refused
//! with exit 2.

use crate::support::{Cwd, fails_with};
use juggernaut_core::NewGoal;

/// Runs the report commands against `url` (a migrated database holding one goal).
fn reports_on(cwd: &Cwd, url: &str) {
    let with = |rest: &[&'static str]| {
        let mut args = vec!["--database-url", url];
        args.extend_from_slice(rest);
        args
    };
    let out = cwd
        .cmd(&with(&["report", "--format", "md"]))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.starts_with("# Executive report "), "{md}");
    assert!(md.contains("| #1 Grow &lt;revenue&gt; | active |"), "{md}");
    assert!(md.contains("## Spend"), "{md}");

    // Relative to the working directory, which is the test's own.
    let page = cwd.dir.path().join("weekly.html");
    let out = cwd
        .cmd(&with(&[
            "report",
            "--format",
            "html",
            "--since",
            "3d",
            "--title",
            "Weekly",
            "--out",
            "weekly.html",
            "--store",
        ]))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("wrote "));
    assert!(stderr.contains("stored as report 1"), "{stderr}");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.starts_with("<!DOCTYPE html>") && html.contains("<svg"),
        "{html}"
    );
    assert!(html.contains("<title>Weekly</title>"));
    assert!(html.contains("Grow &lt;revenue&gt;") && !html.contains("<revenue>"));

    let summary = cwd.json(&with(&["report", "--store"]));
    assert_eq!(summary["format"], "md");
    assert_eq!(summary["report_id"], 2);
    assert_eq!(summary["summary"]["goals"], 1);
    assert!(
        summary["content"]
            .as_str()
            .unwrap()
            .starts_with("# Executive report")
    );

    fails_with(
        cwd,
        &with(&["report", "--format", "pdf"]),
        2,
        "invalid value 'pdf'",
    );
    fails_with(
        cwd,
        &with(&["report", "--since", "2999-01-01"]),
        2,
        "invalid since",
    );
    fails_with(
        cwd,
        &with(&["report", "--since", "100d"]),
        2,
        "at most 92 days",
    );
    fails_with(cwd, &with(&["report", "--title", ""]), 2, "title");
}

async fn seed(store: std::sync::Arc<dyn juggernaut_store::Store>) {
    store
        .add_goal(NewGoal::titled("Grow <revenue>"), "test")
        .await
        .unwrap();
    store.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn report_prints_writes_and_stores_on_sqlite() {
    let cwd = Cwd::new();
    fails_with(&cwd, &["report"], 2, "");
    assert!(cwd.cmd(&["migrate"]).output().unwrap().status.success());
    let url = cwd.db_url();
    seed(juggernaut_testkit::open_sqlite(&url).await).await;
    reports_on(&cwd, &url);
}

#[tokio::test(flavor = "multi_thread")]
async fn report_prints_writes_and_stores_on_postgres() {
    let (store, db) = juggernaut_testkit::fresh_postgres().await;
    let cwd = Cwd::new();
    seed(store).await;
    reports_on(&cwd, &db.url);
    db.remove().await;
}
