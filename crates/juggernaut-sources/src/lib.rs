//! Metric sources: where a goal's number is read from (SPEC §2), read-only by construction.
//!
//! - [`sqlite`]: a SQLite file opened read-only (never created) with nothing attachable; one
//!   statement that SQLite marks read-only, refused before it runs otherwise; bounded in time.
//! - [`postgres`]: a PostgreSQL database, each read in a `READ ONLY` transaction with a statement
//!   timeout, through a prepared statement (which PostgreSQL refuses to hold several commands);
//!   a role that could write files on the server anyway (a superuser) is refused.
//! - [`http`]: a number at a JSON pointer of a `GET` response (no redirects, capped body).
//! - [`number`]: what counts as a number (integers, reals, numeric text; finite only).
//! - [`rows`]: what a query returns as JSON rows ([`Sources::query_rows`]), bounded in rows and
//!   bytes; read through the same read-only connections and transactions as a metric
//!   ([`pg_rows`]: how PostgreSQL's values become JSON).
//! - [`tool`]: the `sql_query` tool, which gives a model those rows.
//!
//! A read-only guarantee is the database's: nothing here parses a query to decide whether it
//! writes. Errors name the source and never carry a URL's credentials.

pub mod error;
pub mod http;
pub mod number;
pub mod pg_rows;
pub mod postgres;
pub mod rows;
pub mod sqlite;
pub mod tool;

pub use error::SourceError;
pub use rows::{RowLimits, Rows};
pub use tool::SqlQuery;

use juggernaut_core::goal::MetricSource;
use std::collections::BTreeMap;
use std::time::Duration;

/// How long one read may take unless [`Sources::with_timeout`] says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// A data source as configured (`[sources.NAME] url = ...`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct SourceConfig {
    /// `sqlite://PATH` (a file, opened read-only) or `postgres://...`.
    pub url: String,
}

/// A configured data source.
#[derive(Debug)]
enum Source {
    Sqlite(sqlite::SqliteSource),
    Postgres(Box<postgres::PostgresSource>),
}

impl SourceConfig {
    /// Checks the URL without opening anything: a `sqlite://` file or a `postgres://` URL.
    pub fn check(&self, name: &str) -> Result<(), SourceError> {
        self.parse(name).map(|_| ())
    }

    fn parse(&self, name: &str) -> Result<Source, SourceError> {
        if !juggernaut_core::goal::is_name(name) {
            return Err(SourceError::config(
                name,
                "a source name must be 1-64 of a-z, 0-9, `_` and `-`",
            ));
        }
        let url = self.url.trim();
        let scheme = url.split_once(':').map_or("", |(s, _)| s);
        match scheme {
            "sqlite" => Ok(Source::Sqlite(sqlite::SqliteSource::parse(name, url)?)),
            "postgres" | "postgresql" => {
                let source = postgres::PostgresSource::parse(name, url)?;
                Ok(Source::Postgres(Box::new(source)))
            }
            _ => Err(SourceError::config(
                name,
                &format!(
                    "unknown URL scheme in `{}`: use sqlite://PATH or postgres://USER@HOST/DB",
                    juggernaut_store::url::redact(url)
                ),
            )),
        }
    }
}

/// The configured data sources and the HTTP client: reads one number for a metric source.
#[derive(Debug)]
pub struct Sources {
    named: BTreeMap<String, Source>,
    http: http::HttpReader,
    timeout: Duration,
}

impl Sources {
    /// Checks every source (naming the bad one); connects to nothing yet.
    pub fn new(config: BTreeMap<String, SourceConfig>) -> Result<Self, SourceError> {
        let named = config
            .iter()
            .map(|(name, c)| Ok((name.clone(), c.parse(name)?)))
            .collect::<Result<BTreeMap<_, _>, SourceError>>()?;
        Ok(Self {
            named,
            http: http::HttpReader::new()?,
            timeout: DEFAULT_TIMEOUT,
        })
    }

    /// Bounds every read (query, connection, request) by `timeout` (at least a millisecond).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// The configured names, sorted.
    pub fn names(&self) -> Vec<&str> {
        self.named.keys().map(String::as_str).collect()
    }

    /// Reads the metric's current value. A manual metric is not read ([`SourceError::Manual`]).
    pub async fn read(&self, metric: &MetricSource) -> Result<f64, SourceError> {
        match metric {
            MetricSource::Manual => Err(SourceError::Manual),
            MetricSource::HttpJson { url, pointer } => {
                self.http.read(url, pointer, self.timeout).await
            }
            MetricSource::Sql { source, query } => match self.named.get(source) {
                None => Err(SourceError::Unknown(source.clone())),
                Some(Source::Sqlite(s)) => s.read(query, self.timeout).await,
                Some(Source::Postgres(s)) => s.read(query, self.timeout).await,
            },
        }
    }

    /// The rows `query` returns from data source `source`, up to `limits`, read only and
    /// bounded in time like a metric.
    pub async fn query_rows(
        &self,
        source: &str,
        query: &str,
        limits: RowLimits,
    ) -> Result<Rows, SourceError> {
        match self.named.get(source) {
            None => Err(SourceError::Unknown(source.to_owned())),
            Some(Source::Sqlite(s)) => s.rows(query, self.timeout, limits).await,
            Some(Source::Postgres(s)) => s.rows(query, self.timeout, limits).await,
        }
    }

    /// Closes the PostgreSQL pools (SQLite connections live for one read only).
    pub async fn close(&self) {
        for s in self.named.values() {
            if let Source::Postgres(p) = s {
                p.close().await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(url: &str) -> Result<(), SourceError> {
        SourceConfig { url: url.into() }.check("shop")
    }

    #[test]
    fn debug_output_hides_passwords() {
        let config = BTreeMap::from([(
            "shop".to_owned(),
            SourceConfig {
                url: "postgres://reader:S3cr3tPW@127.0.0.1/shop".into(),
            },
        )]);
        let shown = format!("{:?}", Sources::new(config).unwrap());
        assert!(shown.contains("reader:***@127.0.0.1"), "{shown}");
        assert!(!shown.contains("S3cr3tPW"), "{shown}");
    }

    #[test]
    fn urls_are_checked_by_scheme() {
        assert!(check("sqlite:///srv/shop.db").is_ok());
        assert!(check("sqlite://shop.db").is_ok());
        assert!(check("sqlite:shop.db").is_ok());
        assert!(check("postgres://reader@127.0.0.1:5432/shop").is_ok());
        assert!(check("postgresql://reader@127.0.0.1/shop").is_ok());
        let err = check("mysql://u:S3cret@h/db").unwrap_err().to_string();
        assert!(err.contains("data source `shop`") && err.contains("unknown URL scheme"));
        assert!(!err.contains("S3cret"), "{err}");
        assert!(check("sqlite://").is_err());
        assert!(check("sqlite::memory:").is_err());
        assert!(check("sqlite://shop.db?mode=rwc").is_err());
        let bad_name = SourceConfig {
            url: "sqlite://a.db".into(),
        }
        .check("Shop DB");
        assert!(bad_name.unwrap_err().to_string().contains("source name"));
    }

    #[tokio::test]
    async fn manual_and_unknown_sources_are_not_read() {
        let s = Sources::new(BTreeMap::new()).unwrap();
        assert_eq!(
            s.read(&MetricSource::Manual).await,
            Err(SourceError::Manual)
        );
        let unknown = MetricSource::Sql {
            source: "crm".into(),
            query: "SELECT 1".into(),
        };
        let err = s.read(&unknown).await.unwrap_err();
        assert_eq!(err, SourceError::Unknown("crm".into()));
        assert!(err.to_string().contains("no data source named `crm`"));
    }
}
