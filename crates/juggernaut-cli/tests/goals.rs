//! Goals through the binary: a playbook goal planned offline (no LLM) and its tasks run to
//! completion by `up`; a goal nothing can plan says why; playbooks checked with names.

use crate::support::{Cwd, fails_with, free_port, start_up, wait_for};

const REVENUE: &str = r#"
description = "Revenue push"
[match]
tags = ["revenue"]
[[tasks]]
key = "prepare"
kind = "noop"
title = "Prepare for {{ goal.title }}"
[[tasks]]
key = "review"
kind = "noop"
title = "Review {{ goal.target }} {{ goal.unit }}"
depends_on = ["prepare"]
"#;

fn with_playbook(cwd: &Cwd, name: &str, text: &str) {
    let dir = cwd.dir.path().join("playbooks");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn a_playbook_goal_is_planned_offline_and_its_tasks_run() {
    let cwd = Cwd::new();
    with_playbook(&cwd, "revenue.toml", REVENUE);
    let listed = cwd.json(&["playbook", "list"]);
    assert_eq!(listed[0]["name"], "revenue");
    let g = cwd.json(&[
        "goal",
        "add",
        "Reach 50k",
        "--tag",
        "revenue",
        "--target",
        "50000",
        "--unit",
        "USD",
    ]);
    let other = cwd.json(&["goal", "add", "Learn to juggle"]);
    let (id, other) = (g["id"].as_i64().unwrap(), other["id"].as_i64().unwrap());
    let _engine = start_up(&cwd, free_port());
    let done = |tasks: &serde_json::Value| {
        let ours: Vec<_> = tasks
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["goal_id"] == id && t["kind"] == "noop")
            .collect();
        ours.len() == 2 && ours.iter().all(|t| t["status"] == "completed")
    };
    wait_for("the plan's tasks to complete", 30, || {
        done(&cwd.json(&["task", "list"]))
    });
    let plan = cwd.json(&["goal", "plan", &id.to_string()]);
    assert_eq!(plan["plan"]["version"], 1);
    let made_by = plan["plan"]["made_by"].as_str().unwrap();
    assert!(made_by.starts_with("playbook:revenue@"), "{made_by}");
    let tasks = cwd.json(&["task", "list"]);
    let review = tasks
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["title"] == "Review 50000.0 USD")
        .unwrap_or_else(|| panic!("no review task in {tasks}"));
    assert_eq!(review["origin"], "playbook");
    assert!(!review["evidence"].as_array().unwrap().is_empty());
    wait_for("the other goal's reason", 15, || {
        let shown = cwd.json(&["goal", "show", &other.to_string()]);
        shown["idle"]
            .as_str()
            .is_some_and(|s| s.contains("no LLM provider is configured"))
    });
    let plan_tasks = tasks
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] == "plan")
        .count();
    assert_eq!(
        plan_tasks, 1,
        "nothing was planned for the goal nothing can plan"
    );
}

#[test]
fn playbook_check_names_the_file_the_task_and_the_field() {
    let cwd = Cwd::new();
    with_playbook(&cwd, "good.toml", REVENUE);
    with_playbook(
        &cwd,
        "bad.toml",
        &REVENUE.replace(
            "kind = \"noop\"\ntitle = \"Review",
            "kind = \"phone\"\ntitle = \"Review",
        ),
    );
    let err = fails_with(
        &cwd,
        &["playbook", "check"],
        2,
        "1 of 2 playbooks have problems",
    );
    assert!(
        err.contains("bad.toml: task `review`") && err.contains("`phone`"),
        "{err}"
    );
    let good = cwd.dir.path().join("playbooks/good.toml");
    cwd.cmd(&["playbook", "check", good.to_str().unwrap()])
        .assert()
        .success();
}

#[test]
fn proactive_templates_propose_once_per_slot() {
    let cwd = Cwd::new();
    let book = format!(
        "{REVENUE}\n[[proactive]]\nkey = \"pulse\"\nkind = \"noop\"\ntitle = \"Pulse for {{{{ goal.title }}}}\"\nper_day = 1\n"
    );
    with_playbook(&cwd, "revenue.toml", &book);
    std::fs::write(
        cwd.dir.path().join("juggernaut.toml"),
        "[planner]\nproactive_interval_secs = 1\n",
    )
    .unwrap();
    let g = cwd.json(&["goal", "add", "Reach 50k", "--tag", "revenue"]);
    let id = g["id"].as_i64().unwrap();
    let _engine = start_up(&cwd, free_port());
    let pulses = || -> Vec<serde_json::Value> {
        cwd.json(&["task", "list"])
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["goal_id"] == id && t["origin"] == "proactive")
            .cloned()
            .collect()
    };
    wait_for("the proactive task to complete", 30, || {
        pulses().first().is_some_and(|t| t["status"] == "completed")
    });
    // Several more passes in the same day's slot: nothing new.
    std::thread::sleep(std::time::Duration::from_secs(4));
    let all = pulses();
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["title"], "Pulse for Reach 50k");
}

#[test]
fn goal_edit_changes_only_the_flags_given_and_replan_asks_again() {
    let cwd = Cwd::new();
    let g = cwd.json(&[
        "goal",
        "add",
        "Reach 50k",
        "--target",
        "50000",
        "--unit",
        "USD",
        "--tag",
        "q3",
        "--deadline",
        "2031-01-31",
    ]);
    let id = g["id"].as_i64().unwrap().to_string();
    let e = cwd.json(&["goal", "edit", &id, "--target", "60000", "--no-deadline"]);
    assert_eq!(e["target"]["target"], 60000.0);
    assert_eq!(e["target"]["unit"], "USD", "the unit stays");
    assert_eq!(e["deadline"], serde_json::Value::Null);
    assert_eq!(e["tags"], serde_json::json!(["q3"]));
    fails_with(&cwd, &["goal", "edit", &id], 2, "nothing to change");
    fails_with(&cwd, &["goal", "edit", &id, "--title", ""], 2, "title");
    fails_with(
        &cwd,
        &["goal", "edit", "999", "--title", "x"],
        2,
        "not found",
    );
    let r = cwd.json(&["goal", "replan", &id, "--reason", "new prices"]);
    assert_eq!(r["id"].to_string(), id);
    let audit = cwd.json(&["audit", "--kind", "goal.replan_requested"]);
    assert_eq!(audit[0]["data"]["reason"], "new prices", "{audit}");
    cwd.json(&["goal", "cancel", &id]);
    fails_with(&cwd, &["goal", "replan", &id], 2, "only an active goal");
    fails_with(&cwd, &["goal", "edit", &id, "--title", "x"], 2, "cancelled");
}
