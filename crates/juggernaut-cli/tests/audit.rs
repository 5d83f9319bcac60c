//! `juggernaut audit` on the default embedded database: tasks enqueued and cancelled, a schedule
//! and a goal added through the CLI, then the log filtered by task, actor, kind and time, paged,
//! printed as a table (control characters escaped) and as JSON; bad flags exit 2; it never
//! creates a database.

use crate::support::{Cwd, fails_with};
use serde_json::Value;

/// `audit ARGS --json` as an array.
fn audit(cwd: &Cwd, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["audit"];
    all.extend_from_slice(args);
    cwd.json(&all).as_array().unwrap().clone()
}

fn kinds(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["kind"].as_str().unwrap()).collect()
}

fn enqueue(cwd: &Cwd, title: &str) -> String {
    let e = cwd.json(&["task", "enqueue", "noop", "--title", title]);
    e["task"]["id"].to_string()
}

#[test]
fn the_log_is_filtered_by_task_actor_kind_and_time() {
    let cwd = Cwd::new();
    let first = enqueue(&cwd, "first");
    let second = enqueue(&cwd, "second");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let cutoff = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    std::thread::sleep(std::time::Duration::from_millis(50));
    let reason = "not needed\u{1b}[31m\nanymore";
    cwd.json(&["task", "cancel", &second, "--reason", reason]);
    cwd.json(&[
        "schedule",
        "add",
        "nightly",
        "--cron",
        "0 3 * * *",
        "--kind",
        "noop",
    ]);
    // `schedule remove` prints a sentence even with --json.
    assert!(
        cwd.cmd(&["schedule", "remove", "nightly"])
            .output()
            .unwrap()
            .status
            .success()
    );
    cwd.json(&["goal", "add", "Learn to juggle"]);

    // Every event, newest first, in the documented shape.
    let all = audit(&cwd, &[]);
    assert_eq!(
        kinds(&all),
        [
            "goal.added",
            "schedule.removed",
            "schedule.added",
            "task.cancelled",
            "task.enqueued",
            "task.enqueued"
        ]
    );
    let cancel = &all[3];
    for field in [
        "id",
        "at",
        "kind",
        "task_id",
        "goal_id",
        "from_status",
        "to_status",
    ] {
        assert!(cancel.get(field).is_some(), "{field} in {cancel}");
    }
    assert_eq!(cancel["task_id"].to_string(), second);
    assert_eq!(cancel["actor"], "cli");
    assert_eq!(cancel["to_status"], "cancelled");
    assert_eq!(cancel["data"]["reason"], reason);
    assert!(
        all.windows(2)
            .all(|w| w[0]["id"].as_i64() > w[1]["id"].as_i64())
    );

    let of_first = audit(&cwd, &["--task", &first]);
    assert_eq!(kinds(&of_first), ["task.enqueued"]);
    let of_second = audit(&cwd, &["--task", &second]);
    assert_eq!(kinds(&of_second), ["task.cancelled", "task.enqueued"]);

    let by_enqueue = audit(&cwd, &["--actor", "enqueue"]);
    assert_eq!(kinds(&by_enqueue), ["task.enqueued", "task.enqueued"]);
    let by_cli = audit(&cwd, &["--actor", "cli", "--task", &second]);
    assert_eq!(kinds(&by_cli), ["task.cancelled"]);
    assert!(audit(&cwd, &["--actor", "nobody"]).is_empty());

    let config = audit(
        &cwd,
        &[
            "--kind",
            "schedule.added,schedule.removed",
            "--kind",
            "goal.added",
        ],
    );
    assert_eq!(
        kinds(&config),
        ["goal.added", "schedule.removed", "schedule.added"]
    );
    assert_eq!(config[2]["data"]["schedule"], "nightly");
    assert_eq!(config[2]["actor"], "cli");

    let recent = audit(&cwd, &["--since", &cutoff]);
    assert_eq!(recent.len(), 4, "{recent:?}");
    assert_eq!(audit(&cwd, &["--since", "1h"]).len(), 6);
    assert_eq!(audit(&cwd, &["--since", "2000-01-01"]).len(), 6);
    assert!(audit(&cwd, &["--since", "2999-01-01T00:00:00Z"]).is_empty());
    let combined = audit(&cwd, &["--since", &cutoff, "--kind", "task.enqueued"]);
    assert!(combined.is_empty());
}

#[test]
fn pages_tables_and_bad_flags() {
    let cwd = Cwd::new();
    // Read-only: no database is made.
    fails_with(&cwd, &["audit"], 2, "does not exist");
    assert!(!cwd.db_path().exists());

    let id = enqueue(&cwd, "one");
    enqueue(&cwd, "two");
    enqueue(&cwd, "three");
    cwd.json(&["task", "cancel", &id, "--reason", "line\nbreak\u{1b}[2J"]);

    let page = audit(&cwd, &["--limit", "2"]);
    assert_eq!(page.len(), 2);
    let before = page[1]["id"].to_string();
    let rest = audit(&cwd, &["--before", &before]);
    assert_eq!(rest.len(), 2);
    assert!(rest[0]["id"].as_i64() < page[1]["id"].as_i64());

    let table = cwd.cmd(&["audit", "--limit", "2"]).output().unwrap();
    assert!(table.status.success());
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(table.starts_with("TIME"), "{table}");
    assert!(table.contains("task.cancelled"), "{table}");
    assert!(table.contains("ready→cancelled"), "{table}");
    assert!(table.contains("reason=line\\nbreak\\u{1b}[2J"), "{table}");
    assert!(!table.contains('\u{1b}'), "{table}");
    assert!(
        table.contains(&format!("more: --before {before}")),
        "{table}"
    );
    let last = cwd.cmd(&["audit", "--before", "1"]).output().unwrap();
    assert_eq!(String::from_utf8(last.stdout).unwrap().trim(), "no events");

    let err = fails_with(
        &cwd,
        &["audit", "--kind", "bogus"],
        2,
        "unknown event kind `bogus`",
    );
    assert!(
        err.contains("task.enqueued") && err.contains("tool.called"),
        "{err}"
    );
    fails_with(&cwd, &["audit", "--since", "yesterday"], 2, "not a time");
    fails_with(&cwd, &["audit", "--since", "5y"], 2, "15m, 2h, 7d");
    fails_with(&cwd, &["audit", "--limit", "0"], 2, "out of range");
    fails_with(&cwd, &["audit", "--task", "0"], 2, "out of range");
}
