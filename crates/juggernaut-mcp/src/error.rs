//! Why MCP servers could not be set up: each error names the server (or the clashing tools) and
//! never carries a secret of the configuration.

use thiserror::Error;

/// A bad configuration, a server that could not be reached, or tools that clash.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum McpError {
    /// The server's configuration is wrong.
    #[error("MCP server `{server}`: {reason}")]
    Config {
        /// The server's name.
        server: String,
        /// What to change.
        reason: String,
    },
    /// The program could not be started, the endpoint did not answer, or the MCP handshake or
    /// the listing of tools failed.
    #[error("MCP server `{server}`: cannot connect: {reason}")]
    Connect {
        /// The server's name.
        server: String,
        /// What went wrong.
        reason: String,
    },
    /// Two tools get the same name once prefixed and sanitised.
    #[error("MCP tools `{first}` and `{second}` would both be called `{name}`; rename a server")]
    Collision {
        /// The name both would get.
        name: String,
        /// The first tool, as `server/tool`.
        first: String,
        /// The second tool, as `server/tool`.
        second: String,
    },
}
