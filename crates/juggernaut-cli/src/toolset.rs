//! What the configuration makes of the tools: the one tool registry (files and shell, network
//! tools, `sql_query` over the data sources, git and GitHub when configured, every tool of each
//! MCP server), the redactor that knows every secret the tools were given (and the LLM key), and
//! the toolbox that records each call in the store's ledger. Secrets are read here, when a
//! command runs tools, from the environment or files the configuration names.

use crate::config::{Config, RawChannel, Tools};
use crate::exit::BadInput;
use juggernaut_store::Store;
use juggernaut_tools::{Redactor, Tool, ToolRegistry, Toolbox, Workspaces};
use juggernaut_tools_net::{Channel, NotifyConfig, SearchConfig};
use std::path::Path;
use std::sync::Arc;

/// The toolbox and the task workspaces for a node.
pub async fn load(cfg: &Config, store: Arc<dyn Store>) -> anyhow::Result<(Toolbox, Workspaces)> {
    let t = &cfg.tools;
    let mut secrets: Vec<String> = Vec::new();
    let mut tools: Vec<Arc<dyn Tool>> = juggernaut_tools::local_tools(t.shell.clone());
    let search = search(t, &mut secrets)?;
    let notify = notify(t, &mut secrets)?;
    tools.extend(
        juggernaut_tools_net::net_tools(t.http.clone(), t.fetch.clone(), search, notify)
            .map_err(|e| BadInput(format!("[tools]: {e}")))?,
    );
    if !cfg.sources.named.is_empty() {
        let sources = juggernaut_sources::Sources::new(cfg.sources.resolve()?)
            .map_err(|e| BadInput(e.to_string()))?
            .with_timeout(cfg.sources.timeout);
        let sql = juggernaut_sources::SqlQuery::new(Arc::new(sources));
        tools.push(Arc::new(sql));
    }
    git(t, &mut tools, &mut secrets)?;
    if !t.mcp.is_empty() {
        // `env_from` and `header_env` name variables of our environment: read them here.
        let resolved = t
            .mcp
            .iter()
            .map(|(name, c)| {
                let c = c.resolve(name, |var| std::env::var(var).ok())?;
                Ok((name.clone(), c))
            })
            .collect::<Result<juggernaut_mcp::McpServerConfigs, juggernaut_mcp::McpError>>()
            .map_err(|e| BadInput(format!("[tools.mcp]: {e}")))?;
        secrets.extend(resolved.values().flat_map(|c| c.secrets()));
        let mcp = juggernaut_mcp::connect_all(&resolved)
            .await
            .map_err(|e| anyhow::anyhow!("[tools.mcp]: {e}"))?;
        tools.extend(mcp.tools());
    }
    if let Some(key) = cfg.llm.provider.as_ref().and_then(|p| p.api_key.as_ref()) {
        secrets.push(key.expose().to_owned());
    }
    let registry = ToolRegistry::new(tools).map_err(|e| anyhow::anyhow!("tool registry: {e}"))?;
    let toolbox =
        Toolbox::new(Arc::new(registry), store, Redactor::new(secrets)).with_timeout(t.timeout);
    Ok((toolbox, t.workspaces.clone()))
}

/// Reads a secret from an environment variable or a file, naming the section and its `keys`
/// (the variable's key, the file's key).
fn secret(
    env: Option<&str>,
    file: Option<&Path>,
    base: &Path,
    section: &str,
    keys: (&str, &str),
) -> anyhow::Result<Option<String>> {
    crate::config::secret::read(env, file, base, keys.0, keys.1)
        .map_err(|e| BadInput(format!("{section}: {e}")).into())
}

fn search(t: &Tools, secrets: &mut Vec<String>) -> anyhow::Result<Option<SearchConfig>> {
    let Some(s) = &t.search else { return Ok(None) };
    let api_key = secret(
        s.api_key_env.as_deref(),
        s.api_key_file.as_deref(),
        &t.base,
        "[tools.search]",
        ("api_key_env", "api_key_file"),
    )?;
    secrets.extend(api_key.clone());
    let mut c: SearchConfig = serde_json::from_value(serde_json::json!({ "provider": s.provider }))
        .map_err(|e| BadInput(format!("[tools.search]: {e}")))?;
    c.url = s.url.clone();
    c.api_key = api_key;
    if let Some(secs) = s.timeout_secs {
        c.timeout_secs = secs;
    }
    if let Some(n) = s.max_results {
        c.max_results = n;
    }
    Ok(Some(c))
}

fn notify(t: &Tools, secrets: &mut Vec<String>) -> anyhow::Result<NotifyConfig> {
    let mut out = NotifyConfig::default();
    if let Some(secs) = t.notify.timeout_secs {
        out.timeout_secs = secs;
    }
    for (name, c) in &t.notify.channels {
        let key = format!("[tools.notify.channels.{name}]");
        out.channels
            .insert(name.clone(), channel(c, &key, &t.base, secrets)?);
    }
    Ok(out)
}

fn channel(
    c: &RawChannel,
    key: &str,
    base: &Path,
    secrets: &mut Vec<String>,
) -> anyhow::Result<Channel> {
    let url = match (&c.url, &c.url_env) {
        (Some(u), _) => u.clone(),
        (None, env) => {
            let v = secret(env.as_deref(), None, base, key, ("url_env", ""))?.unwrap_or_default();
            secrets.push(v.clone());
            v
        }
    };
    Ok(match c.kind.as_str() {
        "slack" => Channel::Slack { webhook_url: url },
        "email" => Channel::Email {
            smtp_url: url,
            from: c.from.clone().unwrap_or_default(),
            to: c.to.clone(),
        },
        _ => {
            let mut headers = std::collections::BTreeMap::new();
            for (h, var) in &c.header_env {
                let v = secret(Some(var), None, base, key, ("header_env", ""))?.unwrap_or_default();
                secrets.push(v.clone());
                headers.insert(h.clone(), v);
            }
            Channel::Webhook { url, headers }
        }
    })
}

fn git(t: &Tools, tools: &mut Vec<Arc<dyn Tool>>, secrets: &mut Vec<String>) -> anyhow::Result<()> {
    if let Some(g) = &t.git {
        let token = secret(
            g.token_env.as_deref(),
            None,
            &t.base,
            "[tools.git]",
            ("token_env", ""),
        )?;
        secrets.extend(token.clone());
        let git = juggernaut_tools_git::Git::with_token(g.config(), token.as_deref())
            .map_err(|e| BadInput(format!("[tools.git]: {e}")))?;
        tools.push(Arc::new(git.push_tool()));
        tools.push(Arc::new(git));
    }
    if let Some(h) = &t.github {
        let token = secret(
            h.token_env.as_deref(),
            h.token_file.as_deref(),
            &t.base,
            "[tools.github]",
            ("token_env", "token_file"),
        )?;
        secrets.extend(token.clone());
        let mut cfg = juggernaut_tools_git::GitHubConfig {
            token,
            ..Default::default()
        };
        if let Some(url) = &h.api_url {
            cfg.api_url = url.clone();
        }
        if let Some(secs) = h.timeout_secs {
            cfg.timeout_secs = secs;
        }
        let bad = |e: String| BadInput(format!("[tools.github]: {e}"));
        tools.push(Arc::new(
            juggernaut_tools_git::GitHub::new(&cfg).map_err(bad)?,
        ));
        tools.push(Arc::new(
            juggernaut_tools_git::GitHubMerge::new(&cfg).map_err(bad)?,
        ));
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::config::Config;

    #[tokio::test]
    async fn the_names_wiring_plans_with_are_the_tools_it_registers() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("juggernaut.toml");
        for text in [
            "",
            "[sources.shop]\nurl = \"sqlite://shop.db\"\n[tools.search]\nprovider = \"searxng\"\n\
             url = \"http://127.0.0.1:9\"\n[tools.notify.channels.x]\ntype = \"webhook\"\n\
             url = \"http://127.0.0.1:9/h\"\n[tools.git]\nallowed_remotes = [\"/srv/git/\"]\n\
             [tools.github]\napi_url = \"http://127.0.0.1:9\"\n",
        ] {
            std::fs::write(&file, text).unwrap();
            let cfg = Config::load(Some(&file)).unwrap();
            let store = juggernaut_testkit::fresh_sqlite().await;
            let (toolbox, _) = super::load(&cfg, store).await.unwrap();
            let registered: std::collections::BTreeSet<String> = toolbox
                .registry()
                .names()
                .into_iter()
                .map(str::to_owned)
                .collect();
            assert_eq!(
                registered,
                cfg.tools.names(!cfg.sources.named.is_empty()),
                "{text}"
            );
        }
    }
}
