//! Input from outside as a user gives it (issue 12): large inputs from files and standard input
//! within a stated limit, JSON Lines in batches naming bad lines, NUL refused alike on both
//! backends, kinds checked when listing, control characters escaped, honest hints, and no
//! exposure without the explicit flag.

use crate::hardening::with_stdin;
use crate::support::{Cwd, fails_with};
use juggernaut_store::prelude::*;
use juggernaut_testkit::postgres::TestDatabase;

#[test]
fn large_input_comes_from_a_file_or_standard_input_within_a_stated_limit() {
    let cwd = Cwd::new();
    let file = cwd.dir.path().join("input.json");
    std::fs::write(&file, r#"{"rows": [1, 2, 3]}"#).unwrap();
    let at = format!("@{}", file.display());
    let e = cwd.json(&["task", "enqueue", "noop", "--input", &at]);
    assert_eq!(e["task"]["input"]["rows"][2], 3);
    let over = format!("{{\"blob\": \"{}\"}}", "x".repeat(2 << 20));
    std::fs::write(&file, &over).unwrap();
    fails_with(
        &cwd,
        &["task", "enqueue", "noop", "--input", &at],
        2,
        "invalid input: 2097163 bytes is over the 1048576-byte limit",
    );
    let big = format!("{{\"blob\": \"{}\"}}", "x".repeat(5 << 20));
    std::fs::write(&file, &big).unwrap();
    fails_with(
        &cwd,
        &["task", "enqueue", "noop", "--input", &at],
        2,
        "a task's input may be at most 1048576 bytes",
    );
    let (code, out, err) = with_stdin(
        &cwd,
        &["task", "enqueue", "noop", "--input", "-", "--json"],
        br#"{"from": "stdin"}"#,
    );
    assert_eq!(code, 0, "{err}");
    let e: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(e["task"]["input"]["from"], "stdin");
    let (code, _, err) = with_stdin(
        &cwd,
        &["task", "enqueue", "noop", "--input", "-"],
        big.as_bytes(),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("at most 1048576 bytes"), "{err}");
}

#[test]
fn json_lines_enqueue_in_batches_naming_bad_lines() {
    let cwd = Cwd::new();
    let path = cwd.dir.path().join("tasks.jsonl");
    let mut lines: Vec<String> = (0..5000)
        .map(|i| {
            format!(
                r#"{{"kind": "noop", "title": "t{i}", "input": {{"i": {i}}}, "priority": {}}}"#,
                i % 3
            )
        })
        .collect();
    lines.insert(10, String::new());
    std::fs::write(&path, lines.join("\n")).unwrap();
    let done = cwd.json(&["task", "enqueue", "--from", path.to_str().unwrap()]);
    assert_eq!(
        (done["created"].as_u64(), done["batches"].as_u64()),
        (Some(5000), Some(5))
    );
    assert_eq!(done["ids"].as_array().unwrap().len(), 5000);
    // A bad line refuses its whole batch; earlier batches stay; the message names the lines.
    let mut lines: Vec<String> = (0..1500)
        .map(|i| format!(r#"{{"kind": "noop", "dedupe_key": "k{i}"}}"#))
        .collect();
    lines[1202] = r#"{"kind": "phone"}"#.into();
    lines[1206] = r#"{"kind": "noop", "tittle": "typo"}"#.into();
    lines[1300] = "not json".into();
    std::fs::write(&path, lines.join("\n")).unwrap();
    let err = fails_with(
        &cwd,
        &["task", "enqueue", "--from", path.to_str().unwrap()],
        2,
        "lines 1001-1500 refused, none of them enqueued (1000 task(s) from earlier lines were)",
    );
    for needle in [
        "line 1203: no handler serves task kind `phone`",
        "line 1207: unknown field `tittle`",
        "line 1301: expected ident",
    ] {
        assert!(err.contains(needle), "{needle} in {err}");
    }
    let total = cwd.json(&["status"])["tasks"]["ready"].as_u64();
    assert_eq!(total, Some(6000));
    let (code, out, err) = with_stdin(
        &cwd,
        &["task", "enqueue", "--from", "-", "--json"],
        b"{\"kind\": \"noop\"}\n{\"kind\": \"noop\", \"delay_secs\": 60}\n",
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out).unwrap()["created"],
        2
    );
    fails_with(
        &cwd,
        &["task", "enqueue", "noop", "--from", "x.jsonl"],
        2,
        "cannot be used with",
    );
}

fn nul_is_refused(cwd: &Cwd, url: &str) {
    let args = |extra: &[&'static str]| -> Vec<String> {
        ["--database-url", url]
            .iter()
            .chain(extra)
            .map(|s| s.to_string())
            .collect()
    };
    fails_with(
        cwd,
        &refs(&args(&[
            "task",
            "enqueue",
            "noop",
            "--input",
            r#"{"a": ["x\u0000"]}"#,
        ])),
        2,
        "invalid input: contains a NUL character (\\u0000) at `/a/0`, which cannot be stored",
    );
    let path = cwd.dir.path().join("nul.jsonl");
    std::fs::write(&path, "{\"kind\": \"noop\", \"title\": \"a\\u0000b\"}\n").unwrap();
    fails_with(
        cwd,
        &refs(
            &[
                args(&["task", "enqueue", "--from"]),
                vec![path.display().to_string()],
            ]
            .concat(),
        ),
        2,
        "line 1: invalid title: contains a NUL character",
    );
    assert_eq!(
        cwd.json(&refs(&args(&["task", "list"]))),
        serde_json::json!([])
    );
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nul_is_refused_alike_on_both_backends() {
    let cwd = Cwd::new();
    cwd.json(&["migrate"]);
    nul_is_refused(&cwd, &cwd.db_url());
    let db = TestDatabase::create().await;
    cwd.json(&["migrate", "--database-url", &db.url]);
    nul_is_refused(&cwd, &db.url);
    db.remove().await;
}

#[test]
fn unknown_kinds_are_refused_when_listing_too() {
    let cwd = Cwd::new();
    cwd.json(&["migrate"]);
    fails_with(
        &cwd,
        &["task", "list", "--kind", "bogus"],
        2,
        "no handler serves task kind `bogus`",
    );
}

#[test]
fn control_characters_in_titles_are_shown_escaped() {
    let cwd = Cwd::new();
    cwd.json(&[
        "task",
        "enqueue",
        "noop",
        "--title",
        "line one\nline two \u{1b}[31mred",
    ]);
    let out = cwd.cmd(&["task", "list"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 2, "header and one row: {text}");
    assert!(
        text.contains("line one\\nline two \\u{1b}[31mred"),
        "{text}"
    );
    assert!(
        !text.contains('\u{1b}'),
        "no raw escape reaches the terminal"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requeueing_a_completed_task_from_the_dlq_suggests_nothing_that_fails() {
    use juggernaut_store::{ClaimRequest, Completion, LeaseRef, StoreOptions};
    let cwd = Cwd::new();
    let id = cwd.json(&["task", "enqueue", "noop"])["task"]["id"]
        .as_i64()
        .unwrap();
    let store = juggernaut_store_sqlite::SqliteStore::open(&cwd.db_url(), StoreOptions::default())
        .await
        .unwrap();
    let claimed = store
        .claim(&ClaimRequest {
            worker: "t".into(),
            kinds: vec![juggernaut_core::TaskKind::new("noop").unwrap()],
            limit: 1,
            lease: std::time::Duration::from_secs(30),
        })
        .await
        .unwrap();
    let lease = LeaseRef::of(&claimed[0]).unwrap();
    store
        .complete(Completion {
            lease,
            result: serde_json::json!({}),
            evidence: vec![juggernaut_core::Evidence::HandlerRun {
                handler: "noop".into(),
                lease_token: lease.token,
                duration_us: 1,
            }],
            children: vec![],
        })
        .await
        .unwrap();
    store.close().await;
    let err = fails_with(
        &cwd,
        &["dlq", "requeue", &id.to_string()],
        2,
        "is completed, not dead",
    );
    assert!(!err.contains("task retry"), "{err}");
}

#[test]
fn a_non_loopback_listen_address_is_refused_without_the_explicit_flag() {
    let cwd = Cwd::new();
    fails_with(
        &cwd,
        &["up", "--listen", "0.0.0.0:7777"],
        2,
        "refusing to listen on 0.0.0.0:7777: it is not a loopback address",
    );
    std::fs::write(
        cwd.dir.path().join("juggernaut.toml"),
        "listen = \"0.0.0.0:7777\"\n",
    )
    .unwrap();
    fails_with(&cwd, &["up"], 2, "pass --insecure-listen");
    assert!(!cwd.db_path().exists());
}
