//! `experiment add|list|show|stop` on the default embedded database: an experiment from flags
//! and one from a TOML file, `list --json` as an array of objects (by status too), `show` with
//! its spec, a stop with its reason (once); bad input names the field and exits 2, and without a
//! data source `experiment_step` (so an experiment) is not available.

use crate::support::{Cwd, fails_with};

const CONFIG: &str = "[sources.shop]\nurl = \"sqlite://shop.db\"\n";

const FLAGS: [&str; 14] = [
    "experiment",
    "add",
    "--name",
    "Button",
    "--hypothesis",
    "Green converts better",
    "--control",
    "blue",
    "--variant",
    "green:2",
    "--source",
    "shop",
    "--query",
    "SELECT SUM(bought), COUNT(*) FROM visits WHERE variant = {{variant}}",
];

const FILE: &str = r#"
name = "Quote form"
hypothesis = "Instant prices convert better"
min_sample = 200
max_duration_secs = 86400
interval_secs = 60
variants = [{ name = "callback", control = true }, { name = "instant" }]
metric = { source = "shop", query = "SELECT SUM(c), COUNT(*) FROM v WHERE variant = {{variant}}" }
rule = { type = "bayesian", alpha = 0.05, max_loss = 0.002 }
rollout = { kind = "noop", title = "Roll out {{variant}}" }
"#;

#[test]
fn experiments_are_added_listed_shown_and_stopped() {
    let cwd = Cwd::new();
    fails_with(&cwd, &FLAGS, 2, "experiment_step");
    std::fs::write(cwd.dir.path().join("juggernaut.toml"), CONFIG).unwrap();
    let added = cwd.json(&FLAGS);
    assert_eq!(added["status"], "running");
    assert_eq!(added["spec"]["variants"][1]["weight"], 2.0);
    std::fs::write(cwd.dir.path().join("quote.toml"), FILE).unwrap();
    let from_file = cwd.json(&["experiment", "add", "--file", "quote.toml"]);
    assert_eq!(
        from_file["spec"]["rollout"]["title"],
        "Roll out {{variant}}"
    );
    let list = cwd.json(&["experiment", "list"]);
    let items = list.as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["id"], from_file["id"], "newest first");
    let id = added["id"].to_string();
    let shown = cwd.json(&["experiment", "show", &id]);
    assert_eq!(shown["spec"]["name"], "Button");
    assert_eq!(shown["points"], serde_json::json!([]));
    let human = cwd.cmd(&["experiment", "list"]).output().unwrap();
    assert!(String::from_utf8_lossy(&human.stdout).contains("Quote form"));
    let stopped = cwd.json(&[
        "experiment",
        "stop",
        &id,
        "--reason",
        "wrong page",
        "--as",
        "ann",
    ]);
    assert_eq!(stopped["status"], "stopped");
    assert_eq!(stopped["stop_reason"], "wrong page");
    fails_with(
        &cwd,
        &["experiment", "stop", &id, "--reason", "again"],
        2,
        "not running",
    );
    let running = cwd.json(&["experiment", "list", "--status", "running"]);
    assert_eq!(running.as_array().unwrap().len(), 1);
    let audit = cwd.json(&["audit", "--kind", "experiment.stopped"]);
    assert!(audit.to_string().contains("ann"), "{audit}");
}

#[test]
fn bad_experiments_are_refused_naming_the_field() {
    let cwd = Cwd::new();
    std::fs::write(cwd.dir.path().join("juggernaut.toml"), CONFIG).unwrap();
    let mut bad_variant = FLAGS.to_vec();
    bad_variant[9] = "Green Button";
    fails_with(&cwd, &bad_variant, 2, "variants.name");
    let mut no_placeholder = FLAGS.to_vec();
    no_placeholder[13] = "SELECT 1, 2";
    fails_with(&cwd, &no_placeholder, 2, "metric.query");
    fails_with(&cwd, &FLAGS[..12], 2, "--query is required");
    let mut alpha = FLAGS.to_vec();
    alpha.extend(["--alpha", "0.9"]);
    fails_with(&cwd, &alpha, 2, "rule.alpha");
    std::fs::write(
        cwd.dir.path().join("bad.toml"),
        FILE.replace("min_sample", "min_samples"),
    )
    .unwrap();
    fails_with(
        &cwd,
        &["experiment", "add", "--file", "bad.toml"],
        2,
        "min_samples",
    );
    std::fs::write(
        cwd.dir.path().join("kind.toml"),
        FILE.replace("\"noop\"", "\"phone\""),
    )
    .unwrap();
    fails_with(
        &cwd,
        &["experiment", "add", "--file", "kind.toml"],
        2,
        "phone",
    );
    fails_with(
        &cwd,
        &["experiment", "list", "--status", "paused"],
        2,
        "unknown experiment status",
    );
    assert!(cwd.cmd(&["migrate"]).output().unwrap().status.success());
    fails_with(
        &cwd,
        &["experiment", "show", "99"],
        2,
        "no experiment has id 99",
    );
    fails_with(
        &cwd,
        &["experiment", "stop", "99", "--reason", "x"],
        2,
        "no experiment has id 99",
    );
}
