//! Task kinds: the name that routes a task to its handler. Validated once, at the edge.

use crate::error::DomainError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A validated task kind such as `noop`, `code` or `analysis`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TaskKind(String);

impl TaskKind {
    /// Validates a kind name: 1-64 of `[a-z0-9_.]`, starting with a letter.
    pub fn new(name: &str) -> Result<Self, DomainError> {
        let ok = (1..=64).contains(&name.len())
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.');
        if ok {
            Ok(Self(name.to_owned()))
        } else {
            Err(DomainError::InvalidKind(name.to_owned()))
        }
    }

    /// The kind's name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TaskKind {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(&s)
    }
}

impl From<TaskKind> for String {
    fn from(k: TaskKind) -> Self {
        k.0
    }
}

impl fmt::Display for TaskKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_names() {
        for ok in ["noop", "code", "experiment_step", "mcp.github", "a1"] {
            assert_eq!(TaskKind::new(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn refuses_bad_names() {
        let long = "a".repeat(65);
        for bad in [
            "",
            "Noop",
            "1abc",
            "has space",
            "dash-ed",
            "_x",
            long.as_str(),
        ] {
            assert_eq!(
                TaskKind::new(bad),
                Err(DomainError::InvalidKind(bad.to_owned()))
            );
        }
    }

    #[test]
    fn deserializing_validates() {
        assert!(serde_json::from_str::<TaskKind>("\"noop\"").is_ok());
        assert!(serde_json::from_str::<TaskKind>("\"NOPE\"").is_err());
    }
}
