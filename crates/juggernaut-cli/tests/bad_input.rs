//! Bad input: a clear error naming the problem, exit code 2 (or 1 for an unreachable server),
//! and nothing changed.

use crate::support::{Cwd, fails_with};

#[test]
fn unknown_kind_is_refused_before_touching_the_database() {
    let cwd = Cwd::new();
    fails_with(
        &cwd,
        &["task", "enqueue", "phone"],
        2,
        "no handler serves task kind `phone`",
    );
    assert!(!cwd.db_path().exists());
}

#[test]
fn malformed_values_are_named() {
    let cwd = Cwd::new();
    fails_with(
        &cwd,
        &["task", "enqueue", "noop", "--input", "{not json"],
        2,
        "--input is not valid JSON",
    );
    fails_with(
        &cwd,
        &["task", "enqueue", "noop", "--max-attempts", "0"],
        2,
        "'--max-attempts <MAX_ATTEMPTS>': 0 is out of range: use 1 to 100",
    );
    fails_with(
        &cwd,
        &["task", "list", "--status", "finished"],
        2,
        "unknown task status `finished`",
    );
    fails_with(
        &cwd,
        &["task", "list", "--kind", "Bad Kind"],
        2,
        "no handler serves task kind `Bad Kind`",
    );
    fails_with(
        &cwd,
        &["task", "enqueue", "noop", "--depends-on", "999"],
        2,
        "dependency 999 names no task",
    );
    fails_with(&cwd, &["task", "show", "42"], 2, "task 42 not found");
    fails_with(
        &cwd,
        &["bench", "--workloads", "W9"],
        2,
        "unknown workload `W9`",
    );
    fails_with(&cwd, &["frobnicate"], 2, "unrecognized subcommand");
    fails_with(
        &cwd,
        &[
            "task",
            "enqueue",
            "maintenance",
            "--input",
            r#"{"retention_days": "soon"}"#,
        ],
        2,
        "invalid input for `maintenance`: `retention_days`: invalid type: string \"soon\"",
    );
    fails_with(
        &cwd,
        &["task", "enqueue", "noop", "--input", "[1, 2]"],
        2,
        "invalid input for `noop`: invalid type: sequence, expected a map",
    );
    fails_with(
        &cwd,
        &[
            "schedule",
            "add",
            "s",
            "--cron",
            "0 0 * * *",
            "--kind",
            "maintenance",
            "--input",
            r#"{"retention_dayz": 1}"#,
        ],
        2,
        "unknown field `retention_dayz`",
    );
    assert_eq!(cwd.json(&["task", "list"]), serde_json::json!([]));
}

#[test]
fn bad_database_urls_are_explained() {
    let cwd = Cwd::new();
    fails_with(
        &cwd,
        &["task", "list", "--database-url", "mysql://u:pw@h/db"],
        2,
        "unsupported database URL `mysql://u:***@h/db`",
    );
    fails_with(
        &cwd,
        &[
            "task",
            "list",
            "--database-url",
            "postgres://u:secret@127.0.0.1:1/x",
        ],
        1,
        "cannot connect to postgres://u:***@127.0.0.1:1/x",
    );
    let out = cwd
        .cmd(&[
            "task",
            "list",
            "--database-url",
            "postgres://u:secret@127.0.0.1:1/x",
        ])
        .output()
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("secret"),
        "password never printed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn newer_schema_is_refused_and_left_alone() {
    let cwd = Cwd::new();
    cwd.json(&["task", "enqueue", "noop"]);
    let pool = sqlx::SqlitePool::connect(&cwd.db_url()).await.unwrap();
    sqlx::query("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (9999, 'future', 1, x'00', 0)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let binary = juggernaut_store_sqlite::MIGRATOR
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap();
    let message = format!("schema is at version 9999, newer than this binary's {binary}");
    fails_with(&cwd, &["task", "list"], 2, &message);
    fails_with(&cwd, &["migrate"], 2, "upgrade juggernaut");
    fails_with(&cwd, &["task", "enqueue", "noop"], 2, "upgrade juggernaut");
}

/// A reader that stops early (`juggernaut status | head -1`) closes the pipe before the output
/// is written: the output ends there, with exit 1 and no panic.
#[test]
fn a_closed_output_pipe_ends_the_output_without_a_panic() {
    use std::io::Read;
    use std::process::Stdio;
    let cwd = Cwd::new();
    cwd.cmd(&["migrate"]).assert().success();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("juggernaut"))
        .current_dir(cwd.dir.path())
        .env_remove("JUGGERNAUT_DATABASE_URL")
        .args(["status"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Closed before the command has opened its database, so its first line meets a closed pipe.
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(status.code(), Some(1), "{stderr}");
}
