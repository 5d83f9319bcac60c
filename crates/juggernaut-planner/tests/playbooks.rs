//! Playbooks through their public API: loading, checks that name the file, the task and the
//! field, matching, expansion, and choosing the best.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::Utc;
use juggernaut_core::{Goal, GoalId, GoalStatus, NewGoal};
use juggernaut_handler::Registry;
use juggernaut_planner::{Playbook, Playbooks};
use std::path::{Path, PathBuf};

const GOOD: &str = r#"
description = "Weekly revenue review"
priority = 5
[match]
tags = ["revenue"]
title = "(?i)sales"
[params]
days = 30
[[tasks]]
key = "sweep"
kind = "maintenance"
title = "Sweep for {{ goal.title }}"
input = { retention_days = "{{ params.days }}" }
[[tasks]]
key = "review"
kind = "noop"
title = "Review goal {{ goal.id }} ({{ goal.unit or 'no unit' }})"
depends_on = ["sweep"]
acceptance = ["the review is written"]
"#;

fn registry() -> Registry {
    Registry::new(juggernaut_handlers::builtin(
        &juggernaut_handlers::Deps::default(),
    ))
    .unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn goal(title: &str, tags: &[&str]) -> Goal {
    Goal {
        id: GoalId(7),
        spec: NewGoal {
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            ..NewGoal::titled(title)
        },
        status: GoalStatus::Active,
        current: None,
        plan_version: 0,
        plan_error: None,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

fn problems(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "bad.toml", text);
    Playbook::load(&p, &registry()).unwrap_err().to_string()
}

#[test]
fn a_good_playbook_expands_with_the_goals_fields() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "revenue.toml", GOOD);
    let book = Playbook::load(&p, &registry()).unwrap();
    assert_eq!((book.name.as_str(), book.size()), ("revenue", 2));
    assert_eq!(book.rule(), "tags revenue or title /(?i)sales/");
    let g = goal("Grow Sales", &[]);
    assert!(book.matches(&g) && book.matches(&goal("x", &["revenue"])));
    assert!(!book.matches(&goal("x", &["ops"])));
    let graph = book.expand(&g).unwrap();
    assert_eq!(graph.tasks[0].title, "Sweep for Grow Sales");
    // A template that is the whole value keeps the expression's type.
    assert_eq!(
        graph.tasks[0].input,
        serde_json::json!({"retention_days": 30})
    );
    assert_eq!(graph.tasks[1].title, "Review goal 7 (no unit)");
    assert_eq!(graph.tasks[1].depends_on, vec!["sweep"]);
    assert_eq!(graph.tasks[1].acceptance, vec!["the review is written"]);
}

#[test]
fn errors_name_the_file_the_task_and_the_field() {
    let unknown_kind = GOOD.replace("kind = \"noop\"", "kind = \"phone\"");
    let e = problems(&unknown_kind);
    assert!(e.starts_with("playbook `") && e.contains("bad.toml"), "{e}");
    assert!(e.contains("task `review`") && e.contains("`phone`"), "{e}");
    let bad_input = GOOD.replace("{{ params.days }}", "soon");
    let e = problems(&bad_input);
    assert!(
        e.contains("task `sweep`: invalid input for `maintenance`: `retention_days`"),
        "{e}"
    );
    let bad_template = GOOD.replace("{{ goal.title }}", "{{ goal.title");
    assert!(problems(&bad_template).contains("task `sweep`, `title`"));
    let cycle = GOOD.replace(
        "key = \"sweep\"",
        "key = \"sweep\"\ndepends_on = [\"review\"]",
    );
    assert!(problems(&cycle).contains("cycle"));
    assert!(problems(&GOOD.replace("(?i)sales", "(")).contains("[match] `title`"));
    let no_rule = "[match]\n[[tasks]]\nkey='a'\nkind='noop'\ntitle='t'";
    assert!(problems(no_rule).contains("needs `tags` or `title`"));
    assert!(problems(&GOOD.replace("priority = 5", "priorty = 5")).contains("priorty"));
    assert!(problems("not toml = = =").contains("bad.toml"));
}

#[test]
fn the_best_match_wins_and_bad_files_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.toml", GOOD);
    write(
        dir.path(),
        "b.toml",
        &GOOD.replace("priority = 5", "priority = 9"),
    );
    write(dir.path(), "c.toml", "[match]");
    write(dir.path(), "notes.txt", "ignored");
    let books = Playbooks::load(dir.path(), &registry());
    assert_eq!(books.books.len(), 2);
    assert_eq!(books.errors.len(), 1);
    assert!(books.errors[0].file.ends_with("c.toml"));
    assert_eq!(books.best(&goal("sales", &[])).unwrap().name, "b");
    assert!(books.best(&goal("other", &[])).is_none());
    assert!(
        Playbooks::load(&dir.path().join("missing"), &registry())
            .books
            .is_empty()
    );
}

const PROACTIVE: &str = r#"
[[proactive]]
key = "pulse"
kind = "noop"
title = "Pulse for {{ goal.title }}"
per_day = 2
"#;

#[test]
fn proactive_templates_propose_one_task_per_slot() {
    use chrono::TimeZone;
    use juggernaut_core::Origin;
    use juggernaut_core::proactive::Proposals;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "revenue.toml", &format!("{GOOD}{PROACTIVE}"));
    let books = Playbooks::load(dir.path(), &registry());
    assert!(books.errors.is_empty(), "{:?}", books.errors);
    let g = goal("Grow Sales", &[]);
    let morning = Utc.with_ymd_and_hms(2026, 11, 29, 9, 0, 0).unwrap();
    let proposed = books.propose(&g, morning);
    assert_eq!(proposed.len(), 1);
    let t = &proposed[0];
    assert_eq!(t.title, "Pulse for Grow Sales");
    assert_eq!(t.origin, Origin::Proactive);
    assert_eq!(t.goal_id, Some(GoalId(7)));
    assert_eq!(
        t.dedupe_key.as_deref(),
        Some("proactive:7:revenue.pulse:2026-11-29:0")
    );
    // Same slot, same key; the afternoon is the second slot of two.
    let later = Utc.with_ymd_and_hms(2026, 11, 29, 11, 59, 0).unwrap();
    assert_eq!(books.propose(&g, later)[0].dedupe_key, t.dedupe_key);
    let afternoon = Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap();
    assert_ne!(books.propose(&g, afternoon)[0].dedupe_key, t.dedupe_key);
    // Goals the playbook does not match get nothing.
    assert!(books.propose(&goal("Ops", &["ops"]), morning).is_empty());
}

#[test]
fn proactive_templates_are_checked_on_load() {
    let bad = |entry: &str| problems(&format!("{GOOD}\n[[proactive]]\n{entry}"));
    assert!(bad("key = \"p\"\nkind = \"phone\"\ntitle = \"t\"\n").contains("`phone`"));
    assert!(bad("key = \"p\"\nkind = \"plan\"\ntitle = \"t\"\n").contains("cannot be proposed"));
    assert!(bad("key = \"p\"\nkind = \"noop\"\ntitle = \"t\"\nper_day = 0\n").contains("per_day"));
    assert!(bad("key = \"p\"\nkind = \"noop\"\ntitle = \"t\"\nper_day = 97\n").contains("per_day"));
    assert!(
        bad("key = \"p\"\nkind = \"noop\"\ntitle = \"{{ goal.nope(\"\n").contains("[[proactive]]")
    );
    let twice = "key = \"p\"\nkind = \"noop\"\ntitle = \"t\"\n[[proactive]]\nkey = \"p\"\nkind = \"noop\"\ntitle = \"t\"\n";
    assert!(bad(twice).contains("used twice"));
}
