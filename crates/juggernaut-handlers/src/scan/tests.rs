//! Fix tasks: which kind, what they carry, and that their inputs pass their kinds' checks.

use super::fix;
use chrono::Utc;
use juggernaut_core::TaskId;
use juggernaut_core::learning::LearningId;
use juggernaut_handler::TaskInput;
use juggernaut_store::RepeatedFailure;
use serde_json::json;

fn failure(kind: &str) -> RepeatedFailure {
    RepeatedFailure {
        learning: LearningId(7),
        kind: kind.into(),
        fingerprint: "abc123".into(),
        sample_error: "boom".into(),
        count: 5,
        last_task: Some(TaskId(9)),
        last_seen: Utc::now(),
    }
}

#[test]
fn a_code_failure_with_a_repository_gets_a_code_fix() {
    let last = json!({"repo_url": "https://g/r.git", "title": "t", "description": "d",
        "base": "dev", "github_repo": null, "changes": []});
    let t = fix::task(&failure("code_fix"), Some(&last), true, None).unwrap();
    assert_eq!(t.kind.as_str(), "code");
    assert_eq!(t.input["base"], "dev");
    assert!(t.input.get("github_repo").is_none(), "nulls are not copied");
    let input: crate::code::CodeInput = serde_json::from_value(t.input.clone()).unwrap();
    input.validate().unwrap();
    assert_eq!(t.dedupe_key.as_deref(), Some("scan:abc123:9"));
    assert_eq!(t.origin, juggernaut_core::task::Origin::ErrorScan);
}

#[test]
fn other_failures_and_code_without_an_editor_get_an_agent_fix() {
    let last = json!({"repo_url": "https://g/r.git"});
    for (kind, code_fixes, input) in [
        ("http", true, Some(&last)),
        ("code", false, Some(&last)),
        ("code", true, None),
    ] {
        let t = fix::task(&failure(kind), input, code_fixes, None).unwrap();
        assert_eq!(t.kind.as_str(), "agent", "{kind} {code_fixes}");
        let input: crate::agent::AgentInput = serde_json::from_value(t.input.clone()).unwrap();
        input.validate().unwrap();
        let text = t.input["instructions"].as_str().unwrap();
        assert!(text.contains("boom") && text.contains("5 times") && text.contains("task 9"));
    }
}

#[test]
fn scan_input_bounds_are_checked() {
    use super::ScanInput;
    let bad = |v| serde_json::from_value::<ScanInput>(v).map(|i| i.validate());
    assert!(matches!(bad(json!({"min_count": 1})), Ok(Err(_))));
    assert!(matches!(bad(json!({"limit": 51})), Ok(Err(_))));
    assert!(bad(json!({"other": 1})).is_err());
    assert!(matches!(bad(json!({})), Ok(Ok(()))));
}
