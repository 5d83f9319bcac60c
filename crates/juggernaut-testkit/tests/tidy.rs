//! Keeps the architecture ARCHITECTURE.md describes true: every Rust file says what it owns in a
//! module doc, only the CLI reads the environment, crates depend on each other only in the
//! documented direction, and no source file grows past 400 lines.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Longest file, in lines.
const MAX_LINES: usize = 400;

/// Each crate's allowed `juggernaut-*` dependencies (normal dependencies, not dev ones).
fn allowed() -> BTreeMap<&'static str, Vec<&'static str>> {
    let store = vec!["juggernaut-core", "juggernaut-store"];
    let with = |extra: &[&'static str]| {
        let mut v = store.clone();
        v.extend_from_slice(extra);
        v
    };
    BTreeMap::from([
        ("juggernaut-core", vec![]),
        ("juggernaut-store", vec!["juggernaut-core"]),
        ("juggernaut-store-sqlite", store.clone()),
        ("juggernaut-store-postgres", store.clone()),
        ("juggernaut-tools", with(&["juggernaut-llm"])),
        ("juggernaut-tools-net", with(&["juggernaut-tools"])),
        ("juggernaut-tools-git", with(&["juggernaut-tools"])),
        ("juggernaut-mcp", with(&["juggernaut-tools"])),
        ("juggernaut-handler", with(&["juggernaut-tools"])),
        (
            "juggernaut-handlers",
            with(&[
                "juggernaut-handler",
                "juggernaut-llm",
                "juggernaut-report",
                "juggernaut-tools",
            ]),
        ),
        (
            "juggernaut-engine",
            with(&["juggernaut-handler", "juggernaut-tools"]),
        ),
        (
            "juggernaut-app",
            with(&["juggernaut-handler", "juggernaut-report"]),
        ),
        ("juggernaut-llm", store.clone()),
        // The executive report: gathered through the read traits, rendered; no I/O of its own.
        ("juggernaut-report", store.clone()),
        (
            "juggernaut-planner",
            with(&["juggernaut-handler", "juggernaut-llm"]),
        ),
        (
            "juggernaut-server",
            with(&["juggernaut-app", "juggernaut-engine", "juggernaut-handler"]),
        ),
        // Data sources (metrics and the `sql_query` tool): the store only for URL redaction.
        ("juggernaut-sources", with(&["juggernaut-tools"])),
        (
            "juggernaut-testkit",
            with(&["juggernaut-store-postgres", "juggernaut-store-sqlite"]),
        ),
        (
            "juggernaut-cli",
            with(&[
                "juggernaut-app",
                "juggernaut-engine",
                "juggernaut-handler",
                "juggernaut-handlers",
                "juggernaut-llm",
                "juggernaut-planner",
                "juggernaut-server",
                "juggernaut-sources",
                "juggernaut-store-postgres",
                "juggernaut-store-sqlite",
                "juggernaut-tools",
                "juggernaut-tools-git",
                "juggernaut-tools-net",
                "juggernaut-mcp",
            ]),
        ),
    ])
}

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Every crate folder with its Rust files under `src` and `tests`.
fn crates() -> Vec<(String, PathBuf, Vec<PathBuf>)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(crates_dir()).unwrap().flatten() {
        let dir = e.path();
        if !dir.join("Cargo.toml").exists() {
            continue;
        }
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let mut files = Vec::new();
        rust_files(&dir.join("src"), &mut files);
        rust_files(&dir.join("tests"), &mut files);
        out.push((name, dir, files));
    }
    out.sort();
    out
}

#[test]
fn every_file_has_a_module_doc_and_stays_small() {
    let mut missing = Vec::new();
    let mut long = Vec::new();
    for (_, _, files) in crates() {
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            if !text.trim_start().starts_with("//!") {
                missing.push(f.display().to_string());
            }
            let lines = text.lines().count();
            if lines > MAX_LINES {
                long.push(format!("{} ({lines} lines)", f.display()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "files without a `//!` module doc: {missing:#?}"
    );
    assert!(long.is_empty(), "files over {MAX_LINES} lines: {long:#?}");
}

#[test]
fn only_the_cli_reads_the_environment() {
    let mut readers = Vec::new();
    for (name, dir, files) in crates() {
        if name == "juggernaut-cli" || name == "juggernaut-testkit" {
            continue;
        }
        for f in files.iter().filter(|f| f.starts_with(dir.join("src"))) {
            let text = std::fs::read_to_string(f).unwrap();
            // Test modules at the bottom of a file may set up what they like.
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            // Finding programs on PATH (the shell sandbox, git) and handing a fixed list of
            // variables to an MCP server's process (`INHERITED`) are not configuration.
            let code = code
                .replace("env::var_os(\"PATH\")", "")
                .replace("for key in INHERITED {\n                    if let Some(v) = std::env::var_os(key)", "");
            for needle in ["env::var", "env::vars", "env::set_var"] {
                if code.contains(needle) {
                    readers.push(format!("{} reads `{needle}`", f.display()));
                }
            }
        }
    }
    assert!(
        readers.is_empty(),
        "only the CLI reads the environment: {readers:#?}"
    );
}

#[test]
fn crates_depend_only_in_the_documented_direction() {
    let allowed = allowed();
    let mut seen = BTreeSet::new();
    for (name, dir, _) in crates() {
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        let deps = manifest
            .split("\n[dependencies]\n")
            .nth(1)
            .unwrap_or_default()
            .split("\n[")
            .next()
            .unwrap_or_default();
        let used: Vec<&str> = deps
            .lines()
            .filter_map(|l| l.split(['.', ' ', '=']).next())
            .filter(|d| d.starts_with("juggernaut-"))
            .collect();
        let Some(ok) = allowed.get(name.as_str()) else {
            panic!("crate {name} is not in the tidy test's dependency map (and ARCHITECTURE.md?)");
        };
        for d in used {
            assert!(
                ok.contains(&d),
                "{name} depends on {d}, against the documented direction"
            );
        }
        seen.insert(name);
    }
    let mapped: BTreeSet<String> = allowed.keys().map(|k| k.to_string()).collect();
    assert_eq!(seen, mapped, "every crate in the map exists");
}
