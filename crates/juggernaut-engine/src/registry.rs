//! The one handler registry: kind (or explicit alias) → handler. A kind that is not here cannot
//! be enqueued and is never claimed.

use crate::error::EngineError;
use crate::handler::Handler;
use crate::handlers;
use juggernaut_core::TaskKind;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Every built-in handler, in alphabetical order of kind.
pub fn builtin() -> Vec<Arc<dyn Handler>> {
    vec![
        Arc::new(handlers::maintenance::Maintenance),
        Arc::new(handlers::noop::Noop),
    ]
}

/// Handlers by kind and alias.
#[derive(Clone)]
pub struct Registry {
    by_name: BTreeMap<&'static str, Arc<dyn Handler>>,
}

impl Registry {
    /// A registry of `handlers`. Panics in tests only: a duplicate name is a programming error,
    /// reported here as an `Err` so the binary can refuse to start.
    pub fn new(handlers: Vec<Arc<dyn Handler>>) -> Result<Self, String> {
        let mut by_name = BTreeMap::new();
        for h in handlers {
            for name in std::iter::once(h.kind()).chain(h.aliases().iter().copied()) {
                TaskKind::new(name).map_err(|e| e.to_string())?;
                if by_name.insert(name, h.clone()).is_some() {
                    return Err(format!("two handlers claim the task kind `{name}`"));
                }
            }
        }
        Ok(Self { by_name })
    }

    /// The built-in registry.
    pub fn builtin() -> Result<Self, String> {
        Self::new(builtin())
    }

    /// The handler for a kind or alias.
    pub fn get(&self, kind: &str) -> Option<&Arc<dyn Handler>> {
        self.by_name.get(kind)
    }

    /// Every name that routes somewhere (kinds and aliases), sorted.
    pub fn names(&self) -> Vec<&'static str> {
        self.by_name.keys().copied().collect()
    }

    /// Validates a kind for enqueueing: it must be a valid name and some handler must serve it.
    pub fn check(&self, kind: &str) -> Result<TaskKind, EngineError> {
        let known = || self.names().join(", ");
        let parsed = TaskKind::new(kind).map_err(|_| EngineError::UnknownKind {
            kind: kind.to_owned(),
            known: known(),
        })?;
        if self.by_name.contains_key(kind) {
            Ok(parsed)
        } else {
            Err(EngineError::UnknownKind {
                kind: kind.to_owned(),
                known: known(),
            })
        }
    }

    /// The subset of `wanted` that has handlers, as task kinds (for claiming).
    pub fn served(&self, wanted: &[String]) -> Vec<TaskKind> {
        wanted
            .iter()
            .filter(|k| self.by_name.contains_key(k.as_str()))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_names_are_unique_sorted_and_described() {
        let list = builtin();
        let kinds: Vec<_> = list.iter().map(|h| h.kind()).collect();
        let mut sorted = kinds.clone();
        sorted.sort();
        assert_eq!(kinds, sorted, "keep builtin() alphabetical");
        let reg = Registry::builtin().unwrap();
        for h in &list {
            assert!(!h.description().is_empty());
            assert!(reg.get(h.kind()).is_some());
        }
    }

    #[test]
    fn duplicate_names_are_refused() {
        let dup = Registry::new(vec![
            Arc::new(handlers::noop::Noop),
            Arc::new(handlers::noop::Noop),
        ]);
        assert_eq!(
            dup.err().unwrap(),
            "two handlers claim the task kind `noop`"
        );
    }

    #[test]
    fn unknown_kind_is_refused_with_known_list() {
        let reg = Registry::builtin().unwrap();
        assert!(reg.check("noop").is_ok());
        let err = reg.check("phone").unwrap_err();
        assert_eq!(
            err.to_string(),
            "no handler serves task kind `phone` (known kinds: maintenance, noop)"
        );
        assert!(err.is_bad_input());
        assert!(reg.check("Not A Kind").is_err());
        assert_eq!(reg.served(&["noop".into(), "code".into()]).len(), 1);
    }
}
