//! Output: aligned tables for humans, JSON for scripts (`--json`).

use juggernaut_core::Task;
use serde::Serialize;
use std::borrow::Cow;

/// Text safe to print to a terminal: control characters (newlines, tabs, escape sequences, C1
/// controls) are shown escaped instead of acting, so a title cannot break a table or recolour
/// the screen.
pub fn clean(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Prints `value` as pretty JSON on stdout.
pub fn json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// Renders rows under headers with columns padded to their widest cell.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.len()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(clean(cell).chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{:<w$}", clean(c)))
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    let mut out = line(headers.to_vec());
    for row in rows {
        out.push('\n');
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

/// One table row per task.
pub fn task_rows(tasks: &[Task]) -> Vec<Vec<String>> {
    tasks
        .iter()
        .map(|t| {
            vec![
                t.id.to_string(),
                t.kind.to_string(),
                t.status.to_string(),
                format!("{}/{}", t.attempts, t.max_attempts),
                t.priority.to_string(),
                t.updated_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                t.title.clone(),
            ]
        })
        .collect()
}

/// Headers matching [`task_rows`].
pub const TASK_HEADERS: [&str; 7] = [
    "ID", "KIND", "STATUS", "ATTEMPTS", "PRIORITY", "UPDATED", "TITLE",
];

/// Prints tasks as a table or a JSON array.
pub fn tasks(
    tasks: &[Task],
    as_json: bool,
    cursor: Option<juggernaut_core::TaskId>,
) -> anyhow::Result<()> {
    if as_json {
        return json(tasks);
    }
    if tasks.is_empty() {
        println!("no tasks");
        return Ok(());
    }
    println!("{}", table(&TASK_HEADERS, &task_rows(tasks)));
    if let Some(c) = cursor {
        println!("more: --cursor {c}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align() {
        let t = table(
            &["ID", "NAME"],
            &[
                vec!["1".into(), "a".into()],
                vec!["100".into(), "bb".into()],
            ],
        );
        assert_eq!(t, "ID   NAME\n1    a\n100  bb");
    }

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(clean("a\nb\tc"), "a\\nb\\tc");
        assert_eq!(clean("\u{1b}[31mred"), "\\u{1b}[31mred");
        assert_eq!(clean("\u{9b}x\u{7f}"), "\\u{9b}x\\u{7f}");
        assert!(matches!(clean("plain é"), Cow::Borrowed(_)));
        let t = table(&["T"], &[vec!["x\ny".into()]]);
        assert_eq!(t.lines().count(), 2, "{t}");
    }
}
