//! MCP servers as configured (`[mcp.NAME]`): a program run as a child that speaks MCP on its
//! stdin and stdout (`command`, `args`, `env`, `env_from`), or a streamable HTTP endpoint
//! (`url`, `headers`, `header_env`). The name is the prefix of the server's tools.
//!
//! Secrets are named, not written: `env_from` maps a child's variable to the variable of our
//! environment that holds its value, `header_env` a header to one. This crate reads no
//! environment: [`McpServerConfig::resolve`] fills them in from a lookup the binary gives, and
//! only a resolved configuration connects. Values written inline in `env` are not secrets (use
//! `env_from` for those); header values are. [`McpServerConfig::secrets`] lists the secrets
//! for redaction, and `Debug` output shows no value of `env` or `headers`.

use crate::McpError;
use juggernaut_store::url::redact;
use juggernaut_tools::Redactor;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

mod resolve;

/// How long connecting, listing tools, or one call may take unless `timeout_secs` says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The longest `timeout_secs`.
pub const MAX_TIMEOUT_SECS: u64 = 3600;

/// The longest server name (the name and `__` prefix every tool name, at most 64 characters).
pub const MAX_SERVER_NAME: usize = 32;

/// Headers the HTTP transport sets itself.
const RESERVED_HEADERS: [&str; 6] = [
    "accept",
    "content-type",
    "content-length",
    "host",
    "mcp-session-id",
    "mcp-protocol-version",
];

/// The configured servers, by name.
pub type McpServerConfigs = BTreeMap<String, McpServerConfig>;

/// One MCP server: either `command` (with `args`, `env`) or `url` (with `headers`).
#[derive(Clone, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct McpServerConfig {
    /// The program to run (a path, or a name looked up on `PATH`).
    #[serde(default)]
    pub command: Option<String>,
    /// Its arguments.
    #[serde(default)]
    pub args: Vec<String>,
    /// Its environment, besides `PATH`, `HOME`, `USER`, `LOGNAME`, `SHELL`, `LANG`, `LC_ALL`,
    /// `LC_CTYPE`, `TERM`, `TMPDIR` and `TZ` taken from ours; nothing else of ours is passed.
    /// These values are not secret (they may be shown): put secrets in `env_from`.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// More of its environment, secret: its variable's name → the name of the variable of our
    /// environment that holds the value (filled into `env` by [`McpServerConfig::resolve`]).
    #[serde(default)]
    pub env_from: BTreeMap<String, String>,
    /// The streamable HTTP endpoint (`http://` or `https://`).
    #[serde(default)]
    pub url: Option<String>,
    /// Headers sent with every request (e.g. `Authorization`); their values are secrets.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// More headers, read from our environment: the header's name → the name of the variable
    /// that holds its value (filled into `headers` by [`McpServerConfig::resolve`]).
    #[serde(default)]
    pub header_env: BTreeMap<String, String>,
    /// Seconds that connecting (with listing the tools) or one call may take (default 60).
    #[serde(default)]
    pub timeout_secs: Option<u64>,
    /// The keys of `env` whose values came from `env_from` (secrets).
    #[serde(skip)]
    secret_env: BTreeSet<String>,
}

/// How a server is reached, from a checked configuration.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Transport<'a> {
    /// A child process speaking MCP on stdin/stdout.
    Stdio {
        /// The program.
        command: &'a str,
        /// Its arguments.
        args: &'a [String],
        /// Its own environment variables.
        env: &'a BTreeMap<String, String>,
    },
    /// A streamable HTTP endpoint.
    Http {
        /// The URL.
        url: &'a str,
        /// Extra headers.
        headers: &'a BTreeMap<String, String>,
    },
}

impl std::fmt::Debug for McpServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys = |m: &BTreeMap<String, String>| m.keys().cloned().collect::<Vec<_>>();
        f.debug_struct("McpServerConfig")
            .field("command", &self.command)
            .field("args", &self.args)
            .field("env", &keys(&self.env))
            .field("env_from", &self.env_from)
            .field("url", &self.url.as_deref().map(redact))
            .field("headers", &keys(&self.headers))
            .field("header_env", &self.header_env)
            .field("timeout_secs", &self.timeout_secs)
            .finish()
    }
}

impl McpServerConfig {
    /// A server run as `command args...`.
    pub fn stdio(command: impl Into<String>, args: impl IntoIterator<Item = String>) -> Self {
        Self {
            command: Some(command.into()),
            args: args.into_iter().collect(),
            ..Self::default()
        }
    }

    /// A server at streamable HTTP endpoint `url`.
    pub fn http(url: impl Into<String>) -> Self {
        Self {
            url: Some(url.into()),
            ..Self::default()
        }
    }

    /// Checks the configuration of server `name` without connecting; says what to change.
    pub fn check(&self, name: &str) -> Result<(), McpError> {
        self.transport(name).map(|_| ())
    }

    /// How the server is reached, if the configuration of server `name` is sound.
    pub fn transport(&self, name: &str) -> Result<Transport<'_>, McpError> {
        let bad = |reason: String| McpError::Config {
            server: name.to_owned(),
            reason,
        };
        if !valid_server_name(name) {
            return Err(bad(format!(
                "a server name must be 1-{MAX_SERVER_NAME} of A-Z, a-z, 0-9, `_` and `-`"
            )));
        }
        if let Some(secs) = self.timeout_secs
            && !(1..=MAX_TIMEOUT_SECS).contains(&secs)
        {
            return Err(bad(format!(
                "timeout_secs must be 1 to {MAX_TIMEOUT_SECS}, not {secs}"
            )));
        }
        match (&self.command, &self.url) {
            (Some(command), None) => {
                if !self.headers.is_empty() || !self.header_env.is_empty() {
                    return Err(bad(
                        "`headers` and `header_env` go with `url`, not `command`".into(),
                    ));
                }
                if command.trim().is_empty() || command.contains('\0') {
                    return Err(bad("`command` is empty".into()));
                }
                if self.args.iter().any(|a| a.contains('\0')) {
                    return Err(bad("an argument holds a NUL character".into()));
                }
                for (k, v) in &self.env {
                    if !valid_var(k) || v.contains('\0') {
                        return Err(bad(format!(
                            "environment variable `{}` is not a valid name (or its value holds NUL)",
                            k.escape_debug()
                        )));
                    }
                }
                for (k, var) in &self.env_from {
                    check_from("env_from", k, var, valid_var(k), self.env.contains_key(k))
                        .map_err(&bad)?;
                }
                Ok(Transport::Stdio {
                    command,
                    args: &self.args,
                    env: &self.env,
                })
            }
            (None, Some(url)) => {
                if !self.args.is_empty() || !self.env.is_empty() || !self.env_from.is_empty() {
                    return Err(bad(
                        "`args`, `env` and `env_from` go with `command`, not `url`".into(),
                    ));
                }
                check_url(url).map_err(&bad)?;
                for (k, v) in &self.headers {
                    check_header(k, v).map_err(&bad)?;
                }
                for (k, var) in &self.header_env {
                    check_header_name(k).map_err(&bad)?;
                    let twice = self.headers.keys().any(|h| h.eq_ignore_ascii_case(k));
                    check_from("header_env", k, var, true, twice).map_err(&bad)?;
                }
                Ok(Transport::Http {
                    url,
                    headers: &self.headers,
                })
            }
            (Some(_), Some(_)) => Err(bad(
                "give either `command` (a program to run) or `url` (an HTTP endpoint), not both"
                    .into(),
            )),
            (None, None) => Err(bad(
                "give `command` (a program to run) or `url` (a streamable HTTP endpoint)".into(),
            )),
        }
    }

    /// The time limit of connecting and of each call.
    pub fn timeout(&self) -> Duration {
        self.timeout_secs.map_or(DEFAULT_TIMEOUT, |s| {
            Duration::from_secs(s.clamp(1, MAX_TIMEOUT_SECS))
        })
    }

    /// Whether nothing is left to read from the environment (`env_from` and `header_env` are
    /// empty, as [`McpServerConfig::resolve`] leaves them): only then can it connect.
    pub fn is_resolved(&self) -> bool {
        self.env_from.is_empty() && self.header_env.is_empty()
    }

    /// The secret values this configuration holds, for a [`Redactor`] of everything recorded:
    /// header values (and the token of `Bearer TOKEN`) and the values `env_from` resolved.
    /// Values written inline in `env` are not secrets.
    pub fn secrets(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .env
            .iter()
            .filter(|(k, _)| self.secret_env.contains(*k))
            .map(|(_, v)| v.clone())
            .collect();
        for v in self.headers.values() {
            out.push(v.clone());
            // `Bearer TOKEN`: the token alone is a secret too.
            if let Some((_, token)) = v.split_once(' ') {
                out.push(token.trim().to_owned());
            }
        }
        out
    }

    /// What removes this configuration's secrets from a text (an error, a line of stderr).
    pub(crate) fn scrubber(&self) -> impl Fn(&str) -> String + Send + Sync + 'static {
        let redactor = Redactor::new(self.secrets());
        let url = self.url.clone().unwrap_or_default();
        move |text: &str| juggernaut_store::url::scrub(&redactor.text(text), &url)
    }
}

/// Whether `name` can prefix tool names.
pub fn valid_server_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_SERVER_NAME
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn check_url(url: &str) -> Result<(), String> {
    let shown = redact(url);
    let parsed =
        reqwest::Url::parse(url).map_err(|e| format!("`url` `{shown}` is not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(format!(
            "`url` `{shown}` must be an http:// or https:// URL with a host"
        ));
    }
    Ok(())
}

/// Whether `name` can name an environment variable.
fn valid_var(name: &str) -> bool {
    !name.is_empty() && !name.contains(['=', '\0'])
}

/// Checks entry `key = var` of `field` (`env_from` or `header_env`): `key` is `valid` and not
/// given `twice`, and `var` names a variable.
fn check_from(field: &str, key: &str, var: &str, valid: bool, twice: bool) -> Result<(), String> {
    let key = key.escape_debug();
    if !valid {
        return Err(format!("`{field}`: `{key}` is not a valid name"));
    }
    if twice {
        return Err(format!(
            "`{field}`: `{key}` is also given a value inline; give it once"
        ));
    }
    if !valid_var(var) {
        return Err(format!(
            "`{field}.{key}`: `{}` is not an environment variable's name",
            var.escape_debug()
        ));
    }
    Ok(())
}

fn check_header_name(name: &str) -> Result<(), String> {
    reqwest::header::HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("header name `{}` is not valid", name.escape_debug()))?;
    if RESERVED_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
        return Err(format!("header `{name}` is set by the transport itself"));
    }
    Ok(())
}

fn check_header(name: &str, value: &str) -> Result<(), String> {
    check_header_name(name)?;
    reqwest::header::HeaderValue::from_str(value)
        .map_err(|_| format!("the value of header `{name}` is not valid header text"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(toml_like: serde_json::Value) -> Result<McpServerConfig, String> {
        serde_json::from_value(toml_like).map_err(|e| e.to_string())
    }

    #[test]
    fn configurations_are_checked() {
        let ok = parse(serde_json::json!({"command": "srv", "args": ["-v"], "env": {"K": "v"}}));
        assert!(ok.unwrap().check("files").is_ok());
        let http = parse(serde_json::json!({"url": "https://mcp.example/x", "timeout_secs": 5}));
        let http = http.unwrap();
        assert!(http.check("remote").is_ok());
        assert_eq!(http.timeout(), Duration::from_secs(5));
        let unknown = parse(serde_json::json!({"command": "srv", "cwd": "/"})).unwrap_err();
        assert!(unknown.contains("unknown field `cwd`"), "{unknown}");
        let cases = [
            (serde_json::json!({}), "give `command`"),
            (
                serde_json::json!({"command": "a", "url": "http://h/"}),
                "not both",
            ),
            (
                serde_json::json!({"command": "a", "headers": {"A": "b"}}),
                "go with `url`",
            ),
            (
                serde_json::json!({"url": "http://h/", "env": {"A": "b"}}),
                "go with `command`",
            ),
            (
                serde_json::json!({"url": "ftp://h/"}),
                "http:// or https://",
            ),
            (
                serde_json::json!({"url": "http://h/", "headers": {"Accept": "x"}}),
                "transport",
            ),
            (
                serde_json::json!({"url": "http://h/", "headers": {"A B": "x"}}),
                "not valid",
            ),
            (serde_json::json!({"command": " "}), "empty"),
            (
                serde_json::json!({"command": "a", "env": {"A=B": "x"}}),
                "not a valid name",
            ),
            (
                serde_json::json!({"command": "a", "timeout_secs": 0}),
                "timeout_secs",
            ),
        ];
        for (json, needle) in cases {
            let err = parse(json.clone())
                .unwrap()
                .check("srv")
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with("MCP server `srv`: ") && err.contains(needle),
                "{json}: {err}"
            );
        }
        let err = McpServerConfig::stdio("a", [])
            .check("bad name")
            .unwrap_err();
        assert!(err.to_string().contains("server name"), "{err}");
    }
}
