//! What is wrong with a network tool's configuration, found when the tool is made (at start-up),
//! not when the model first calls it.

/// A configuration value that cannot work. Never holds a secret: the reason names the key and
/// what is wrong with it, not the value when the value may carry credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{key}`: {reason}")]
pub struct ConfigError {
    /// The configuration key, e.g. `tools.http.allow_hosts[2]`.
    pub key: String,
    /// What is wrong.
    pub reason: String,
}

impl ConfigError {
    /// An error about `key`.
    pub fn new(key: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            reason: reason.into(),
        }
    }
}

/// Checks a time limit in seconds (1 to 600).
pub(crate) fn check_timeout(key: &str, secs: u64) -> Result<std::time::Duration, ConfigError> {
    if (1..=600).contains(&secs) {
        Ok(std::time::Duration::from_secs(secs))
    } else {
        Err(ConfigError::new(
            key,
            format!("{secs} is out of range: give 1 to 600 seconds"),
        ))
    }
}

/// Checks a size limit (at least 1).
pub(crate) fn check_size(key: &str, n: usize) -> Result<usize, ConfigError> {
    if n == 0 {
        Err(ConfigError::new(key, "must be at least 1"))
    } else {
        Ok(n)
    }
}
