//! Task input from the command line: `--input` as JSON text, `@FILE` or `-` (standard input), and
//! the lines of `task enqueue --from FILE|-` (JSON Lines, one task per line). Reading is bounded
//! so that a huge file is refused without being read whole; the size limit itself is the
//! store's ([`juggernaut_core::task::MAX_INPUT_BYTES`], enforced by `NewTask::validate`).

use crate::exit::BadInput;
use juggernaut_core::task::MAX_INPUT_BYTES;
use std::io::{BufRead, Read};

/// Most bytes of JSON text read for one `--input` (whitespace may make the text larger than the
/// stored form, so this is looser than the stored limit).
const MAX_TEXT_BYTES: u64 = 4 * MAX_INPUT_BYTES as u64;

/// Most bytes of one line of a `--from` file.
const MAX_LINE_BYTES: u64 = MAX_TEXT_BYTES;

/// The `--input` value as JSON: the text itself, the contents of `@FILE`, or standard input
/// for `-`.
pub fn json_value(arg: &str) -> anyhow::Result<serde_json::Value> {
    let (text, from) = match arg {
        "-" => (
            read_bounded(std::io::stdin().lock(), "standard input")?,
            "standard input".to_owned(),
        ),
        a if a.starts_with('@') => {
            let path = &a[1..];
            let file = std::fs::File::open(path)
                .map_err(|e| BadInput(format!("--input {a}: cannot read {path}: {e}")))?;
            (read_bounded(file, path)?, path.to_owned())
        }
        a => (a.to_owned(), "--input".to_owned()),
    };
    serde_json::from_str(&text)
        .map_err(|e| BadInput(format!("--input is not valid JSON ({from}): {e}")).into())
}

fn read_bounded(reader: impl Read, what: &str) -> anyhow::Result<String> {
    let mut text = String::new();
    reader
        .take(MAX_TEXT_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| BadInput(format!("--input: cannot read {what}: {e}")))?;
    if text.len() as u64 > MAX_TEXT_BYTES {
        return Err(too_large(what).into());
    }
    Ok(text)
}

fn too_large(what: &str) -> BadInput {
    BadInput(format!(
        "{what} is over {MAX_TEXT_BYTES} bytes: a task's input may be at most {MAX_INPUT_BYTES} bytes once serialized"
    ))
}

/// Lines of a `--from` source with their 1-based numbers; blank lines are skipped.
pub struct Lines {
    reader: Box<dyn BufRead>,
    what: String,
    number: usize,
}

impl Lines {
    /// Opens `FILE`, or standard input for `-`.
    pub fn open(source: &str) -> anyhow::Result<Self> {
        let reader: Box<dyn BufRead> = if source == "-" {
            Box::new(std::io::BufReader::new(std::io::stdin()))
        } else {
            let file = std::fs::File::open(source)
                .map_err(|e| BadInput(format!("--from: cannot read {source}: {e}")))?;
            Box::new(std::io::BufReader::new(file))
        };
        let what = if source == "-" {
            "standard input"
        } else {
            source
        };
        Ok(Self {
            reader,
            what: what.to_owned(),
            number: 0,
        })
    }

    /// The next non-blank line and its number, or `None` at the end.
    pub fn next_line(&mut self) -> anyhow::Result<Option<(usize, String)>> {
        loop {
            let mut line = Vec::new();
            let read = (&mut self.reader)
                .take(MAX_LINE_BYTES + 1)
                .read_until(b'\n', &mut line)
                .map_err(|e| BadInput(format!("--from: cannot read {}: {e}", self.what)))?;
            if read == 0 {
                return Ok(None);
            }
            self.number += 1;
            if line.len() as u64 > MAX_LINE_BYTES {
                return Err(BadInput(format!(
                    "{} line {}: over {MAX_LINE_BYTES} bytes",
                    self.what, self.number
                ))
                .into());
            }
            let text = String::from_utf8(line).map_err(|_| {
                BadInput(format!(
                    "{} line {}: not UTF-8 text",
                    self.what, self.number
                ))
            })?;
            if !text.trim().is_empty() {
                return Ok(Some((self.number, text)));
            }
        }
    }

    /// What is being read, for messages.
    pub fn name(&self) -> &str {
        &self.what
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_forms_are_read_and_named() {
        assert_eq!(json_value(r#"{"a":1}"#).unwrap()["a"], 1);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.json");
        std::fs::write(&path, r#"{"b": [1, 2]}"#).unwrap();
        let at = format!("@{}", path.display());
        assert_eq!(json_value(&at).unwrap()["b"][1], 2);
        let missing = json_value("@/nonexistent/x.json").unwrap_err().to_string();
        assert!(
            missing.contains("cannot read /nonexistent/x.json"),
            "{missing}"
        );
        std::fs::write(&path, "{nope").unwrap();
        assert!(
            json_value(&at)
                .unwrap_err()
                .to_string()
                .contains("not valid JSON")
        );
    }

    #[test]
    fn oversized_text_is_refused_without_reading_it_all() {
        let big = std::io::repeat(b' ').take(MAX_TEXT_BYTES * 3);
        let err = read_bounded(big, "big.json").unwrap_err().to_string();
        assert!(err.contains("big.json is over"), "{err}");
    }
}
