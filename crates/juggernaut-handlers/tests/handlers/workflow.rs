//! `workflow` run for real: templated steps through the real file and shell tools, one step
//! reading another's output; a failing step ending the task with its reason; a step allowed to
//! fail; an undefined value at run time; a runaway template stopped by its fuel; and inputs
//! refused at enqueue.

use crate::support::{Rig, completed, ended, evidence_calls, tools_of};
use juggernaut_core::{Evidence, TaskStatus};
use juggernaut_store::ToolCallStatus;
use serde_json::json;

#[tokio::test]
async fn a_step_uses_an_earlier_steps_output() {
    let rig = Rig::start(vec![]).await;
    let input = json!({
        "vars": {"name": "world", "dir": "greetings"},
        "steps": [
            {"id": "write", "tool": "fs_write",
             "args": {"path": "{{ input.dir }}/{{ input.name }}.txt", "content": "hello {{ input.name }}\n"}},
            {"id": "count", "tool": "shell",
             "args": {"command": "wc -c < {{ steps.write.output.path }}"}},
            {"id": "read", "tool": "fs_read",
             "args": {"path": "{{ steps.write.output.path }}"}},
        ],
    });
    let t = rig.run("workflow", input).await;
    completed(&t);
    let result = t.result.clone().unwrap();
    let steps = result["steps"].as_array().unwrap();
    let ids: Vec<_> = steps.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["write", "count", "read"]);
    assert!(steps.iter().all(|s| s["ok"] == true), "{result}");

    let calls = rig.calls(t.id).await;
    assert_eq!(tools_of(&calls), ["fs_write", "shell", "fs_read"]);
    assert!(calls.iter().all(|c| c.status == ToolCallStatus::Ok));
    // The later steps were given the first step's output, rendered.
    assert_eq!(calls[1].arguments["command"], "wc -c < greetings/world.txt");
    assert_eq!(calls[2].arguments["path"], "greetings/world.txt");
    assert!(
        calls[1].result.contains("\"stdout\":\"12\\n\""),
        "{}",
        calls[1].result
    );
    assert!(
        calls[2].result.contains("hello world"),
        "{}",
        calls[2].result
    );
    let listed: Vec<String> = steps.iter().map(|s| s["call"].to_string()).collect();
    let ledger: Vec<String> = calls.iter().map(|c| c.id.to_string()).collect();
    assert_eq!(listed, ledger);
    assert_eq!(evidence_calls(&t), ledger);
    // The write's own evidence came along: the file and its hash.
    let file = rig.workspace(t.id).join("greetings/world.txt");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "hello world\n");
    let sha = juggernaut_tools::sha256_file(&file).unwrap();
    let expected = Evidence::File {
        path: format!("task-{}/greetings/world.txt", t.id.0),
        sha256: sha,
    };
    assert!(t.evidence.contains(&expected), "{:?}", t.evidence);
}

#[tokio::test]
async fn a_failing_step_ends_the_task_with_its_reason() {
    let rig = Rig::start(vec![]).await;
    let input = json!({"steps": [
        {"id": "missing", "tool": "fs_read", "args": {"path": "nope.txt"}},
        {"id": "never", "tool": "fs_write", "args": {"path": "x.txt", "content": "x"}},
    ]});
    let t = rig.run("workflow", input).await;
    // The tool's error is about its arguments: another attempt cannot help.
    let err = ended(&t, TaskStatus::Failed);
    assert!(err.contains("step `missing` (`fs_read`)"), "{err}");
    assert!(err.contains("`nope.txt` does not exist"), "{err}");
    let calls = rig.calls(t.id).await;
    assert_eq!(tools_of(&calls), ["fs_read"], "the second step never ran");
    assert_eq!(calls[0].status, ToolCallStatus::Error);
    assert!(!rig.workspace(t.id).join("x.txt").exists());
}

#[tokio::test]
async fn a_step_may_be_allowed_to_fail() {
    let rig = Rig::start(vec![]).await;
    let input = json!({"steps": [
        {"id": "try", "tool": "fs_read", "args": {"path": "absent.txt"}, "continue_on_error": true},
        {"id": "then", "tool": "fs_write", "args": {"path": "after.txt", "content": "went on"}},
    ]});
    let t = rig.run("workflow", input).await;
    completed(&t);
    let result = t.result.clone().unwrap();
    assert_eq!(result["steps"][0]["ok"], false);
    assert!(
        result["steps"][0]["error"]
            .as_str()
            .unwrap()
            .contains("does not exist")
    );
    assert_eq!(result["steps"][1]["ok"], true);
    let calls = rig.calls(t.id).await;
    assert_eq!(tools_of(&calls), ["fs_read", "fs_write"]);
    // Only the call that succeeded is evidence.
    assert_eq!(evidence_calls(&t), [calls[1].id.to_string()]);
}

#[tokio::test]
async fn an_undefined_value_fails_the_step_that_reads_it() {
    let rig = Rig::start(vec![]).await;
    let input = json!({"steps": [
        {"id": "write", "tool": "fs_write", "args": {"path": "a.txt", "content": "a"}},
        {"id": "use", "tool": "fs_read", "args": {"path": "{{ steps.write.output.no_such_key }}"}},
    ]});
    let t = rig.run("workflow", input).await;
    let err = ended(&t, TaskStatus::Failed);
    assert!(
        err.contains("step `use` (`fs_read`): `args.path`: the template failed"),
        "{err}"
    );
    assert_eq!(tools_of(&rig.calls(t.id).await), ["fs_write"]);
}

#[tokio::test]
async fn a_runaway_template_fails_fast_naming_the_step_and_argument() {
    let rig = Rig::start(vec![]).await;
    let loops = "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}";
    let input = json!({"steps": [
        {"id": "spin", "tool": "fs_write", "args": {"path": "a.txt", "content": loops}},
    ]});
    let started = std::time::Instant::now();
    let t = rig.run("workflow", input).await;
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let err = ended(&t, TaskStatus::Failed);
    assert!(
        err.contains("step `spin` (`fs_write`): `args.content`: the template used too much fuel"),
        "{err}"
    );
    assert!(rig.calls(t.id).await.is_empty(), "the tool never ran");
}

#[tokio::test]
async fn an_unknown_tool_fails_the_task() {
    let rig = Rig::start(vec![]).await;
    let t = rig
        .run(
            "workflow",
            json!({"steps": [{"id": "a", "tool": "teleport"}]}),
        )
        .await;
    let err = ended(&t, TaskStatus::Failed);
    assert!(err.contains("no tool is called `teleport`"), "{err}");
}

#[tokio::test]
async fn bad_workflows_are_refused_at_enqueue() {
    let rig = Rig::start(vec![]).await;
    let step = |id: &str, args| json!({"id": id, "tool": "fs_read", "args": args});
    let cases = [
        (json!({"steps": []}), "`steps`: give 1 to 50 steps"),
        (
            json!({"steps": [step("a", json!({})), step("a", json!({}))]}),
            "`steps[1].id`: `a` is already the id of steps[0]",
        ),
        (
            json!({"steps": [step("a", json!({"path": "{% if %}"}))]}),
            "`steps[0].args.path`: the template does not parse",
        ),
        (
            json!({"steps": [step("a", json!({"path": "{{ steps.b.output }}"})), step("b", json!({}))]}),
            "`steps[0].args.path`: the template reads `steps.b`, which is not an earlier step",
        ),
        (
            json!({"steps": [step("a", json!({"path": "{{ env.HOME }}"}))]}),
            "reads `env`, which is not defined",
        ),
        (json!({"steps": [{"id": "a"}]}), "missing field `tool`"),
    ];
    for (input, want) in cases {
        let err = rig.refused("workflow", input.clone());
        assert!(err.starts_with("invalid input for `workflow`: "), "{err}");
        assert!(err.contains(want), "{input}: {err}");
    }
}

#[tokio::test]
async fn a_command_that_exits_non_zero_is_not_success_and_a_rewritten_file_proves_its_last_content()
{
    let rig = Rig::start(vec![]).await;
    let failing = json!({"steps": [
        {"id": "fail", "tool": "shell", "args": {"command": "echo broken >&2; exit 3"}},
        {"id": "never", "tool": "fs_write", "args": {"path": "x.txt", "content": "x"}},
    ]});
    let t = rig.run("workflow", failing).await;
    assert_ne!(t.status, TaskStatus::Completed);
    let err = t.last_error.clone().unwrap();
    assert!(
        err.contains("step `fail` (`shell`)") && err.contains("exited with 3"),
        "{err}"
    );
    assert!(
        !rig.workspace(t.id).join("x.txt").exists(),
        "the next step never ran"
    );

    let rewritten = json!({"steps": [
        {"id": "first", "tool": "fs_write", "args": {"path": "r.txt", "content": "one"}},
        {"id": "second", "tool": "fs_write", "args": {"path": "r.txt", "content": "two"}},
    ]});
    let t = rig.run("workflow", rewritten).await;
    completed(&t);
    let files: Vec<_> = t
        .evidence
        .iter()
        .filter(|e| matches!(e, Evidence::File { .. }))
        .collect();
    assert_eq!(files.len(), 1, "{:?}", t.evidence);
}
