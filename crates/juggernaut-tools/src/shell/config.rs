//! The shell tool's configuration (`[tools.shell]`): time limits, output caps, resource limits,
//! network access and which sandbox to use.

use serde::{Deserialize, Serialize};

/// Which sandbox commands run in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SandboxMode {
    /// Bubblewrap when it is installed and works here, otherwise resource limits only (with a
    /// warning).
    #[default]
    Auto,
    /// Bubblewrap or nothing: a call fails when it is not usable.
    Bubblewrap,
    /// Resource limits only: no file system or network isolation.
    Rlimits,
}

impl SandboxMode {
    /// The configured name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Bubblewrap => "bubblewrap",
            Self::Rlimits => "rlimits",
        }
    }
}

/// How the shell tool runs commands.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShellConfig {
    /// Wall-clock limit of a command that does not ask for one, in seconds.
    pub timeout_default_secs: u64,
    /// Longest wall-clock limit a command may ask for, in seconds.
    pub timeout_max_secs: u64,
    /// Bytes of stdout, and separately of stderr, kept from a command.
    pub output_cap_bytes: usize,
    /// Address-space limit of each process, in MiB (0: none).
    pub memory_mb: u64,
    /// Largest file a command may write, in MiB (0: none).
    pub file_size_mb: u64,
    /// Whether commands may use the network (bubblewrap shares the host's network then).
    pub allow_network: bool,
    /// Which sandbox to use.
    pub sandbox: SandboxMode,
}

/// Largest `output_cap_bytes` allowed.
pub const OUTPUT_CAP_MAX: usize = 16 * 1024 * 1024;
/// Longest `timeout_max_secs` allowed.
pub const TIMEOUT_MAX_SECS: u64 = 3600;

impl Default for ShellConfig {
    fn default() -> Self {
        Self {
            timeout_default_secs: 60,
            timeout_max_secs: 240,
            output_cap_bytes: 64 * 1024,
            memory_mb: 4096,
            file_size_mb: 1024,
            allow_network: false,
            sandbox: SandboxMode::Auto,
        }
    }
}

impl ShellConfig {
    /// Checks the values, naming the first that does not fit.
    pub fn validate(&self) -> Result<(), String> {
        let bad = |field: &str, reason: String| Err(format!("tools.shell.{field}: {reason}"));
        if self.timeout_max_secs == 0 || self.timeout_max_secs > TIMEOUT_MAX_SECS {
            return bad(
                "timeout_max_secs",
                format!(
                    "must be 1 to {TIMEOUT_MAX_SECS}, not {}",
                    self.timeout_max_secs
                ),
            );
        }
        if self.timeout_default_secs == 0 || self.timeout_default_secs > self.timeout_max_secs {
            return bad(
                "timeout_default_secs",
                format!(
                    "must be 1 to timeout_max_secs ({}), not {}",
                    self.timeout_max_secs, self.timeout_default_secs
                ),
            );
        }
        if self.output_cap_bytes == 0 || self.output_cap_bytes > OUTPUT_CAP_MAX {
            return bad(
                "output_cap_bytes",
                format!(
                    "must be 1 to {OUTPUT_CAP_MAX}, not {}",
                    self.output_cap_bytes
                ),
            );
        }
        if self.memory_mb != 0 && !(16..=1 << 30).contains(&self.memory_mb) {
            return bad(
                "memory_mb",
                format!(
                    "must be 0 (no limit) or at least 16, not {}",
                    self.memory_mb
                ),
            );
        }
        if self.file_size_mb > 1 << 30 {
            return bad(
                "file_size_mb",
                format!("must be at most {}, not {}", 1u64 << 30, self.file_size_mb),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_partial_config_and_refuses_unknown_fields() {
        let c: ShellConfig = serde_json::from_value(
            serde_json::json!({"timeout_default_secs": 5, "sandbox": "rlimits"}),
        )
        .unwrap();
        assert_eq!(c.timeout_default_secs, 5);
        assert_eq!(c.sandbox, SandboxMode::Rlimits);
        assert_eq!(c.output_cap_bytes, ShellConfig::default().output_cap_bytes);
        assert!(c.validate().is_ok());
        let e =
            serde_json::from_value::<ShellConfig>(serde_json::json!({"timeout": 5})).unwrap_err();
        assert!(e.to_string().contains("unknown field `timeout`"), "{e}");
        assert!(
            serde_json::from_value::<ShellConfig>(serde_json::json!({"sandbox": "docker"}))
                .is_err()
        );
    }

    #[test]
    fn validate_names_the_field() {
        let c = ShellConfig {
            timeout_default_secs: 500,
            ..ShellConfig::default()
        };
        assert!(c.validate().unwrap_err().contains("timeout_default_secs"));
        let c = ShellConfig {
            output_cap_bytes: 0,
            ..ShellConfig::default()
        };
        assert!(c.validate().unwrap_err().contains("output_cap_bytes"));
        assert!(ShellConfig::default().validate().is_ok());
    }
}
