//! The one tool registry: name → tool. It yields both the dispatch table and the specs shown to a
//! model, so the two can never disagree (codex-rs's shape). A name claimed twice, or not a valid
//! tool name, is refused when the registry is built.

use crate::tool::{Permission, Tool};
use juggernaut_llm::ToolSpec;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Longest tool name (the OpenAI API's limit).
pub const MAX_NAME: usize = 64;

/// Why the registry cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// Two tools claim a name.
    #[error("two tools claim the name `{0}`")]
    Duplicate(String),
    /// A name a model API would refuse.
    #[error("tool name `{0}` is invalid: use 1-64 characters from A-Z, a-z, 0-9, `_` and `-`")]
    BadName(String),
}

/// Tools by name.
#[derive(Clone, Default)]
pub struct ToolRegistry {
    by_name: BTreeMap<String, Arc<dyn Tool>>,
}

impl std::fmt::Debug for ToolRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.by_name.keys()).finish()
    }
}

/// Whether a model API accepts `name` as a tool name.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl ToolRegistry {
    /// A registry of `tools`.
    pub fn new(tools: Vec<Arc<dyn Tool>>) -> Result<Self, RegistryError> {
        let mut reg = Self::default();
        for t in tools {
            reg.add(t)?;
        }
        Ok(reg)
    }

    /// Adds one tool.
    pub fn add(&mut self, tool: Arc<dyn Tool>) -> Result<(), RegistryError> {
        let name = tool.name().to_owned();
        if !valid_name(&name) {
            return Err(RegistryError::BadName(name));
        }
        if self.by_name.contains_key(&name) {
            return Err(RegistryError::Duplicate(name));
        }
        self.by_name.insert(name, tool);
        Ok(())
    }

    /// The tool called `name`.
    pub fn get(&self, name: &str) -> Option<&Arc<dyn Tool>> {
        self.by_name.get(name)
    }

    /// Every name, sorted.
    pub fn names(&self) -> Vec<&str> {
        self.by_name.keys().map(String::as_str).collect()
    }

    /// Every tool, by name.
    pub fn tools(&self) -> impl Iterator<Item = &Arc<dyn Tool>> {
        self.by_name.values()
    }

    /// The specs of the tools named in `only` (all when `None`) whose permission is in
    /// `allowed`, for a model. Unknown names are left out (the caller checked them).
    pub fn specs(&self, only: Option<&[String]>, allowed: &[Permission]) -> Vec<ToolSpec> {
        self.by_name
            .values()
            .filter(|t| only.is_none_or(|names| names.iter().any(|n| n == t.name())))
            .filter(|t| allowed.contains(&t.permission()))
            .map(|t| ToolSpec {
                name: t.name().to_owned(),
                description: t.description().to_owned(),
                parameters: t.parameters(),
            })
            .collect()
    }

    /// The names in `wanted` that no tool has.
    pub fn unknown<'a>(&self, wanted: &'a [String]) -> Vec<&'a str> {
        wanted
            .iter()
            .filter(|n| !self.by_name.contains_key(n.as_str()))
            .map(String::as_str)
            .collect()
    }
}
