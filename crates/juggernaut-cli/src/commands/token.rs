//! `juggernaut token create|list|revoke`: API tokens for the HTTP API. `create` prints the token
//! once (the store keeps only its SHA-256); `list` never shows a token or a hash; `revoke` stops
//! a token at once. Creating and revoking are audited with who did it.

use super::Ctx;
use crate::cli::{CreateTokenArgs, TokenCommand};
use crate::db::Access;
use crate::output;
use juggernaut_store::{TokenId, TokenRecord};
use serde_json::json;

/// The line printed under a new token.
const SHOWN_ONCE: &str =
    "This is the only time the token is shown: store it now (only its SHA-256 is kept).";

/// Runs `token ...`.
pub async fn run(ctx: &Ctx, cmd: TokenCommand) -> anyhow::Result<()> {
    match cmd {
        TokenCommand::Create(args) => create(ctx, args).await,
        TokenCommand::List => list(ctx).await,
        TokenCommand::Revoke { id, identity } => {
            let app = ctx.app(Access::Existing).await?;
            let actor = identity.name();
            let result = app.revoke_token(TokenId(id), &actor).await;
            app.store().close().await;
            let t = result?;
            if ctx.json {
                return output::json(&t);
            }
            println!(
                "revoked token {} `{}` ({}) by {}",
                t.id,
                output::clean(&t.name),
                t.role,
                output::clean(&actor)
            );
            Ok(())
        }
    }
}

async fn create(ctx: &Ctx, args: CreateTokenArgs) -> anyhow::Result<()> {
    let app = ctx.app(Access::Create).await?;
    let actor = args.identity.name();
    let result = app.create_token(&args.name, args.role, &actor).await;
    app.store().close().await;
    let issued = result?;
    let t = &issued.record;
    if ctx.json {
        let mut value = serde_json::to_value(t)?;
        if let Some(obj) = value.as_object_mut() {
            obj.insert("token".into(), json!(issued.token()));
            obj.insert("note".into(), json!(SHOWN_ONCE));
        }
        return output::json(&value);
    }
    println!(
        "created token {} `{}` with role {} (by {})",
        t.id,
        output::clean(&t.name),
        t.role,
        output::clean(&actor)
    );
    println!("{}", issued.token());
    println!("{SHOWN_ONCE}");
    println!("Use it as `Authorization: Bearer <token>`.");
    Ok(())
}

async fn list(ctx: &Ctx) -> anyhow::Result<()> {
    let app = ctx.app(Access::ReadOnly).await?;
    let result = app.tokens().await;
    app.store().close().await;
    let tokens = result?;
    if ctx.json {
        return output::json(&tokens);
    }
    if tokens.is_empty() {
        println!("no API tokens (`juggernaut token create --name NAME --role ROLE` makes one)");
        return Ok(());
    }
    let headers = [
        "ID",
        "NAME",
        "ROLE",
        "CREATED",
        "BY",
        "LAST USED",
        "REVOKED",
    ];
    let rows: Vec<Vec<String>> = tokens.iter().map(row).collect();
    println!("{}", output::table(&headers, &rows));
    Ok(())
}

/// One table row (the table prints every cell through [`output::clean`]).
fn row(t: &TokenRecord) -> Vec<String> {
    let at = |d: Option<chrono::DateTime<chrono::Utc>>| {
        d.map(|d| d.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_else(|| "-".into())
    };
    let revoked = match (&t.revoked_at, &t.revoked_by) {
        (Some(_), by) => format!("{} by {}", at(t.revoked_at), by.as_deref().unwrap_or("?")),
        (None, _) => "-".into(),
    };
    vec![
        t.id.to_string(),
        t.name.clone(),
        t.role.to_string(),
        at(Some(t.created_at)),
        t.created_by.clone(),
        at(t.last_used_at),
        revoked,
    ]
}
