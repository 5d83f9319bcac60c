//! `juggernaut token create|list|revoke`'s flags: API tokens for the HTTP API, each with a role
//! (admin, operator, approver, viewer). Who acts is recorded as `approve` records it (`--as`,
//! else `JUGGERNAUT_ACTOR`, else the OS user, else `cli`).

use super::approval::Identity;
use super::id_parser;
use clap::{Args, Subcommand};
use juggernaut_core::ApiRole;

/// `juggernaut token ...`
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Make a token and print it once (only its SHA-256 is kept; it cannot be shown again).
    Create(CreateTokenArgs),
    /// Every token, revoked ones included, newest first: id, name, role, made, last used,
    /// revoked (never a token or its hash).
    List,
    /// Revoke a token: it never authenticates again.
    Revoke {
        /// Token id (from `token list`).
        #[arg(value_parser = id_parser(), allow_negative_numbers = true)]
        id: i64,
        /// Who revokes.
        #[command(flatten)]
        identity: Identity,
    },
}

/// `juggernaut token create --name N --role R`
#[derive(Debug, Args)]
pub struct CreateTokenArgs {
    /// What or who it is for (1-64 bytes; unique among active tokens).
    #[arg(long)]
    pub name: String,
    /// What it may do: admin (everything, tokens too), operator (read, retry, cancel, requeue,
    /// enqueue, goals; not approve), approver (read, approve, reject), viewer (read).
    #[arg(long, value_parser = parse_role)]
    pub role: ApiRole,
    /// Who makes it.
    #[command(flatten)]
    pub identity: Identity,
}

fn parse_role(text: &str) -> Result<ApiRole, String> {
    text.parse()
        .map_err(|e: juggernaut_core::token::UnknownRole| e.to_string())
}
