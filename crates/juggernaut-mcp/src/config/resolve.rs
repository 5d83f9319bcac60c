//! Filling in a server's secrets: [`McpServerConfig::resolve`] reads each variable `env_from`
//! and `header_env` name through a lookup the binary gives (this crate reads no environment)
//! and gives a configuration with the values in `env` and `headers`, ready to connect.

use super::{McpServerConfig, valid_var};
use crate::McpError;

impl McpServerConfig {
    /// This configuration of server `name` with every `env_from` value filled into `env` and
    /// every `header_env` value into `headers`, each read with `lookup` (the name of a variable
    /// of our environment → its value). A variable that is unset or empty, or a value a header
    /// cannot carry, is an error naming the server, the key and the variable (never the value).
    pub fn resolve(
        &self,
        name: &str,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<McpServerConfig, McpError> {
        self.check(name)?;
        let bad = |reason: String| McpError::Config {
            server: name.to_owned(),
            reason,
        };
        let read = |field: &str, key: &str, var: &str| match lookup(var) {
            Some(v) if !v.trim().is_empty() => Ok(v),
            _ => Err(bad(format!(
                "`{field}.{key}`: environment variable `{var}` is not set"
            ))),
        };
        let mut out = self.clone();
        for (key, var) in std::mem::take(&mut out.env_from) {
            let value = read("env_from", &key, &var)?;
            if value.contains('\0') || !valid_var(&key) {
                return Err(bad(format!(
                    "`env_from.{key}`: environment variable `{var}` holds a NUL character"
                )));
            }
            out.env.insert(key.clone(), value);
            out.secret_env.insert(key);
        }
        for (header, var) in std::mem::take(&mut out.header_env) {
            let value = read("header_env", &header, &var)?;
            if reqwest::header::HeaderValue::from_str(&value).is_err() {
                return Err(bad(format!(
                    "`header_env.{header}`: environment variable `{var}` does not hold valid \
                     header text"
                )));
            }
            out.headers.insert(header, value);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    fn stdio() -> McpServerConfig {
        let mut c = McpServerConfig::stdio("srv", []);
        c.env.insert("MODE".into(), "production".into());
        c.env_from.insert("API_KEY".into(), "OUR_API_KEY".into());
        c
    }

    #[test]
    fn resolving_fills_env_and_headers_from_the_lookup() {
        let c = stdio();
        assert!(c.check("files").is_ok() && !c.is_resolved());
        assert!(
            c.secrets().is_empty(),
            "nothing resolved, nothing secret yet"
        );
        let r = c
            .resolve("files", vars(&[("OUR_API_KEY", "key-from-env-1")]))
            .unwrap();
        assert!(r.is_resolved() && r.check("files").is_ok());
        assert_eq!(r.env["API_KEY"], "key-from-env-1");
        assert_eq!(r.env["MODE"], "production");
        // The resolved value is secret; the inline one is not.
        assert_eq!(r.secrets(), ["key-from-env-1"]);
        assert!(!format!("{r:?}").contains("key-from-env-1"));
        assert_eq!(
            r.scrubber()("mode production, key key-from-env-1"),
            "mode production, key [redacted]"
        );

        let mut h = McpServerConfig::http("https://mcp.example/x");
        h.headers.insert("X-Team".into(), "blue-team-header".into());
        h.header_env
            .insert("Authorization".into(), "REMOTE_MCP_TOKEN".into());
        let r = h
            .resolve(
                "remote",
                vars(&[("REMOTE_MCP_TOKEN", "Bearer tok-from-env-2")]),
            )
            .unwrap();
        assert_eq!(r.headers["Authorization"], "Bearer tok-from-env-2");
        let secrets = r.secrets();
        for s in [
            "Bearer tok-from-env-2",
            "tok-from-env-2",
            "blue-team-header",
        ] {
            assert!(secrets.contains(&s.to_owned()), "{secrets:?}");
        }
    }

    #[test]
    fn unset_variables_and_bad_entries_are_named() {
        let err = stdio().resolve("files", vars(&[])).unwrap_err().to_string();
        assert_eq!(
            err,
            "MCP server `files`: `env_from.API_KEY`: environment variable `OUR_API_KEY` is not set"
        );
        let blank = stdio().resolve("files", vars(&[("OUR_API_KEY", " ")]));
        assert!(blank.unwrap_err().to_string().contains("is not set"));
        let mut h = McpServerConfig::http("https://mcp.example/x");
        h.header_env.insert("Authorization".into(), "TOK".into());
        let err = h.resolve("remote", vars(&[("TOK", "bad\nvalue-77")]));
        let err = err.unwrap_err().to_string();
        assert!(
            err.contains("`header_env.Authorization`: environment variable `TOK` does not hold")
        );
        assert!(!err.contains("value-77"), "{err}");
        let cases: [(serde_json::Value, &str); 5] = [
            (
                serde_json::json!({"command": "a", "env": {"K": "v"}, "env_from": {"K": "V"}}),
                "`env_from`: `K` is also given a value inline",
            ),
            (
                serde_json::json!({"command": "a", "env_from": {"K": "A=B"}}),
                "`env_from.K`: `A=B` is not an environment variable's name",
            ),
            (
                serde_json::json!({"url": "http://h/", "env_from": {"K": "V"}}),
                "go with `command`",
            ),
            (
                serde_json::json!({"command": "a", "header_env": {"A": "V"}}),
                "go with `url`",
            ),
            (
                serde_json::json!({"url": "http://h/", "headers": {"auth": "x"},
                                   "header_env": {"Auth": "V"}}),
                "`header_env`: `Auth` is also given a value inline",
            ),
        ];
        for (json, needle) in cases {
            let c: McpServerConfig = serde_json::from_value(json.clone()).unwrap();
            let err = c
                .resolve("srv", vars(&[("V", "x")]))
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with("MCP server `srv`: ") && err.contains(needle),
                "{json}: {err}"
            );
        }
    }

    #[test]
    fn secrets_stay_out_of_debug_output_and_errors() {
        let mut c = McpServerConfig::http("https://u:pw-in-url@mcp.example/x?token=tok-in-url");
        c.headers
            .insert("Authorization".into(), "Bearer sekrit-token-1".into());
        let shown = format!("{c:?}");
        for secret in ["sekrit-token-1", "pw-in-url", "tok-in-url"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("Authorization"), "{shown}");
        let scrub = c.scrubber();
        let text =
            scrub("401 for https://u:pw-in-url@mcp.example/x?token=tok-in-url with sekrit-token-1");
        for secret in ["sekrit-token-1", "pw-in-url", "tok-in-url"] {
            assert!(!text.contains(secret), "{text}");
        }
        let mut s = McpServerConfig::stdio("srv", []);
        s.env.insert("API_KEY".into(), "env-secret-9".into());
        assert!(!format!("{s:?}").contains("env-secret-9"));
    }
}
