//! Connect options from a URL. Only the query parameters the driver knows reach it: it logs any
//! other parameter with its value, and a value may be a secret (`sslpassword=`, `token=`). The
//! others are dropped here and logged by name only.

use juggernaut_store::StoreError;
use juggernaut_store::url::{redact, scrub};
use sqlx::postgres::PgConnectOptions;

/// The query parameters sqlx-postgres reads from a URL.
const KNOWN: [&str; 18] = [
    "sslmode",
    "ssl-mode",
    "sslrootcert",
    "ssl-root-cert",
    "ssl-ca",
    "sslcert",
    "ssl-cert",
    "sslkey",
    "ssl-key",
    "statement-cache-capacity",
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "application_name",
    "options",
];

/// `url` without the query parameters the driver does not know, and their names.
fn known_only(url: &str) -> (String, Vec<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_owned(), Vec::new());
    };
    let (mut kept, mut dropped) = (Vec::new(), Vec::new());
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let key = pair.split_once('=').map_or(pair, |(k, _)| k);
        if KNOWN.contains(&key) {
            kept.push(pair);
        } else {
            dropped.push(key.to_owned());
        }
    }
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (url, dropped)
}

/// Parses `url` into connect options; the error never shows a credential.
pub fn parse(url: &str) -> Result<PgConnectOptions, StoreError> {
    let (known, dropped) = known_only(url);
    if !dropped.is_empty() {
        tracing::warn!(
            parameters = %dropped.join(", "),
            "ignoring database URL parameters the PostgreSQL driver does not know"
        );
    }
    known
        .parse()
        .map_err(|e: sqlx::Error| StoreError::InvalidUrl {
            url: redact(url),
            reason: scrub(&e.to_string(), url),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_parameters_never_reach_the_driver() {
        let (url, dropped) =
            known_only("postgres://u@h/db?sslmode=disable&sslpassword=S3cr3t&application_name=x");
        assert_eq!(url, "postgres://u@h/db?sslmode=disable&application_name=x");
        assert_eq!(dropped, vec!["sslpassword"]);
        assert_eq!(known_only("postgres://h/db?token=a").0, "postgres://h/db");
        assert_eq!(known_only("postgres://h/db").1, Vec::<String>::new());
        assert!(parse("postgres://u:pw@h/db?sslpassword=S3cr3t").is_ok());
    }
}
