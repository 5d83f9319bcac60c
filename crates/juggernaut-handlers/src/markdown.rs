//! Markdown for the report-writing handlers (`analysis`, `report`): escaped table cells, tables,
//! code blocks that cannot be closed early, slugs for file names, the check that a report path
//! stays inside the task's workspace, and writing the report through `fs_write` (whose `File`
//! evidence, path and hash, is what proves it was written).

use crate::calls::{self, Called};
use juggernaut_core::Evidence;
use juggernaut_handler::{Done, HandlerError, TaskContext};
use juggernaut_tools::Permission;
use serde_json::{Value, json};

/// Longest report path.
pub const MAX_PATH: usize = 300;

/// A table cell: `|` escaped, line breaks as `<br>`, other control characters as spaces, and
/// cut to `max` characters.
pub fn cell(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut chars = 0;
    let mut rest = text.trim().chars().peekable();
    while let Some(c) = rest.next() {
        if chars == max {
            out.push('…');
            break;
        }
        chars += 1;
        match c {
            '|' => out.push_str("\\|"),
            '\r' if rest.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push_str("<br>"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A JSON value as a cell's text: strings as they are, `null` as empty, others as JSON.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A Markdown table; every cell is escaped and cut to `max` characters.
pub fn table(headers: &[String], rows: &[Vec<String>], max: usize) -> String {
    let line = |cells: &mut dyn Iterator<Item = &String>| {
        let cells: Vec<String> = cells.map(|c| cell(c, max)).collect();
        format!("| {} |\n", cells.join(" | "))
    };
    let mut out = line(&mut headers.iter());
    out.push_str(&format!("|{}\n", " --- |".repeat(headers.len().max(1))));
    for row in rows {
        out.push_str(&line(&mut row.iter()));
    }
    out
}

/// A fenced code block whose fence is longer than any backtick run inside `text`.
pub fn code_block(lang: &str, text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}{lang}\n{}\n{fence}\n", text.trim_end())
}

/// A file-name slug: lowercase letters and digits, other runs as one `-`, at most 80 bytes;
/// `report` when nothing is left.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 80 {
            break;
        }
    }
    let out = out.trim_matches('-');
    if out.is_empty() {
        "report".into()
    } else {
        out.to_owned()
    }
}

/// Checks a file path inside the task's workspace: relative, no `..`, a file name at the end,
/// printable, at most [`MAX_PATH`] bytes. The error names `field`.
pub fn check_path(field: &str, path: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("`{field}`: `{path}` {why}"));
    if path.trim().is_empty() || path.len() > MAX_PATH {
        return bad(&format!("must be 1-{MAX_PATH} bytes"));
    }
    if path.chars().any(char::is_control) {
        return bad("holds control characters");
    }
    if path.starts_with('/') || path.starts_with('\\') || path.contains(':') {
        return bad("must be relative to the task's workspace");
    }
    if path.split(['/', '\\']).any(|part| part == "..") {
        return bad("may not climb with `..`");
    }
    if path.ends_with('/')
        || path
            .split('/')
            .next_back()
            .is_some_and(|f| f.is_empty() || f == ".")
    {
        return bad("must end with a file name");
    }
    Ok(())
}

/// A relative path as `fs_write` names it: its parts joined by `/`, `.` and empty parts dropped.
pub fn normalized(path: &str) -> String {
    path.split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// Writes `content` to `path` in the task's workspace through `fs_write`.
pub async fn write_report(
    ctx: &TaskContext,
    path: &str,
    content: &str,
) -> Result<Called, HandlerError> {
    let args = json!({ "path": path, "content": content });
    calls::call(
        ctx,
        "fs_write",
        args,
        &[Permission::Write],
        &format!("writing `{path}`"),
    )
    .await
}

/// Whether `done` carries a `File` evidence for `path` (evidence paths start with the
/// workspace's name).
pub fn has_file(done: &Done, path: &str) -> bool {
    let want = normalized(path);
    done.evidence.iter().any(|e| match e {
        Evidence::File { path: have, .. } => *have == want || have.ends_with(&format!("/{want}")),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cells_are_escaped_and_cut() {
        assert_eq!(cell("a|b\r\nc\td", 20), "a\\|b<br>c d");
        assert_eq!(cell("abcdef", 3), "abc…");
        assert_eq!(value_text(&json!(null)), "");
        assert_eq!(value_text(&json!("x")), "x");
        assert_eq!(value_text(&json!(1.5)), "1.5");
    }

    #[test]
    fn tables_and_code_blocks_hold_their_content() {
        let t = table(
            &["a".into(), "b|c".into()],
            &[vec!["1".into(), "x\ny".into()]],
            50,
        );
        assert_eq!(t, "| a | b\\|c |\n| --- | --- |\n| 1 | x<br>y |\n");
        assert_eq!(code_block("sql", "SELECT 1\n"), "```sql\nSELECT 1\n```\n");
        assert!(code_block("", "a ```` b").starts_with("`````\n"));
    }

    #[test]
    fn slugs_and_paths() {
        assert_eq!(slug("Q3 Revenue: by Region!"), "q3-revenue-by-region");
        assert_eq!(slug("!!!"), "report");
        assert!(slug(&"x".repeat(200)).len() <= 80);
        assert!(check_path("report_path", "reports/a.md").is_ok());
        assert_eq!(normalized("./reports//a.md"), "reports/a.md");
        let done = Done {
            result: json!({}),
            evidence: vec![Evidence::File {
                path: "task-3/reports/a.md".into(),
                sha256: "0".repeat(64),
            }],
        };
        assert!(has_file(&done, "./reports/a.md"));
        assert!(!has_file(&done, "a.md/x"));
        assert!(!has_file(&done, "ports/a.md"));
        for bad in ["", "/etc/x", "../x", "a/../b", "a/", "c:x", "a\nb", "."] {
            let e = check_path("report_path", bad).unwrap_err();
            assert!(e.starts_with("`report_path`: "), "{bad}: {e}");
        }
    }
}
