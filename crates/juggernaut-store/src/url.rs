//! Database URLs: which backend a URL selects, and how to print one without its password.

/// The backends Juggernaut stores to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite file.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

impl Backend {
    /// The name printed in benchmarks and status: `sqlite` or `postgres`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }

    /// The backend a URL's scheme selects, or `None` for an unknown scheme.
    pub fn from_url(url: &str) -> Option<Self> {
        let scheme = url
            .split_once("://")
            .map(|(s, _)| s)
            .or_else(|| url.strip_prefix("sqlite:").map(|_| "sqlite"))?;
        match scheme {
            "postgres" | "postgresql" => Some(Self::Postgres),
            "sqlite" => Some(Self::Sqlite),
            _ => None,
        }
    }
}

/// The URL with every credential it can carry replaced by `***`, safe for logs, errors, status
/// and metrics: the password of the user information (whatever characters it holds: everything
/// up to the last `@` counts, so `bob:ab/c@host` hides `ab/c`), and the values of query
/// parameters that name secrets (`password=`, `sslpassword=`, `token=`, `api_key=`, ...).
/// Erring towards hiding too much: an `@` inside a query makes the text before it look like
/// user information too.
pub fn redact(url: &str) -> String {
    let (head, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (format!("{scheme}://"), rest),
        None => (String::new(), url),
    };
    let rest = match rest.rfind('@') {
        Some(at) if rest[..at].contains(':') => {
            let user = rest[..at].split(':').next().unwrap_or_default();
            format!("{user}:***@{}", &rest[at + 1..])
        }
        _ => rest.to_owned(),
    };
    let rest = match rest.split_once('?') {
        Some((path, query)) => format!("{path}?{}", redact_query(query)),
        None => rest,
    };
    format!("{head}{rest}")
}

/// Whether a query parameter's name says its value is a secret.
fn names_secret(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    [
        "pass",
        "pwd",
        "secret",
        "token",
        "key",
        "auth",
        "credential",
    ]
    .iter()
    .any(|s| k.contains(s))
}

fn redact_query(query: &str) -> String {
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if names_secret(k) => format!("{k}=***"),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The secrets `url` carries (see [`redact`]), as written and percent-decoded.
fn secrets(url: &str) -> Vec<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let mut found = Vec::new();
    if let Some(at) = rest.rfind('@')
        && let Some((_, password)) = rest[..at].split_once(':')
    {
        found.push(password.to_owned());
    }
    if let Some((_, query)) = rest.split_once('?') {
        for pair in query.split('&') {
            if let Some((k, v)) = pair.split_once('=')
                && names_secret(k)
            {
                found.push(v.to_owned());
            }
        }
    }
    let decoded: Vec<String> = found.iter().map(|s| percent_decode(s)).collect();
    found.extend(decoded);
    found.retain(|s| !s.is_empty());
    found.sort_by_key(|s| std::cmp::Reverse(s.len()));
    found.dedup();
    found
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `message` (a driver's error, which may quote the URL or parts of it) with every secret of
/// `url` replaced by `***`.
pub fn scrub(message: &str, url: &str) -> String {
    let mut out = message.to_owned();
    for secret in secrets(url) {
        out = out.replace(&secret, "***");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_select_backends() {
        assert_eq!(
            Backend::from_url("postgres://h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(
            Backend::from_url("postgresql://h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(Backend::from_url("sqlite://./x.db"), Some(Backend::Sqlite));
        assert_eq!(Backend::from_url("sqlite:x.db"), Some(Backend::Sqlite));
        assert_eq!(Backend::from_url("mysql://h/db"), None);
        assert_eq!(Backend::from_url("nonsense"), None);
    }

    #[test]
    fn passwords_never_print() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db?x=1"),
            "postgres://u:***@h:5432/db?x=1"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite://a.db"), "sqlite://a.db");
    }

    #[test]
    fn every_credential_form_is_hidden() {
        let cases = [
            (
                "postgres://bob@127.0.0.1:1/db?password=S3cr3tPW",
                "postgres://bob@127.0.0.1:1/db?password=***",
            ),
            (
                "postgres://bob:ab/S3cr3tPW@127.0.0.1:1/db",
                "postgres://bob:***@127.0.0.1:1/db",
            ),
            (
                "postgres://bob:p@ss:w?rd@h/db?sslmode=disable&sslpassword=S3cr3tPW",
                "postgres://bob:***@h/db?sslmode=disable&sslpassword=***",
            ),
            (
                "postgresql://h/db?Api_Key=S3cr3tPW&x=1",
                "postgresql://h/db?Api_Key=***&x=1",
            ),
            ("postgres:S3cr3tPW@h", "postgres:***@h"),
        ];
        for (url, want) in cases {
            assert_eq!(redact(url), want, "{url}");
            assert!(!redact(url).contains("S3cr3tPW"));
        }
    }

    #[test]
    fn driver_messages_are_scrubbed_of_the_urls_secrets() {
        let url = "postgres://bob:S3cr%2Ft@h/db?password=Other1";
        let msg = "error with S3cr/t and S3cr%2Ft and Other1 in it";
        assert_eq!(scrub(msg, url), "error with *** and *** and *** in it");
        assert_eq!(scrub("plain", "sqlite://a.db"), "plain");
    }
}
