//! `juggernaut up` as a real process: runs work, serves health and metrics, shows in `status`,
//! fires schedules, and stops cleanly on SIGTERM.

use crate::support::{Cwd, free_port, http_get, start_up, wait_for};
use std::io::Read;
use std::time::{Duration, Instant};

#[test]
fn up_runs_work_serves_health_and_stops_on_sigterm() {
    let cwd = Cwd::new();
    let port = free_port();
    cwd.json(&["migrate"]);
    let mut engine = start_up(&cwd, port);
    wait_for("/healthz", 20, || {
        http_get(port, "/healthz").is_some_and(|r| r.contains("200 OK"))
    });
    for _ in 0..5 {
        cwd.json(&["task", "enqueue", "noop"]);
    }
    cwd.json(&[
        "schedule",
        "add",
        "tick",
        "--cron",
        "* * * * * *",
        "--kind",
        "noop",
    ]);
    wait_for("tasks completed", 20, || {
        let done = cwd.json(&["task", "list", "--status", "completed"]);
        done.as_array().unwrap().len() >= 7
    });
    let status = cwd.json(&["status"]);
    assert_eq!(status["workers"].as_array().unwrap().len(), 1, "{status}");
    assert_eq!(
        status["leader"]["holder"],
        status["workers"][0]["registration"]["id"]
    );
    let listed = cwd.json(&["worker", "list"]);
    assert_eq!(listed[0]["state"], "active");
    let metrics = http_get(port, "/metrics").unwrap();
    assert!(metrics.contains("juggernaut_leader 1"), "{metrics}");
    assert!(
        metrics.contains("juggernaut_tasks{status=\"completed\"}"),
        "{metrics}"
    );
    let schedules = cwd.json(&["schedule", "list"]);
    assert!(schedules[0]["last_task_id"].is_number(), "{schedules}");
    let human = cwd.cmd(&["status"]).output().unwrap();
    assert!(
        String::from_utf8_lossy(&human.stdout).contains("idle on"),
        "status shows idle reasons"
    );
    cwd.cmd(&["schedule", "remove", "tick"]).assert().success();
    let pid = engine.0.id().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    let code = loop {
        if let Some(s) = engine.0.try_wait().unwrap() {
            break s.code();
        }
        assert!(Instant::now() < deadline, "up did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut out = String::new();
    engine
        .0
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains(&format!("listening on http://127.0.0.1:{port}/")),
        "{out}"
    );
    assert!(out.contains("stopped cleanly"), "{out}");
    assert_eq!(
        cwd.json(&["worker", "list"]),
        serde_json::json!([]),
        "deregistered on the way out"
    );
}

#[test]
fn engine_configuration_errors_are_named() {
    let cwd = Cwd::new();
    std::fs::write(
        cwd.dir.path().join("juggernaut.toml"),
        "[engine]\nconcurency = 4\n",
    )
    .unwrap();
    let out = cwd.cmd(&["up"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("concurency"));
    let out = cwd
        .cmd(&[
            "worker",
            "--roles",
            "wizard",
            "--config",
            "/nonexistent.toml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let cwd = Cwd::new();
    let out = cwd.cmd(&["worker", "--roles", "wizard"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown role `wizard`"));
    let out = cwd
        .cmd(&[
            "schedule",
            "add",
            "x",
            "--cron",
            "sometimes",
            "--kind",
            "noop",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`sometimes`"));
}
