//! `token create|list|revoke` on the default embedded database, and `up` refusing a
//! non-loopback address while no active token exists (before it opens a port or creates the
//! database).

use crate::support::{Cwd, fails_with};
use juggernaut_app::tokens::token_sha256;
use std::time::Duration;

/// Runs `args`, asserting success; returns stdout.
fn ok(cwd: &Cwd, args: &[&str]) -> String {
    let out = cwd
        .cmd(args)
        .env("JUGGERNAUT_ACTOR", "alice")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_token_is_shown_once_listed_without_secrets_and_revoked() {
    let cwd = Cwd::new();
    let human = ok(
        &cwd,
        &["token", "create", "--name", "ci", "--role", "approver"],
    );
    let token = human
        .lines()
        .find(|l| l.starts_with("jgt_"))
        .unwrap_or_else(|| panic!("no token in: {human}"))
        .to_owned();
    assert_eq!(token.len(), 4 + 64, "{token}");
    assert!(
        human.contains("created token 1 `ci` with role approver (by alice)"),
        "{human}"
    );
    assert!(human.contains("only time the token is shown"), "{human}");
    let made = cwd.json(&["token", "create", "--name", "dash", "--role", "viewer"]);
    let second = made["token"].as_str().unwrap().to_owned();
    assert!(second.starts_with("jgt_") && second != token);
    assert_eq!(
        (made["id"].as_i64(), made["role"].as_str()),
        (Some(2), Some("viewer"))
    );
    assert!(made["note"].as_str().unwrap().contains("only time"));

    let secrets = [
        token.clone(),
        second.clone(),
        token_sha256(&token),
        token_sha256(&second),
    ];
    let listed = cwd.json(&["token", "list"]);
    let table = ok(&cwd, &["token", "list"]);
    for shown in [listed.to_string(), table.clone()] {
        for s in &secrets {
            assert!(!shown.contains(s.as_str()), "a secret is listed: {shown}");
        }
    }
    let items = listed.as_array().unwrap();
    let names: Vec<&str> = items.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["dash", "ci"], "newest first");
    assert_eq!(items[1]["created_by"], "alice");
    assert!(items[1]["revoked_at"].is_null());
    assert!(table.starts_with("ID"), "{table}");

    let revoked = ok(&cwd, &["token", "revoke", "1", "--as", "bob"]);
    assert!(
        revoked.contains("revoked token 1 `ci` (approver) by bob"),
        "{revoked}"
    );
    let listed = cwd.json(&["token", "list"]);
    assert_eq!(listed[1]["revoked_by"], "bob");
    assert_eq!(
        listed.as_array().unwrap().len(),
        2,
        "a revoked token stays listed"
    );
    fails_with(&cwd, &["token", "revoke", "1"], 2, "already revoked");
    fails_with(&cwd, &["token", "revoke", "99"], 2, "no token has id 99");
    fails_with(&cwd, &["token", "revoke", "abc"], 2, "abc");

    fails_with(
        &cwd,
        &["token", "create", "--name", "x", "--role", "root"],
        2,
        "unknown role `root`",
    );
    fails_with(
        &cwd,
        &["token", "create", "--name", "dash", "--role", "admin"],
        2,
        "already named `dash`",
    );
    fails_with(
        &cwd,
        &["token", "create", "--name", " ", "--role", "admin"],
        2,
        "name",
    );
    assert_eq!(cwd.json(&["token", "list"]).as_array().unwrap().len(), 2);
}

#[test]
fn up_refuses_a_non_loopback_address_until_a_token_exists() {
    let cwd = Cwd::new();
    let refused = cwd
        .cmd(&["up", "--listen", "0.0.0.0:0"])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "refusing to listen on 0.0.0.0:0: it is not a loopback address and no API token exists"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("juggernaut token create --name NAME --role admin"),
        "{stderr}"
    );
    assert!(!cwd.db_path().exists(), "nothing was created");

    // A revoked token does not count.
    ok(
        &cwd,
        &["token", "create", "--name", "old", "--role", "admin"],
    );
    ok(&cwd, &["token", "revoke", "1"]);
    let args = ["worker", "--listen", "0.0.0.0:0"];
    let out = cwd
        .cmd(&args)
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no API token exists"), "{stderr}");
}
