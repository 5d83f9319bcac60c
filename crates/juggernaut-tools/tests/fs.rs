//! The file tools against a real file system: paths that lead out (`..`, absolute, symlinks to
//! files and directories outside), writing through symlinks, writing into `.git` (refused, even
//! through a symlink; reading it is fine), FIFOs, big files read in pages and writes over the
//! cap, and the hash a write reports equal to `sha256_file`'s.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use juggernaut_core::{Evidence, TaskId};
use juggernaut_tools::{
    FsList, FsRead, FsWrite, Tool, ToolContext, ToolError, ToolOutput, Workspaces, sha256_file,
};
use serde_json::{Value, json};
use std::os::unix::fs::symlink;
use std::path::Path;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

struct Rig {
    _tmp: tempfile::TempDir,
    outside: tempfile::TempDir,
    ctx: ToolContext,
}

impl Rig {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let ws = Workspaces::new(tmp.path().join("ws")).for_task(TaskId(1));
        ws.ensure().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), "outside secret").unwrap();
        let ctx = ToolContext {
            task_id: None,
            attempt: 1,
            lease_token: None,
            workspace: ws,
            cancel: CancellationToken::new(),
        };
        Self {
            _tmp: tmp,
            outside,
            ctx,
        }
    }

    fn dir(&self) -> &Path {
        self.ctx.workspace.dir()
    }

    async fn call(&self, tool: &dyn Tool, args: Value) -> Result<ToolOutput, ToolError> {
        tokio::time::timeout(Duration::from_secs(10), tool.call(&self.ctx, args))
            .await
            .expect("the call hung")
    }

    async fn model_error(&self, tool: &dyn Tool, args: Value) -> String {
        match self.call(tool, args.clone()).await {
            Err(ToolError::Model(m)) => m,
            other => panic!(
                "{} {args}: expected a model error, got {other:?}",
                tool.name()
            ),
        }
    }
}

#[tokio::test]
async fn paths_that_climb_or_are_absolute_are_refused() {
    let rig = Rig::new();
    for bad in ["../x", "a/../../x", "/etc/passwd", ""] {
        let e = rig.model_error(&FsRead, json!({"path": bad})).await;
        assert!(e.contains("refused"), "{bad}: {e}");
        let e = rig
            .model_error(&FsWrite::default(), json!({"path": bad, "content": "x"}))
            .await;
        assert!(e.contains("refused"), "{bad}: {e}");
        let e = rig.model_error(&FsList, json!({"path": bad})).await;
        assert!(e.contains("refused"), "{bad}: {e}");
    }
    assert!(!rig.dir().parent().unwrap().join("x").exists());
}

#[tokio::test]
async fn symlinks_leading_out_are_refused() {
    let rig = Rig::new();
    let secret = rig.outside.path().join("secret.txt");
    symlink(&secret, rig.dir().join("file-out")).unwrap();
    symlink(rig.outside.path(), rig.dir().join("dir-out")).unwrap();
    for path in ["file-out", "dir-out/secret.txt"] {
        let e = rig.model_error(&FsRead, json!({"path": path})).await;
        assert!(e.contains("outside the task's workspace"), "{path}: {e}");
    }
    let e = rig.model_error(&FsList, json!({"path": "dir-out"})).await;
    assert!(e.contains("outside"), "{e}");
    // Writing through them is refused too, and nothing outside changes.
    for path in ["file-out", "dir-out/secret.txt", "dir-out/new.txt"] {
        let e = rig
            .model_error(
                &FsWrite::default(),
                json!({"path": path, "content": "pwned"}),
            )
            .await;
        assert!(e.contains("outside"), "{path}: {e}");
    }
    assert_eq!(std::fs::read_to_string(&secret).unwrap(), "outside secret");
    assert!(!rig.outside.path().join("new.txt").exists());
    // Listing shows the links as links and does not descend into them.
    let out = rig.call(&FsList, json!({"recursive": true})).await.unwrap();
    let entries = out.content["entries"].as_array().unwrap();
    let paths: Vec<&str> = entries
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["dir-out", "file-out"]);
    assert!(entries.iter().all(|e| e["type"] == "symlink"));
}

#[tokio::test]
async fn a_symlink_inside_is_readable_but_never_written_through() {
    let rig = Rig::new();
    std::fs::write(rig.dir().join("real.txt"), "real").unwrap();
    symlink("real.txt", rig.dir().join("link.txt")).unwrap();
    let out = rig
        .call(&FsRead, json!({"path": "link.txt"}))
        .await
        .unwrap();
    assert_eq!(out.content["content"], "real");
    for append in [false, true] {
        let e = rig
            .model_error(
                &FsWrite::default(),
                json!({"path": "link.txt", "content": "new", "append": append}),
            )
            .await;
        assert!(e.contains("is a symlink"), "{e}");
    }
    assert_eq!(
        std::fs::read_to_string(rig.dir().join("real.txt")).unwrap(),
        "real"
    );
}

#[tokio::test]
async fn writes_into_dot_git_are_refused_but_reads_are_not() {
    const NO: &str = "file tools do not touch .git; use the git tool";
    const BAD: &str = ".git/c repo/.git/config repo/.git/hooks/x repo/.GIT/x gitdir/c gitdir/n";
    let (rig, fs_write) = (Rig::new(), FsWrite::default());
    let git = rig.dir().join("repo/.git");
    std::fs::create_dir_all(&git).unwrap();
    std::fs::write(git.join("config"), "[core]").unwrap();
    symlink("repo/.git", rig.dir().join("gitdir")).unwrap();
    for path in BAD.split(' ') {
        for append in [false, true] {
            let args = json!({"path": path, "content": "x", "append": append});
            let e = rig.model_error(&fs_write, args).await;
            assert!(e.contains(NO), "{e}");
        }
    }
    assert!(!git.join("hooks").exists() && !git.join("n").exists());
    assert!(!rig.dir().join(".git").exists() && !rig.dir().join("repo/.GIT").exists());
    let read = rig.call(&FsRead, json!({"path": "repo/.git/config"})).await;
    assert_eq!(read.unwrap().content["content"], "[core]");
    let listed = rig.call(&FsList, json!({"path": "repo/.git"})).await;
    let listed = listed.unwrap().content;
    assert_eq!(listed["entries"][0]["path"], "repo/.git/config");
    let ok = json!({"path": "repo/a.git", "content": "ok"});
    assert!(rig.call(&fs_write, ok).await.is_ok());
}

#[tokio::test]
async fn fifos_and_directories_are_refused_without_hanging() {
    let rig = Rig::new();
    let fifo = rig.dir().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let e = rig.model_error(&FsRead, json!({"path": "pipe"})).await;
    assert!(e.contains("FIFO"), "{e}");
    for append in [false, true] {
        let e = rig
            .model_error(
                &FsWrite::default(),
                json!({"path": "pipe", "content": "x", "append": append}),
            )
            .await;
        assert!(e.contains("FIFO"), "{e}");
    }
    assert!(sha256_file(&fifo).is_err());
    let out = rig.call(&FsList, json!({})).await.unwrap();
    assert_eq!(out.content["entries"][0]["type"], "other");
    std::fs::create_dir(rig.dir().join("sub")).unwrap();
    let e = rig.model_error(&FsRead, json!({"path": "sub"})).await;
    assert!(e.contains("directory") && e.contains("fs_list"), "{e}");
    let e = rig
        .model_error(&FsWrite::default(), json!({"path": "sub", "content": "x"}))
        .await;
    assert!(e.contains("directory"), "{e}");
    std::fs::write(rig.dir().join("f"), "x").unwrap();
    let e = rig.model_error(&FsList, json!({"path": "f"})).await;
    assert!(e.contains("not a directory"), "{e}");
    let e = rig.model_error(&FsRead, json!({"path": "missing"})).await;
    assert!(e.contains("does not exist"), "{e}");
}

#[tokio::test]
async fn a_big_file_is_read_in_pages_that_add_up_to_it() {
    let rig = Rig::new();
    // 600 KiB of text with multi-byte characters, so page ends fall inside characters.
    let text: String = "héllo wörld ✓ 𝄞 ".repeat(600 * 1024 / 24);
    std::fs::write(rig.dir().join("big.txt"), &text).unwrap();
    let whole = sha256_file(rig.dir().join("big.txt")).unwrap();
    let mut offset = 0u64;
    let mut got = String::new();
    let mut pages = 0;
    loop {
        let out = rig
            .call(&FsRead, json!({"path": "big.txt", "offset": offset}))
            .await
            .unwrap()
            .content;
        pages += 1;
        assert_eq!(out["sha256"], whole.as_str());
        assert_eq!(out["size"], text.len() as u64);
        assert_eq!(out["lossy"], false);
        assert!(out["bytes"].as_u64().unwrap() <= 256 * 1024);
        got.push_str(out["content"].as_str().unwrap());
        if out["truncated"] == false {
            assert!(out.get("next_offset").is_none());
            break;
        }
        offset = out["next_offset"].as_u64().unwrap();
    }
    assert_eq!(pages, 3);
    assert_eq!(got, text);
    // Tiny pages never split a character either.
    let out = rig
        .call(
            &FsRead,
            json!({"path": "big.txt", "offset": 0, "max_bytes": 2}),
        )
        .await
        .unwrap()
        .content;
    assert_eq!(out["content"], "h");
    assert_eq!(out["next_offset"], 1);
    let e = rig
        .model_error(
            &FsRead,
            json!({"path": "big.txt", "offset": text.len() + 1}),
        )
        .await;
    assert!(e.contains("past the end"), "{e}");
}

#[tokio::test]
async fn binary_content_is_read_lossily_and_says_so() {
    let rig = Rig::new();
    std::fs::write(rig.dir().join("bin"), [0xff, 0xfe, b'a']).unwrap();
    let out = rig
        .call(&FsRead, json!({"path": "bin"}))
        .await
        .unwrap()
        .content;
    assert_eq!(out["lossy"], true);
    assert_eq!(out["bytes"], 3);
    assert!(out["content"].as_str().unwrap().ends_with('a'));
    assert!(out["note"].as_str().unwrap().contains("not valid UTF-8"));
}

#[tokio::test]
async fn writes_over_the_cap_are_refused() {
    let rig = Rig::new();
    let tool = FsWrite::new(1024);
    let e = rig
        .model_error(
            &tool,
            json!({"path": "big.txt", "content": "x".repeat(1025)}),
        )
        .await;
    assert!(e.contains("1025") && e.contains("1024"), "{e}");
    assert!(!rig.dir().join("big.txt").exists());
    rig.call(
        &tool,
        json!({"path": "ok.txt", "content": "x".repeat(1024)}),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn write_read_round_trip_has_the_same_hash_as_sha256_file() {
    let rig = Rig::new();
    let out = rig
        .call(
            &FsWrite::default(),
            json!({"path": "./notes//day1/report.md", "content": "# Report\n"}),
        )
        .await
        .unwrap();
    let file = rig.dir().join("notes/day1/report.md");
    let sha = sha256_file(&file).unwrap();
    assert_eq!(out.content["path"], "notes/day1/report.md");
    assert_eq!(out.content["bytes"], 9);
    assert_eq!(out.content["sha256"], sha.as_str());
    assert_eq!(
        out.evidence,
        vec![Evidence::File {
            path: "task-1/notes/day1/report.md".into(),
            sha256: sha.clone(),
        }]
    );
    let read = rig
        .call(&FsRead, json!({"path": "notes/day1/report.md"}))
        .await
        .unwrap();
    assert_eq!(read.content["content"], "# Report\n");
    assert_eq!(read.content["sha256"], sha.as_str());
    // Append, then replace: the hash follows the file each time; no temporary files remain.
    let out = rig
        .call(
            &FsWrite::default(),
            json!({"path": "notes/day1/report.md", "content": "more\n", "append": true}),
        )
        .await
        .unwrap();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "# Report\nmore\n");
    assert_eq!(out.content["sha256"], sha256_file(&file).unwrap().as_str());
    assert_eq!(out.content["size"], 14);
    let out = rig
        .call(
            &FsWrite::default(),
            json!({"path": "notes/day1/report.md", "content": "v2"}),
        )
        .await
        .unwrap();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "v2");
    assert_eq!(out.content["sha256"], sha256_file(&file).unwrap().as_str());
    let listed = rig
        .call(&FsList, json!({"recursive": true}))
        .await
        .unwrap()
        .content;
    assert_eq!(
        listed["entries"],
        json!([
            {"path": "notes", "type": "dir", "size": null},
            {"path": "notes/day1", "type": "dir", "size": null},
            {"path": "notes/day1/report.md", "type": "file", "size": 2},
        ])
    );
}

#[tokio::test]
async fn listings_are_sorted_and_capped() {
    let rig = Rig::new();
    for i in (0..20).rev() {
        std::fs::write(rig.dir().join(format!("f{i:02}")), "x").unwrap();
    }
    std::fs::create_dir(rig.dir().join("d")).unwrap();
    std::fs::write(rig.dir().join("d/inner"), "yy").unwrap();
    let out = rig
        .call(&FsList, json!({"max_entries": 5}))
        .await
        .unwrap()
        .content;
    assert_eq!(out["truncated"], true);
    let paths: Vec<&str> = out["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["d", "f00", "f01", "f02", "f03"]);
    let out = rig
        .call(&FsList, json!({"path": "d"}))
        .await
        .unwrap()
        .content;
    assert_eq!(out["truncated"], false);
    assert_eq!(
        out["entries"],
        json!([{"path": "d/inner", "type": "file", "size": 2}])
    );
    let out = rig
        .call(&FsList, json!({"recursive": true, "max_entries": 100000}))
        .await
        .unwrap()
        .content;
    assert_eq!(out["count"], 22);
    let e = rig.model_error(&FsList, json!({"bogus": 1})).await;
    assert!(e.contains("unknown field"), "{e}");
}
