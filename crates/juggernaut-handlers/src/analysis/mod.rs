//! `analysis` (aliases `audit`, `reporting`, `metrics`, `metrics_analysis`, `report_generation`,
//! `pattern_detection`): read-only SQL on a configured data source, written up as a Markdown
//! report in the task's workspace. No model is asked anything: the narrative is computed from the
//! rows.
//!
//! Input ([`AnalysisInput`]): `{"source", "title", "queries": [{"name", "sql"}], "report_path"?}`
//! with 1-20 queries of unique names; the report path defaults to `reports/<slug of title>.md`
//! and must stay inside the workspace. Anything else is refused at enqueue, naming the field.
//!
//! Each query runs through `sql_query` (read-only: the source refuses anything that writes); a
//! query that fails ends the attempt as the tool says. The report holds the title, when it was
//! generated, and per query the SQL, the row count, a table of up to 50 rows (cells escaped) and
//! the narrative (see [`table`]). It is written through `fs_write`, whose `File` evidence (path
//! and hash) is the report's proof.
//!
//! Result: `{"path", "queries": [{"name", "call", "rows", "truncated"}], "write_call"}`.
//! Evidence: the `sql_query` calls, the `fs_write` call and the `File`. The check: the `File` of
//! the report's path, and every call the result names.

pub mod table;

use crate::calls::{self, Called};
use crate::markdown::{self, check_path, has_file, normalized, write_report};
use async_trait::async_trait;
use chrono::Utc;
use juggernaut_handler::{Done, Handler, HandlerError, InputSpec, Outcome, TaskContext, TaskInput};
use juggernaut_tools::Permission;
use serde_json::json;
use table::Table;

/// Most queries in one analysis.
pub const MAX_QUERIES: usize = 20;

/// Longest query, in bytes.
pub const MAX_SQL: usize = 10_000;

/// Longest title or query name, in characters.
const MAX_NAME: usize = 200;

/// The `analysis` handler.
pub struct Analysis;

/// `analysis`'s input.
#[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnalysisInput {
    /// The configured data source (`[sources.NAME]`).
    pub source: String,
    /// The report's title.
    pub title: String,
    /// The queries, run in order (1-20).
    pub queries: Vec<Query>,
    /// Where to write the report in the task's workspace (default `reports/<slug>.md`).
    #[serde(default)]
    pub report_path: Option<String>,
}

/// One query.
#[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Query {
    /// Its name in the report (unique).
    pub name: String,
    /// One read-only SQL statement.
    pub sql: String,
}

fn one_line(field: &str, text: &str) -> Result<(), String> {
    if text.trim().is_empty() || text.chars().count() > MAX_NAME || text.contains(char::is_control)
    {
        return Err(format!(
            "`{field}`: must be 1-{MAX_NAME} characters on one line"
        ));
    }
    Ok(())
}

impl TaskInput for AnalysisInput {
    fn validate(&self) -> Result<(), String> {
        if !juggernaut_core::goal::is_name(&self.source) {
            return Err(format!(
                "`source`: `{}` is not a source name (1-64 of a-z, 0-9, `_` and `-`)",
                self.source
            ));
        }
        one_line("title", &self.title)?;
        if !(1..=MAX_QUERIES).contains(&self.queries.len()) {
            return Err(format!(
                "`queries`: give 1 to {MAX_QUERIES} queries (got {})",
                self.queries.len()
            ));
        }
        for (i, q) in self.queries.iter().enumerate() {
            one_line(&format!("queries[{i}].name"), &q.name)?;
            if let Some(j) = self.queries[..i].iter().position(|p| p.name == q.name) {
                return Err(format!(
                    "`queries[{i}].name`: `{}` is already the name of queries[{j}]",
                    q.name
                ));
            }
            if q.sql.trim().is_empty() || q.sql.len() > MAX_SQL || q.sql.contains('\0') {
                return Err(format!(
                    "`queries[{i}].sql`: must be 1-{MAX_SQL} bytes of SQL, not blank"
                ));
            }
        }
        if let Some(p) = &self.report_path {
            check_path("report_path", p)?;
        }
        Ok(())
    }
}

impl AnalysisInput {
    /// Where the report goes.
    pub fn path(&self) -> String {
        normalized(
            &self
                .report_path
                .clone()
                .unwrap_or_else(|| format!("reports/{}.md", markdown::slug(&self.title))),
        )
    }
}

/// The report's Markdown.
fn render(input: &AnalysisInput, task: i64, results: &[(Query, Table)]) -> String {
    let mut md = format!(
        "# {}\n\nGenerated {} UTC by task {task} from data source `{}`.\n",
        markdown::cell(&input.title, MAX_NAME),
        Utc::now().format("%Y-%m-%d %H:%M:%S"),
        input.source
    );
    for (q, t) in results {
        md.push_str(&format!("\n## {}\n\n", markdown::cell(&q.name, MAX_NAME)));
        md.push_str(&markdown::code_block("sql", &q.sql));
        md.push_str(&format!("\nRows: {}.\n\n", t.count_text()));
        let table = t.markdown();
        if !table.is_empty() {
            md.push_str(&table);
            md.push('\n');
        }
        for line in t.narrative() {
            md.push_str(&format!("- {line}\n"));
        }
    }
    md
}

#[async_trait]
impl Handler for Analysis {
    fn reach(&self, _input: &serde_json::Value) -> juggernaut_handler::gate::Reach {
        crate::reach::analysis()
    }

    fn kind(&self) -> &'static str {
        "analysis"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &[
            "audit",
            "metrics",
            "metrics_analysis",
            "pattern_detection",
            "report_generation",
            "reporting",
        ]
    }

    fn description(&self) -> &'static str {
        "runs read-only SQL on a data source and writes the results up as a Markdown report \
         (tables and computed summaries, no LLM)"
    }

    fn input(&self) -> InputSpec {
        InputSpec::of::<AnalysisInput>()
    }

    async fn run(&self, ctx: &TaskContext) -> Result<Outcome, HandlerError> {
        let input: AnalysisInput = ctx
            .input()
            .map_err(|e| HandlerError::Permanent(format!("analysis input: {e}")))?;
        let mut evidence = Vec::new();
        let mut results = Vec::with_capacity(input.queries.len());
        let mut listed = Vec::with_capacity(input.queries.len());
        for q in &input.queries {
            let what = format!("query `{}`", q.name);
            let args = json!({ "source": input.source, "query": q.sql });
            let called: Called =
                calls::call(ctx, "sql_query", args, &[Permission::Read], &what).await?;
            let table = Table::from_output(&called.output.content)
                .map_err(|e| HandlerError::Permanent(format!("{what}: {e}")))?;
            evidence.extend(called.all_evidence());
            listed.push(json!({
                "name": q.name,
                "call": called.id.0,
                "rows": table.rows.len(),
                "truncated": table.truncated,
            }));
            results.push((q.clone(), table));
        }
        let path = input.path();
        let md = render(&input, ctx.task.id.0, &results);
        let written = write_report(ctx, &path, &md).await?;
        evidence.extend(written.all_evidence());
        Ok(Outcome::done(
            json!({ "path": path, "queries": listed, "write_call": written.id.0 }),
            evidence,
        ))
    }

    async fn verify(&self, ctx: &TaskContext, done: &Done) -> Result<(), String> {
        let input: AnalysisInput = ctx.input().map_err(|e| format!("analysis input: {e}"))?;
        let path = input.path();
        if done.result["path"].as_str() != Some(path.as_str()) {
            return Err(format!(
                "the result's path {} is not the report's `{path}`",
                done.result["path"]
            ));
        }
        if !has_file(done, &path) {
            return Err(format!("no file evidence for the report `{path}`"));
        }
        let listed = done.result["queries"]
            .as_array()
            .ok_or("the result lists no queries")?;
        if listed.len() != input.queries.len() {
            return Err(format!(
                "the result lists {} queries, the input has {}",
                listed.len(),
                input.queries.len()
            ));
        }
        let mut ids = Vec::with_capacity(listed.len() + 1);
        for (q, l) in input.queries.iter().zip(listed) {
            ids.push(
                calls::call_id(&l["call"]).ok_or(format!("query `{}` names no call", q.name))?,
            );
        }
        ids.push(calls::call_id(&done.result["write_call"]).ok_or("no `write_call`")?);
        calls::has_calls(done, ids.iter().map(String::as_str))
    }
}
