//! `juggernaut doctor`: a fresh folder is healthy with warnings (no database, no LLM); a data
//! source that cannot open fails naming it; the LLM check reaches a live server and fails on a
//! closed port; a broken configuration is a fail line, not an early exit; nothing is created.

use crate::support::{Cwd, free_port};
use juggernaut_testkit::fake_llm::FakeLlm;
use serde_json::Value;

/// `doctor --json` with `env`: the exit code and the checks.
fn doctor(cwd: &Cwd, env: &[(&str, &str)]) -> (Option<i32>, Vec<Value>) {
    let mut cmd = cwd.cmd(&["doctor", "--json"]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let checks: Value = serde_json::from_slice(&out.stdout).unwrap();
    (out.status.code(), checks.as_array().unwrap().clone())
}

fn find<'a>(checks: &'a [Value], name: &str) -> &'a Value {
    checks
        .iter()
        .find(|c| c["check"] == name)
        .unwrap_or_else(|| panic!("no `{name}` check in {checks:?}"))
}

#[test]
fn a_fresh_folder_passes_with_warnings_and_creates_nothing() {
    let cwd = Cwd::new();
    let (code, checks) = doctor(&cwd, &[]);
    assert_eq!(code, Some(0), "{checks:?}");
    for c in &checks {
        let mut keys: Vec<&str> = c.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["check", "detail", "fix", "status"], "{c}");
        assert!(["ok", "warn", "fail"].contains(&c["status"].as_str().unwrap()));
    }
    assert_eq!(find(&checks, "config")["status"], "ok");
    let db = find(&checks, "database");
    assert_eq!(db["status"], "warn");
    assert!(
        db["fix"].as_str().unwrap().contains("juggernaut migrate"),
        "{db}"
    );
    assert_eq!(find(&checks, "llm")["status"], "warn");
    assert!(!cwd.db_path().exists(), "doctor must create nothing");

    let out = cwd.cmd(&["doctor"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines().any(|l| l.starts_with("warn  database:")),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.starts_with("ok    config:")),
        "{text}"
    );
}

#[test]
fn a_data_source_that_cannot_open_fails_naming_it() {
    let cwd = Cwd::new();
    std::fs::write(
        cwd.dir.path().join("juggernaut.toml"),
        "[sources.shop]\nurl = \"sqlite://no-such-shop.db\"\n",
    )
    .unwrap();
    let (code, checks) = doctor(&cwd, &[]);
    assert_eq!(code, Some(1), "{checks:?}");
    let shop = find(&checks, "source shop");
    assert_eq!(shop["status"], "fail");
    assert!(shop["detail"].as_str().unwrap().contains("shop"), "{shop}");

    let out = cwd.cmd(&["doctor"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines().any(|l| l.starts_with("FAIL  source shop:")),
        "{text}"
    );
}

#[test]
fn a_broken_configuration_is_a_fail_line() {
    let cwd = Cwd::new();
    std::fs::write(cwd.dir.path().join("juggernaut.toml"), "bogus = 1\n").unwrap();
    let (code, checks) = doctor(&cwd, &[]);
    assert_eq!(code, Some(1));
    let config = find(&checks, "config");
    assert_eq!(config["status"], "fail");
    assert!(
        config["detail"].as_str().unwrap().contains("bogus"),
        "{config}"
    );
    assert_eq!(find(&checks, "database")["status"], "warn");
}

#[test]
fn the_llm_check_reaches_a_live_server_and_fails_on_a_closed_port() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(FakeLlm::start());
    let cwd = Cwd::new();
    let key = "sk-doctor-secret";
    let live = server.base_url();
    let (code, checks) = doctor(
        &cwd,
        &[
            ("JUGGERNAUT_LLM_BASE_URL", live.as_str()),
            ("JUGGERNAUT_LLM_MODEL", "fake"),
            ("JUGGERNAUT_LLM_API_KEY", key),
        ],
    );
    assert_eq!(code, Some(0), "{checks:?}");
    assert_eq!(find(&checks, "llm")["status"], "ok", "{checks:?}");
    assert!(!serde_json::to_string(&checks).unwrap().contains(key));

    let closed = format!("http://127.0.0.1:{}/v1", free_port());
    let (code, checks) = doctor(
        &cwd,
        &[
            ("JUGGERNAUT_LLM_BASE_URL", closed.as_str()),
            ("JUGGERNAUT_LLM_MODEL", "fake"),
        ],
    );
    assert_eq!(code, Some(1));
    let llm = find(&checks, "llm");
    assert_eq!(llm["status"], "fail");
    assert!(
        llm["detail"].as_str().unwrap().contains("cannot reach"),
        "{llm}"
    );
}
