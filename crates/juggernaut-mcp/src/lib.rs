//! MCP tools: the tools that configured MCP servers offer, each wrapped as a Juggernaut
//! [`Tool`] named `<server>__<tool>`.
//!
//! - [`config`]: a server is a program run as a child speaking MCP on stdin/stdout, or a
//!   streamable HTTP endpoint; its secrets (environment, headers) never show.
//! - [`connect_all`]: connects to every server, lists its tools, and gives an [`McpTools`] whose
//!   tools keep their server's session alive; a child dies with its session.
//! - [`tool`]: what a call sends and how its result becomes output or an error.
//!
//! The client is the official Rust SDK, `rmcp` (0.15, the last release on reqwest 0.12, so the
//! workspace keeps one HTTP and TLS stack).

pub mod config;
mod connect;
pub mod error;
pub mod tool;

pub use config::{McpServerConfig, McpServerConfigs};
pub use error::McpError;
pub use tool::McpTool;

use connect::Server;
use juggernaut_tools::Tool;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The tools of the configured MCP servers, with the servers' sessions.
pub struct McpTools {
    servers: Vec<Arc<Server>>,
    tools: Vec<Arc<McpTool>>,
}

impl std::fmt::Debug for McpTools {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpTools")
            .field("servers", &self.servers())
            .field("tools", &self.names())
            .finish()
    }
}

impl McpTools {
    /// Every tool, for a tool registry (each holds its server's session).
    pub fn tools(&self) -> Vec<Arc<dyn Tool>> {
        self.tools
            .iter()
            .map(|t| Arc::clone(t) as Arc<dyn Tool>)
            .collect()
    }

    /// Every tool's name, sorted.
    pub fn names(&self) -> Vec<&str> {
        self.tools.iter().map(|t| t.name()).collect()
    }

    /// The servers' names, sorted.
    pub fn servers(&self) -> Vec<&str> {
        self.servers.iter().map(|s| s.name()).collect()
    }

    /// Closes every session (children are stopped). A later call connects again.
    pub async fn close(&self) {
        for s in &self.servers {
            s.close().await;
        }
    }
}

/// Connects to every configured server (at once, each within its timeout), lists its tools and
/// wraps them. Fails, closing what it opened, if a configuration is wrong, a server cannot be
/// reached or listed, or two tools get the same name.
pub async fn connect_all(configs: &McpServerConfigs) -> Result<McpTools, McpError> {
    let servers = configs
        .iter()
        .map(|(name, c)| Server::new(name, c.clone()).map(Arc::new))
        .collect::<Result<Vec<_>, _>>()?;
    let listed = futures::future::join_all(servers.iter().map(|s| list(Arc::clone(s)))).await;
    let result = wrap(listed);
    if result.is_err() {
        for s in &servers {
            s.close().await;
        }
    }
    result.map(|tools| McpTools { servers, tools })
}

/// The tools of `server`.
async fn list(server: Arc<Server>) -> Result<Vec<Arc<McpTool>>, McpError> {
    let run = async {
        let (peer, stderr) = server.peer().await?;
        peer.list_all_tools().await.map_err(|e| McpError::Connect {
            server: server.name().to_owned(),
            reason: server.scrub(&format!(
                "listing its tools failed: {e}{}",
                stderr.map(|s| s.describe()).unwrap_or_default()
            )),
        })
    };
    let listed = tokio::time::timeout(server.timeout(), run)
        .await
        .map_err(|_| McpError::Connect {
            server: server.name().to_owned(),
            reason: format!("no answer within {} s", server.timeout().as_secs()),
        })??;
    Ok(listed
        .iter()
        .map(|t| Arc::new(McpTool::new(&server, t)))
        .collect())
}

/// All servers' tools, sorted by name, or the first error (in server order), or a clash.
fn wrap(listed: Vec<Result<Vec<Arc<McpTool>>, McpError>>) -> Result<Vec<Arc<McpTool>>, McpError> {
    let mut by_name: BTreeMap<String, Arc<McpTool>> = BTreeMap::new();
    for tools in listed {
        for t in tools? {
            if let Some(first) = by_name.get(t.name()) {
                return Err(McpError::Collision {
                    name: t.name().to_owned(),
                    first: format!("{}/{}", first.server(), first.remote_name()),
                    second: format!("{}/{}", t.server(), t.remote_name()),
                });
            }
            by_name.insert(t.name().to_owned(), t);
        }
    }
    Ok(by_name.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn tool(server: &Arc<Server>, name: &str) -> Result<Vec<Arc<McpTool>>, McpError> {
        let schema = Arc::new(serde_json::Map::new());
        let listed = rmcp::model::Tool::new(name.to_owned(), "t", schema);
        Ok(vec![Arc::new(McpTool::new(server, &listed))])
    }

    #[test]
    fn tools_that_clash_once_prefixed_are_refused() {
        let config = McpServerConfig::stdio("srv", []);
        let a = Arc::new(Server::new("a", config.clone()).unwrap());
        let ab = Arc::new(Server::new("a__b", config).unwrap());
        let err = wrap(vec![tool(&a, "b__c"), tool(&ab, "c")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "MCP tools `a/b__c` and `a__b/c` would both be called `a__b__c`; rename a server"
        );
        let fine = wrap(vec![tool(&a, "b.c"), tool(&ab, "d")]).unwrap();
        let names: Vec<&str> = fine.iter().map(|t| t.name()).collect();
        assert_eq!(names, ["a__b__d", "a__b_c"]);
        assert_eq!(fine[1].parameters()["type"], "object");
    }
}
