//! Secrets the configuration names: read from an environment variable or a file (relative to
//! the config file's folder), trimmed, never from the file itself. One reader for every key that
//! names a secret (`api_key_env`/`api_key_file`, the tools' `*_env` keys).

use std::path::Path;

/// The secret `env` or `file` names (`None` when neither is given). The error names the key
/// (`env_key`, `file_key`) and the variable or path, never a value.
pub fn read(
    env: Option<&str>,
    file: Option<&Path>,
    base: &Path,
    env_key: &str,
    file_key: &str,
) -> Result<Option<String>, String> {
    match (env, file) {
        (Some(_), Some(_)) => Err(format!("set {env_key} or {file_key}, not both")),
        (Some(var), None) => match std::env::var(var) {
            Ok(v) if !v.trim().is_empty() => Ok(Some(v.trim().to_owned())),
            _ => Err(format!(
                "the environment variable {var} ({env_key}) is not set"
            )),
        },
        (None, Some(path)) => {
            let path = if path.is_absolute() {
                path.to_path_buf()
            } else {
                base.join(path)
            };
            std::fs::read_to_string(&path)
                .map(|s| Some(s.trim().to_owned()))
                .map_err(|e| format!("cannot read {file_key} {}: {e}", path.display()))
        }
        (None, None) => Ok(None),
    }
}
