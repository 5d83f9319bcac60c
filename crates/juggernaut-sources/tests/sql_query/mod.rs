//! The `sql_query` tool against real databases: rows with their types, joins, the row cap, and
//! everything that writes (or could) refused by the database itself, on SQLite and PostgreSQL.

mod postgres;
mod sqlite;

use juggernaut_sources::{Sources, SqlQuery};
use juggernaut_tools::{Permission, Tool, ToolContext, ToolError, Workspace};
use serde_json::{Value, json};
use std::sync::Arc;

/// A call context outside any task.
fn ctx() -> ToolContext {
    ToolContext {
        task_id: None,
        attempt: 1,
        lease_token: None,
        workspace: Workspace::at(std::env::temp_dir()),
        cancel: tokio_util::sync::CancellationToken::new(),
    }
}

/// The tool over `sources`.
fn tool(sources: &Arc<Sources>) -> SqlQuery {
    let t = SqlQuery::new(Arc::clone(sources));
    assert_eq!(t.name(), "sql_query");
    assert_eq!(t.permission(), Permission::Read);
    assert_eq!(t.risk(), juggernaut_core::RiskLevel::Low);
    t
}

/// Calls the tool with `args`.
async fn call(t: &SqlQuery, args: Value) -> Result<Value, ToolError> {
    t.call(&ctx(), args).await.map(|o| o.content)
}

/// The result of `query` on source `shop`, which must succeed.
async fn rows(t: &SqlQuery, query: &str) -> Value {
    match call(t, json!({"source": "shop", "query": query})).await {
        Ok(v) => v,
        Err(e) => panic!("{query}: {e}"),
    }
}

/// The model error `query` on source `shop` gives.
async fn refused(t: &SqlQuery, query: &str) -> String {
    match call(t, json!({"source": "shop", "query": query})).await {
        Err(ToolError::Model(why)) => {
            assert!(why.starts_with("data source `shop`: "), "{query}: {why}");
            why
        }
        other => panic!("{query}: expected a model error, got {other:?}"),
    }
}

/// Arguments the tool itself refuses, and an unknown source naming the configured ones.
async fn bad_arguments_are_shown_to_the_model(t: &SqlQuery) {
    let unknown = call(t, json!({"source": "crm", "query": "SELECT 1"})).await;
    match unknown {
        Err(ToolError::Model(why)) => {
            assert!(why.contains("no data source named `crm`"), "{why}");
            assert!(why.contains("configured ones are: shop"), "{why}");
        }
        other => panic!("expected a model error, got {other:?}"),
    }
    for args in [
        json!({"source": "shop"}),
        json!({"source": "shop", "query": "SELECT 1", "extra": 1}),
        json!({"source": "shop", "query": "SELECT 1", "max_rows": 0}),
        json!({"source": "shop", "query": "  "}),
    ] {
        assert!(
            matches!(call(t, args.clone()).await, Err(ToolError::Model(_))),
            "{args}"
        );
    }
}
