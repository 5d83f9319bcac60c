//! Defects found by trying the binary as a user would (issue 12), each reproduced here first:
//! out-of-range numbers, credentials in URLs, the configuration file's database, poison
//! schedules, and read-only commands that created databases (input defects: `input.rs`).

use crate::support::{Cwd, fails_with};
use juggernaut_testkit::postgres::TestDatabase;
use std::io::Write;
use std::process::Stdio;

/// Runs `args` with `stdin` piped in; returns (exit code, stdout, stderr).
pub fn with_stdin(cwd: &Cwd, args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("juggernaut"))
        .current_dir(cwd.dir.path())
        .env_remove("JUGGERNAUT_DATABASE_URL")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The binary may stop reading early (input over its limit): a broken pipe is its answer.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn out_of_range_numbers_are_named_with_their_range_never_a_panic() {
    let cwd = Cwd::new();
    let enqueue = ["task", "enqueue", "noop", "--title", "t", "--input", "{}"];
    let with = |extra: &[&'static str]| -> Vec<&'static str> { [&enqueue[..], extra].concat() };
    fails_with(
        &cwd,
        &with(&["--delay-secs", "18446744073709551615"]),
        2,
        "'--delay-secs <DELAY_SECS>': 18446744073709551615 is out of range: use 0 to 315360000",
    );
    fails_with(
        &cwd,
        &with(&["--delay-secs", "-5"]),
        2,
        "-5 is out of range: use 0 to 315360000",
    );
    fails_with(
        &cwd,
        &with(&["--priority", "99999999999"]),
        2,
        "'--priority <PRIORITY>'",
    );
    fails_with(&cwd, &with(&["--goal", "0"]), 2, "'--goal <GOAL>'");
    for limit in ["0", "100000", "-1"] {
        fails_with(
            &cwd,
            &["task", "list", "--limit", limit],
            2,
            "use 1 to 1000",
        );
        fails_with(&cwd, &["dlq", "list", "--limit", limit], 2, "use 1 to 1000");
    }
    fails_with(
        &cwd,
        &["task", "show", "0"],
        2,
        "0 is out of range: use 1 to",
    );
    fails_with(
        &cwd,
        &["bench", "--w2-interval-ms", "0"],
        2,
        "'--w2-interval-ms <W2_INTERVAL_MS>'",
    );
    fails_with(
        &cwd,
        &["up", "--concurrency", "0"],
        2,
        "0 is out of range: use 1 to 1024",
    );
    assert!(
        !cwd.db_path().exists(),
        "refused before touching a database"
    );
    std::fs::write(
        cwd.dir.path().join("juggernaut.toml"),
        "[retention]\nterminal_days = 18446744073709551615\n",
    )
    .unwrap();
    fails_with(
        &cwd,
        &["task", "list"],
        2,
        "`retention.terminal_days` = 18446744073709551615 is out of range: use 1 to 36500",
    );
}

#[test]
fn credentials_in_urls_are_never_printed() {
    let cwd = Cwd::new();
    for url in [
        "postgres://bob@127.0.0.1:1/db?password=S3cr3tPW",
        "postgres://bob:ab/S3cr3tPW@127.0.0.1:1/db",
        "postgres://bob:S3cr3tPW@127.0.0.1:1/db?sslpassword=S3cr3tPW",
    ] {
        for args in [
            &["task", "list"][..],
            &["status"],
            &["task", "enqueue", "noop"],
            &["up", "--listen", "127.0.0.1:0"],
        ] {
            let out = cwd
                .cmd(args)
                .args(["--database-url", url])
                .output()
                .unwrap();
            let all = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert_ne!(out.status.code(), Some(0), "{args:?} {url}: {all}");
            assert!(
                !all.contains("S3cr3tPW"),
                "{args:?} {url} printed it: {all}"
            );
            assert!(!all.contains("panicked"), "{all}");
        }
    }
}

#[test]
fn every_command_reads_the_configuration_files_database() {
    let cwd = Cwd::new();
    let elsewhere = tempfile::tempdir().unwrap();
    let db = elsewhere.path().join("other.db");
    std::fs::write(
        cwd.dir.path().join("juggernaut.toml"),
        format!("database_url = \"sqlite://{}\"\n", db.display()),
    )
    .unwrap();
    cwd.json(&["migrate"]);
    let id = cwd.json(&["task", "enqueue", "noop", "--title", "t", "--input", "{}"])["task"]["id"]
        .as_i64()
        .unwrap()
        .to_string();
    assert!(db.exists(), "the file's database was used");
    assert_eq!(cwd.json(&["task", "list"]).as_array().unwrap().len(), 1);
    assert_eq!(cwd.json(&["task", "show", &id])["task"]["title"], "t");
    assert_eq!(cwd.json(&["task", "cancel", &id])["status"], "cancelled");
    assert_eq!(cwd.json(&["task", "retry", &id])["status"], "pending");
    assert_eq!(cwd.json(&["dlq", "list"]), serde_json::json!([]));
    assert_eq!(cwd.json(&["worker", "list"]), serde_json::json!([]));
    assert!(cwd.json(&["status"])["tasks"].is_object());
    cwd.json(&[
        "schedule",
        "add",
        "s",
        "--cron",
        "0 0 * * *",
        "--kind",
        "noop",
    ]);
    assert_eq!(cwd.json(&["schedule", "list"])[0]["name"], "s");
    let removed = cwd.cmd(&["schedule", "remove", "s"]).output().unwrap();
    assert!(removed.status.success());
    assert!(
        !cwd.db_path().exists(),
        "the default database was never created"
    );
    // The flag wins over the file; --config names another file, before or after the command.
    let flagged = elsewhere.path().join("flag.db");
    let flag_url = format!("sqlite://{}", flagged.display());
    cwd.json(&["task", "enqueue", "noop", "--database-url", &flag_url]);
    assert!(flagged.exists());
    let other_cfg = elsewhere.path().join("other.toml");
    let third = elsewhere.path().join("third.db");
    std::fs::write(
        &other_cfg,
        format!("database_url = \"sqlite://{}\"\n", third.display()),
    )
    .unwrap();
    let cfg = other_cfg.to_str().unwrap();
    cwd.json(&["--config", cfg, "task", "enqueue", "noop"]);
    assert_eq!(
        cwd.json(&["task", "list", "--config", cfg])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(third.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_configuration_files_postgres_url_reaches_task_commands() {
    let db = TestDatabase::create().await;
    let cwd = Cwd::new();
    std::fs::write(
        cwd.dir.path().join("juggernaut.toml"),
        format!("database_url = \"{}\"\n", db.url),
    )
    .unwrap();
    cwd.json(&["task", "enqueue", "noop", "--title", "t", "--input", "{}"]);
    assert!(
        !cwd.db_path().exists(),
        "no SQLite file behind the user's back"
    );
    let list = cwd.json(&["task", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&db.url)
        .await
        .unwrap();
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM tasks")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(n, 1);
    drop(conn);
    db.remove().await;
}

#[test]
fn a_poison_schedule_is_refused_at_the_door() {
    let cwd = Cwd::new();
    let add = [
        "schedule",
        "add",
        "z",
        "--cron",
        "* * * * * *",
        "--kind",
        "noop",
    ];
    fails_with(
        &cwd,
        &[&add[..], &["--max-attempts", "0"]].concat(),
        2,
        "'--max-attempts <MAX_ATTEMPTS>': 0 is out of range: use 1 to 100",
    );
    fails_with(
        &cwd,
        &[&add[..], &["--input", r#"{"a": "\u0000"}"#]].concat(),
        2,
        "contains a NUL character",
    );
    fails_with(&cwd, &[&add[..], &["--title", ""]].concat(), 2, "title");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schedule_row_that_cannot_fire_is_listed_with_why() {
    let cwd = Cwd::new();
    cwd.json(&[
        "schedule",
        "add",
        "good",
        "--cron",
        "0 0 * * *",
        "--kind",
        "noop",
    ]);
    cwd.json(&[
        "schedule",
        "add",
        "z",
        "--cron",
        "0 0 * * *",
        "--kind",
        "noop",
    ]);
    let pool = sqlx::SqlitePool::connect(&cwd.db_url()).await.unwrap();
    sqlx::query("UPDATE schedules SET max_attempts = 0 WHERE name = 'z'")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let list = cwd.json(&["schedule", "list"]);
    assert_eq!(list[0]["name"], "good");
    assert_eq!(list[1]["name"], "z");
    assert!(
        list[1]["invalid"]
            .as_str()
            .unwrap()
            .contains("max_attempts"),
        "{list}"
    );
    let human = cwd.cmd(&["schedule", "list"]).output().unwrap();
    assert!(String::from_utf8_lossy(&human.stdout).contains("INVALID, skipped"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_commands_create_and_migrate_nothing() {
    let cwd = Cwd::new();
    let root = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/q/a/b/x.db", root.path().display());
    for args in [
        &["task", "list"][..],
        &["task", "show", "1"],
        &["task", "cancel", "1"],
        &["task", "retry", "1"],
        &["dlq", "list"],
        &["dlq", "requeue", "1"],
        &["status"],
        &["worker", "list"],
        &["schedule", "list"],
        &["schedule", "remove", "x"],
    ] {
        let all = [args, &["--database-url", &url]].concat();
        fails_with(&cwd, &all, 2, "does not exist");
    }
    assert!(!root.path().join("q").exists(), "no folder was created");
    // A database an older binary migrated: reads say what to do and change nothing.
    cwd.json(&["migrate"]);
    let pool = sqlx::SqlitePool::connect(&cwd.db_url()).await.unwrap();
    let newest = juggernaut_store_sqlite::MIGRATOR
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap();
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = ?")
        .bind(newest)
        .execute(&pool)
        .await
        .unwrap();
    fails_with(
        &cwd,
        &["task", "list"],
        2,
        &format!("older than this binary's {newest}: run `juggernaut migrate`"),
    );
    fails_with(&cwd, &["status"], 2, "run `juggernaut migrate`");
    let versions: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(versions, newest - 1, "nothing migrated by a read");
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_commands_never_change_a_postgres_schema() {
    let db = TestDatabase::create().await;
    let cwd = Cwd::new();
    for args in [&["task", "list"][..], &["status"], &["schedule", "list"]] {
        let all = [args, &["--database-url", &db.url]].concat();
        fails_with(
            &cwd,
            &all,
            2,
            "has no Juggernaut schema yet: run `juggernaut migrate`",
        );
    }
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&db.url)
        .await
        .unwrap();
    let tables: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(tables, 0, "the read created no table");
    drop(conn);
    let missing = db.url.replace("jg_test_", "jg_missing_");
    fails_with(
        &cwd,
        &["task", "list", "--database-url", &missing],
        2,
        "does not exist",
    );
    db.remove().await;
}
