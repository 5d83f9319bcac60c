//! `sql_query`: rows from a configured data source, for a model. The query runs exactly as a
//! metric's does (see [`crate::sqlite`] and [`crate::postgres`]): read only by the database's
//! own guarantees, one statement, bounded in time; the result is bounded in rows and bytes
//! ([`RowLimits`]).
//!
//! A query the database refuses or that fails is shown to the model (it may write a better one);
//! a source that cannot be reached ends the attempt, retryable; a source configured with a role
//! that could write ends it for good.

use crate::rows::RowLimits;
use crate::{SourceError, Sources};
use async_trait::async_trait;
use juggernaut_core::RiskLevel;
use juggernaut_tools::args::{parse_args, schema_of};
use juggernaut_tools::{Permission, Tool, ToolContext, ToolError, ToolOutput};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

const NAME: &str = "sql_query";

/// Runs a read-only SQL query on a configured data source.
#[derive(Debug, Clone)]
pub struct SqlQuery {
    sources: Arc<Sources>,
    limits: RowLimits,
    description: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct QueryArgs {
    /// The name of a configured data source.
    source: String,
    /// One SQL statement that reads (SELECT, VALUES, WITH ... SELECT); in the source's dialect
    /// (SQLite or PostgreSQL).
    query: String,
    /// Most rows to return: at least 1; the default and the largest is 1000 (larger values are
    /// lowered to it).
    #[serde(default)]
    max_rows: Option<usize>,
}

impl SqlQuery {
    /// The tool over `sources`, with the default limits.
    pub fn new(sources: Arc<Sources>) -> Self {
        Self::with_limits(sources, RowLimits::default())
    }

    /// The tool over `sources`, keeping at most `limits` of a result.
    pub fn with_limits(sources: Arc<Sources>, limits: RowLimits) -> Self {
        let names = sources.names();
        let listed = if names.is_empty() {
            "none is configured".to_owned()
        } else {
            format!("configured: {}", names.join(", "))
        };
        let description = format!(
            "Run one read-only SQL query on a configured data source and get its rows as JSON \
             ({listed}). The database refuses anything that writes, several statements, and \
             queries past the time limit. Returns `columns`, `rows` (arrays of values: numbers, \
             strings, booleans, JSON, null; timestamps as RFC 3339; binary as \"base64:...\"), \
             `row_count`, and `truncated` (true when more rows exist than returned: at most {} \
             rows and {} KiB per call, cells cut at {} bytes). Prefer aggregates and LIMIT to \
             scanning whole tables.",
            limits.max_rows,
            limits.max_total_bytes / 1024,
            limits.max_cell_bytes,
        );
        Self {
            sources,
            limits,
            description,
        }
    }

    /// The error for a source that is not configured, naming those that are.
    fn unknown(&self, name: &str) -> ToolError {
        let names = self.sources.names();
        if names.is_empty() {
            ToolError::model(format!(
                "no data source named `{name}`: no data source is configured"
            ))
        } else {
            ToolError::model(format!(
                "no data source named `{name}`; the configured ones are: {}",
                names.join(", ")
            ))
        }
    }
}

#[async_trait]
impl Tool for SqlQuery {
    fn name(&self) -> &str {
        NAME
    }

    fn description(&self) -> &str {
        &self.description
    }

    fn parameters(&self) -> serde_json::Value {
        schema_of::<QueryArgs>()
    }

    fn risk(&self) -> RiskLevel {
        RiskLevel::Low
    }

    fn permission(&self) -> Permission {
        Permission::Read
    }

    async fn call(
        &self,
        _ctx: &ToolContext,
        args: serde_json::Value,
    ) -> Result<ToolOutput, ToolError> {
        let args: QueryArgs = parse_args(NAME, args)?;
        let max_rows = match args.max_rows {
            Some(0) => return Err(ToolError::model("`max_rows` must be at least 1")),
            Some(n) => n.min(self.limits.max_rows),
            None => self.limits.max_rows,
        };
        if args.query.trim().is_empty() {
            return Err(ToolError::model("`query` is empty; give one SQL statement"));
        }
        let limits = self.limits.with_max_rows(max_rows);
        let rows = match self
            .sources
            .query_rows(&args.source, &args.query, limits)
            .await
        {
            Ok(rows) => rows,
            Err(SourceError::Unknown(name)) => return Err(self.unknown(&name)),
            Err(e @ SourceError::Unavailable { .. }) => {
                return Err(ToolError::transient(e.to_string()));
            }
            Err(e @ SourceError::Config { .. }) => return Err(ToolError::fatal(e.to_string())),
            Err(e) => return Err(ToolError::model(e.to_string())),
        };
        Ok(ToolOutput::new(json!({
            "source": args.source,
            "columns": rows.columns,
            "row_count": rows.rows.len(),
            "rows": rows.rows,
            "truncated": rows.truncated,
        })))
    }
}
