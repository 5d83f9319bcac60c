//! The one handler registry: kind (or explicit alias) → handler. A kind that is not here cannot
//! be enqueued and is never claimed; an input its kind refuses cannot be enqueued either.

use crate::handler::Handler;
use crate::input::InputError;
use juggernaut_core::TaskKind;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What the registry refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// A kind no handler serves.
    #[error("no handler serves task kind `{kind}` (known kinds: {known})")]
    UnknownKind {
        /// The kind asked for.
        kind: String,
        /// The kinds that exist.
        known: String,
    },
    /// An input the kind refuses.
    #[error("invalid input for `{kind}`: {error}")]
    BadInput {
        /// The kind.
        kind: String,
        /// What is wrong, and where.
        error: InputError,
    },
    /// A kind this binary has, but whose handler the configuration leaves out (an LLM kind
    /// without a provider).
    #[error("task kind `{kind}` is not available: {reason}")]
    Unavailable {
        /// The kind asked for.
        kind: String,
        /// What it needs.
        reason: String,
    },
    /// Two handlers claim a name, or a name is not a valid kind: the registry cannot be built.
    #[error("{0}")]
    Conflict(String),
}

/// Handlers by kind and alias.
#[derive(Clone)]
pub struct Registry {
    by_name: BTreeMap<&'static str, Arc<dyn Handler>>,
    absent: BTreeMap<&'static str, String>,
}

impl Registry {
    /// A registry of `handlers`; a name claimed twice, or not a valid kind, is refused.
    pub fn new(handlers: Vec<Arc<dyn Handler>>) -> Result<Self, RegistryError> {
        let mut by_name = BTreeMap::new();
        for h in handlers {
            for name in std::iter::once(h.kind()).chain(h.aliases().iter().copied()) {
                TaskKind::new(name).map_err(|e| RegistryError::Conflict(e.to_string()))?;
                if by_name.insert(name, h.clone()).is_some() {
                    return Err(RegistryError::Conflict(format!(
                        "two handlers claim the task kind `{name}`"
                    )));
                }
            }
        }
        Ok(Self {
            by_name,
            absent: BTreeMap::new(),
        })
    }

    /// The same registry, naming kinds that exist but are left out and why (so that asking
    /// for one says what it needs instead of that it is unknown).
    pub fn with_unavailable(mut self, absent: Vec<(&'static str, String)>) -> Self {
        for (kind, reason) in absent {
            if !self.by_name.contains_key(kind) {
                self.absent.insert(kind, reason);
            }
        }
        self
    }

    /// The handler for a kind or alias.
    pub fn get(&self, kind: &str) -> Option<&Arc<dyn Handler>> {
        self.by_name.get(kind)
    }

    /// Every name that routes somewhere (kinds and aliases), sorted.
    pub fn names(&self) -> Vec<&'static str> {
        self.by_name.keys().copied().collect()
    }

    /// Every distinct handler, by kind.
    pub fn handlers(&self) -> Vec<&Arc<dyn Handler>> {
        self.by_name
            .iter()
            .filter(|(name, h)| **name == h.kind())
            .map(|(_, h)| h)
            .collect()
    }

    /// Validates a kind for enqueueing: it must be a valid name and some handler must serve it.
    pub fn check(&self, kind: &str) -> Result<TaskKind, RegistryError> {
        if let Some(reason) = self.absent.get(kind) {
            return Err(RegistryError::Unavailable {
                kind: kind.to_owned(),
                reason: reason.clone(),
            });
        }
        let unknown = || RegistryError::UnknownKind {
            kind: kind.to_owned(),
            known: self.names().join(", "),
        };
        let parsed = TaskKind::new(kind).map_err(|_| unknown())?;
        if self.by_name.contains_key(kind) {
            Ok(parsed)
        } else {
            Err(unknown())
        }
    }

    /// Validates a kind to look for (list filters): a served kind, or one this binary has but
    /// the configuration leaves out (its tasks may exist from another configuration).
    pub fn check_known(&self, kind: &str) -> Result<TaskKind, RegistryError> {
        match self.check(kind) {
            Err(RegistryError::Unavailable { .. }) => {
                TaskKind::new(kind).map_err(|e| RegistryError::Conflict(e.to_string()))
            }
            other => other,
        }
    }

    /// Validates a task to enqueue: a served kind and an input that kind accepts.
    pub fn check_task(
        &self,
        kind: &str,
        input: &serde_json::Value,
    ) -> Result<TaskKind, RegistryError> {
        let parsed = self.check(kind)?;
        if let Some(h) = self.get(kind) {
            h.input()
                .check(input)
                .map_err(|error| RegistryError::BadInput {
                    kind: kind.to_owned(),
                    error,
                })?;
        }
        Ok(parsed)
    }

    /// The kinds to claim for `wanted`: each wanted name that has a handler, with that
    /// handler's kind and every alias of it (a task enqueued as `code_fix` is claimed wherever
    /// `code` is served), sorted and without repeats.
    pub fn served(&self, wanted: &[String]) -> Vec<TaskKind> {
        let mut names: Vec<&str> = wanted
            .iter()
            .filter_map(|k| self.by_name.get(k.as_str()))
            .flat_map(|h| std::iter::once(h.kind()).chain(h.aliases().iter().copied()))
            .collect();
        names.sort_unstable();
        names.dedup();
        names
            .into_iter()
            .filter_map(|k| TaskKind::new(k).ok())
            .collect()
    }

    /// Every served name as task kinds.
    pub fn all_kinds(&self) -> Vec<TaskKind> {
        self.by_name
            .keys()
            .filter_map(|k| TaskKind::new(k).ok())
            .collect()
    }
}
