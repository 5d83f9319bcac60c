//! Host allowlists: which hosts a tool may reach. An entry is an exact host (`api.example.com`,
//! `127.0.0.1`, `[::1]`), a suffix pattern (`*.example.com`: any host below `example.com`, not
//! `example.com` itself), either with an optional `:port` that then must match too, or (where
//! the tool allows it) `*` for any host.

use crate::error::ConfigError;
use juggernaut_tools::ToolError;
use reqwest::Url;

#[derive(Debug, Clone, PartialEq, Eq)]
enum HostPattern {
    Any,
    Exact(String),
    /// `.example.com` for `*.example.com`.
    Suffix(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    host: HostPattern,
    port: Option<u16>,
}

/// The hosts a tool may reach, and the configuration key that lists them.
#[derive(Debug, Clone)]
pub(crate) struct AllowList {
    rules: Vec<Rule>,
    entries: Vec<String>,
    key: String,
}

impl AllowList {
    /// Parses `entries` from the configuration key `key`; `any_ok` says whether `*` is allowed.
    pub(crate) fn parse(key: &str, entries: &[String], any_ok: bool) -> Result<Self, ConfigError> {
        let mut rules = Vec::with_capacity(entries.len());
        for (i, entry) in entries.iter().enumerate() {
            let at = format!("{key}[{i}]");
            rules.push(parse_rule(entry.trim(), any_ok).map_err(|r| ConfigError::new(at, r))?);
        }
        Ok(Self {
            rules,
            entries: entries
                .iter()
                .map(|e| e.trim().to_ascii_lowercase())
                .collect(),
            key: key.to_owned(),
        })
    }

    /// Whether `url`'s host (and port) is allowed.
    pub(crate) fn allows(&self, url: &Url) -> bool {
        let Some(host) = host_of(url) else {
            return false;
        };
        let port = url.port_or_known_default();
        self.rules.iter().any(|r| {
            let host_ok = match &r.host {
                HostPattern::Any => true,
                HostPattern::Exact(h) => *h == host,
                HostPattern::Suffix(s) => host.ends_with(s.as_str()),
            };
            host_ok && r.port.is_none_or(|p| Some(p) == port)
        })
    }

    /// `Ok` if `url` is an http(s) URL to an allowed host, else an error for the model naming
    /// the host and the configuration key to change.
    pub(crate) fn check(&self, url: &Url) -> Result<(), ToolError> {
        check_scheme(url)?;
        if self.allows(url) {
            return Ok(());
        }
        let host = host_of(url).unwrap_or_default();
        let shown = match url.port() {
            Some(p) => format!("{host}:{p}"),
            None => host,
        };
        let allowed = if self.entries.is_empty() {
            "it is empty".to_owned()
        } else {
            format!("it allows {}", self.entries.join(", "))
        };
        Err(ToolError::model(format!(
            "host `{shown}` is not allowed: add it to `{}` to reach it ({allowed})",
            self.key
        )))
    }
}

/// `Ok` for an `http` or `https` URL with a host.
pub(crate) fn check_scheme(url: &Url) -> Result<(), ToolError> {
    match url.scheme() {
        "http" | "https" if url.host().is_some() => Ok(()),
        "http" | "https" => Err(ToolError::model("the URL has no host")),
        other => Err(ToolError::model(format!(
            "scheme `{other}` is refused: only http and https URLs are allowed"
        ))),
    }
}

/// The URL's host as the rules compare it: lower case, no trailing dot, IPv6 without brackets.
pub(crate) fn host_of(url: &Url) -> Option<String> {
    Some(match url.host()? {
        url::Host::Domain(d) => d.trim_end_matches('.').to_ascii_lowercase(),
        url::Host::Ipv4(ip) => ip.to_string(),
        url::Host::Ipv6(ip) => ip.to_string(),
    })
}

fn parse_rule(entry: &str, any_ok: bool) -> Result<Rule, String> {
    if entry.contains("://") || entry.contains('/') {
        return Err(format!(
            "`{entry}` is not a host: give a host name such as `api.example.com`, not a URL"
        ));
    }
    let entry = entry.to_ascii_lowercase();
    let (host, port) = split_port(&entry)?;
    let host = host.trim_end_matches('.');
    if host.is_empty() {
        return Err("an empty host".to_owned());
    }
    let pattern = if host == "*" {
        if !any_ok {
            return Err("`*` (any host) is not allowed here: list the hosts".to_owned());
        }
        HostPattern::Any
    } else if let Some(rest) = host.strip_prefix("*.") {
        check_name(rest)?;
        HostPattern::Suffix(format!(".{rest}"))
    } else if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        HostPattern::Exact(ip.to_string())
    } else {
        check_name(host)?;
        HostPattern::Exact(host.to_owned())
    };
    Ok(Rule {
        host: pattern,
        port,
    })
}

/// Splits `host:port`, `[v6]:port`, `[v6]` or a bare IPv6 address.
fn split_port(entry: &str) -> Result<(&str, Option<u16>), String> {
    if let Some(rest) = entry.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| format!("`{entry}`: `[` without `]`"))?;
        return match after.strip_prefix(':') {
            Some(p) => Ok((host, Some(parse_port(entry, p)?))),
            None if after.is_empty() => Ok((host, None)),
            None => Err(format!("`{entry}`: unexpected text after `]`")),
        };
    }
    match entry.matches(':').count() {
        0 => Ok((entry, None)),
        1 => {
            let (host, p) = entry.split_once(':').unwrap_or((entry, ""));
            Ok((host, Some(parse_port(entry, p)?)))
        }
        _ => Ok((entry, None)),
    }
}

fn parse_port(entry: &str, p: &str) -> Result<u16, String> {
    p.parse::<u16>()
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| format!("`{entry}`: `{p}` is not a port"))
}

fn check_name(host: &str) -> Result<(), String> {
    let ok = host.split('.').all(|l| {
        !l.is_empty()
            && l.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{host}` is not a host name (letters, digits, `-` and dots; `*.` only in front)"
        ))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn list(entries: &[&str], any_ok: bool) -> AllowList {
        let e: Vec<String> = entries.iter().map(|s| (*s).to_owned()).collect();
        AllowList::parse("tools.http.allow_hosts", &e, any_ok).unwrap()
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn exact_suffix_and_port_rules() {
        let l = list(
            &["api.example.com", "*.corp.test", "127.0.0.1:8080", "[::1]"],
            false,
        );
        assert!(l.allows(&url("https://API.example.com./x")));
        assert!(!l.allows(&url("https://example.com/")));
        assert!(l.allows(&url("http://a.b.corp.test/")));
        assert!(!l.allows(&url("http://corp.test/")));
        assert!(!l.allows(&url("http://evilcorp.test/")));
        assert!(l.allows(&url("http://127.0.0.1:8080/")));
        assert!(!l.allows(&url("http://127.0.0.1:8081/")));
        assert!(l.allows(&url("http://[::1]:9/")));
        let any = list(&["*"], true);
        assert!(any.allows(&url("https://anything.example/")));
    }

    #[test]
    fn refusals_name_host_and_key() {
        let l = list(&["api.example.com"], false);
        let e = l.check(&url("https://other.example:444/")).unwrap_err();
        assert!(matches!(e, ToolError::Model(_)));
        let msg = e.to_string();
        assert!(msg.contains("other.example:444"), "{msg}");
        assert!(msg.contains("tools.http.allow_hosts"), "{msg}");
        let e = l.check(&url("file:///etc/passwd")).unwrap_err();
        assert!(e.to_string().contains("`file`"), "{e}");
    }

    #[test]
    fn bad_entries_are_refused() {
        for bad in [
            "https://x.com",
            "x.com/path",
            "*",
            "a..b",
            "h:0",
            "h:port",
            "[::1",
        ] {
            let e = AllowList::parse("k", &[bad.to_owned()], false).unwrap_err();
            assert_eq!(e.key, "k[0]", "{bad}");
        }
    }
}
