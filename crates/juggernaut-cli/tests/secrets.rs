//! A planted secret appears in no output: the LLM key, a webhook URL and a webhook header come
//! from the environment; the model and the webhook echo them back (in an answer, in an error
//! body); then every command's output, the engine's debug log and every row of every table of
//! the database are searched for the secret.

use crate::support::*;
use juggernaut_testkit::fake_llm::{FakeLlm, Reply};
use std::io::{Read, Write};
use std::process::Command;

const SECRET: &str = "plantedSecret7f3a9cQ";

/// A webhook that answers 500 with the request it received (its path and headers included).
fn echoing_webhook() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(20) {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 8192];
            let n = s.read(&mut buf).unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]).into_owned();
            let body = format!("rejected request: {head}");
            let _ = write!(
                s,
                "HTTP/1.1 500 Internal Server Error\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

/// Medium risk runs on its own, so that the message goes out; the webhook's URL and header
/// come from the environment.
const CONFIG: &str = "[governance.policy.bands]\nmedium = \"auto\"\n\n\
     [tools.notify.channels.ops]\ntype = \"webhook\"\nurl_env = \"OPS_HOOK\"\n\
     header_env = { \"X-Token\" = \"OPS_TOKEN\" }\n";

fn envs(llm: &FakeLlm, hook_port: u16) -> Vec<(String, String)> {
    vec![
        ("JUGGERNAUT_LLM_BASE_URL".into(), llm.base_url()),
        ("JUGGERNAUT_LLM_API_KEY".into(), SECRET.into()),
        ("JUGGERNAUT_LLM_MODEL".into(), "fake-model".into()),
        (
            "OPS_HOOK".into(),
            format!("http://127.0.0.1:{hook_port}/hooks/{SECRET}"),
        ),
        ("OPS_TOKEN".into(), SECRET.into()),
        ("JUGGERNAUT_LOG".into(), "debug".into()),
    ]
}

/// Runs `args` with the secrets in the environment; returns stdout, then stderr.
fn run2(cwd: &Cwd, envs: &[(String, String)], args: &[&str]) -> (String, String) {
    let out = cwd
        .cmd(args)
        .envs(envs.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// [`run2`]'s stdout and stderr together.
fn run(cwd: &Cwd, envs: &[(String, String)], args: &[&str]) -> String {
    let (out, err) = run2(cwd, envs, args);
    format!("{out}{err}")
}

fn settled(cwd: &Cwd, envs: &[(String, String)], ids: &[String]) {
    wait_for("the tasks to end", 60, || {
        ids.iter().all(|id| {
            let shown = run2(cwd, envs, &["task", "show", id, "--json"]).0;
            let v: serde_json::Value = serde_json::from_str(&shown).unwrap_or_default();
            ["completed", "failed", "dead"].contains(&v["task"]["status"].as_str().unwrap_or(""))
        })
    });
}

/// Every row of every table, as text.
async fn dump(url: &str) -> String {
    use sqlx::{Column, Connection, Row, TypeInfo};
    let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    let mut all = String::new();
    for t in tables {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM \"{t}\"")))
            .fetch_all(&mut conn)
            .await
            .unwrap();
        for row in rows {
            for (i, c) in row.columns().iter().enumerate() {
                let text = match c.type_info().name() {
                    "BLOB" => row
                        .try_get::<Vec<u8>, _>(i)
                        .map(|b| String::from_utf8_lossy(&b).into_owned())
                        .unwrap_or_default(),
                    _ => row.try_get::<String, _>(i).unwrap_or_default(),
                };
                all.push_str(&text);
                all.push('\n');
            }
        }
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_planted_secret_appears_in_no_output_table_or_log() {
    let llm = FakeLlm::start().await;
    // The model repeats the key it was given: in an answer that completes the first task, and
    // in the error that fails the second.
    llm.push(Reply::ToolCalls(vec![(
        "fs_list".into(),
        serde_json::json!({"path": "."}),
    )]));
    llm.push(Reply::Text(format!(
        "Listed the files [call:1]. The key is {SECRET}."
    )));
    llm.fallback(Some(Reply::Status(
        401,
        None,
        format!("{{\"error\": \"invalid api key {SECRET}\"}}"),
    )));
    let hook = echoing_webhook();
    let cwd = Cwd::new();
    std::fs::write(cwd.dir.path().join("juggernaut.toml"), CONFIG).unwrap();
    let envs = envs(&llm, hook);
    let log = std::fs::File::create(cwd.dir.path().join("up.log")).unwrap();
    let port = free_port();
    let mut up = Command::new(assert_cmd::cargo::cargo_bin("juggernaut"));
    up.current_dir(cwd.dir.path())
        .env_remove("JUGGERNAUT_DATABASE_URL")
        .args([
            "up",
            "--concurrency",
            "1",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .envs(envs.iter().map(|(k, v)| (k, v)))
        .stdout(log.try_clone().unwrap())
        .stderr(log);
    let engine = Engine(up.spawn().unwrap());
    wait_for("the engine", 30, || http_get(port, "/healthz").is_some());
    let mut ids = Vec::new();
    let mut outputs = Vec::new();
    for (kind, input) in [
        (
            "agent",
            r#"{"instructions": "Summarise the week"}"#.to_owned(),
        ),
        ("agent", r#"{"instructions": "Summarise again"}"#.to_owned()),
        (
            "notify",
            r#"{"channel": "ops", "subject": "Weekly", "text": "Numbers are in"}"#.to_owned(),
        ),
    ] {
        let args = [
            "task",
            "enqueue",
            kind,
            "--input",
            &input,
            "--max-attempts",
            "1",
            "--json",
        ];
        let (out, err) = run2(&cwd, &envs, &args);
        outputs.push(err);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|_| panic!("{out}"));
        ids.push(v["task"]["id"].as_i64().unwrap().to_string());
    }
    settled(&cwd, &envs, &ids);
    for id in &ids {
        outputs.push(run(&cwd, &envs, &["task", "show", id]));
        outputs.push(run(&cwd, &envs, &["task", "show", id, "--json"]));
    }
    for args in [
        &["task", "list"][..],
        &["task", "list", "--json"],
        &["status"],
        &["status", "--json"],
        &["dlq", "list"],
        &["approval", "list", "--json"],
        &["audit", "--json"],
        &["audit"],
        &["escalation", "list", "--all", "--json"],
        &["doctor"],
        &["doctor", "--json"],
    ] {
        outputs.push(run(&cwd, &envs, args));
    }
    outputs.push(http_get(port, "/metrics").unwrap_or_default());
    drop(engine);
    outputs.push(std::fs::read_to_string(cwd.dir.path().join("up.log")).unwrap());
    outputs.push(dump(&cwd.db_url()).await);
    // The secret did reach the services it was for.
    let keyed = |r: &juggernaut_testkit::fake_llm::Received| {
        r.authorization
            .as_deref()
            .is_some_and(|a| a.contains(SECRET))
    };
    assert!(
        llm.received().iter().any(keyed),
        "the model was called with the key"
    );
    for (i, out) in outputs.iter().enumerate() {
        assert!(!out.contains(SECRET), "output {i} leaks the secret:\n{out}");
    }
    // The model was never shown it either.
    for r in llm.received() {
        assert!(
            !r.body.to_string().contains(SECRET),
            "a prompt leaks it: {}",
            r.body
        );
    }
    // The tasks did run: their errors say what happened, redacted.
    let all = outputs.join("\n");
    assert!(
        all.contains("[redacted]"),
        "nothing was redacted: {}",
        &outputs[3..9].join("\n")
    );
}
