//! The doctor's checks, each reading what the other commands use (the same `db::open`, the
//! same tool registry and wiring) and changing nothing. Secrets are never printed: URLs are
//! redacted and the LLM key goes only into the request's header.

use super::Check;
use crate::config::{self, Config};
use crate::db::{self, Access};
use juggernaut_store::url::redact;
use juggernaut_store::{StoreError, StoreOptions};
use std::sync::Arc;
use std::time::Duration;

/// How long the LLM provider has to answer.
const LLM_TIMEOUT: Duration = Duration::from_secs(5);

/// The database answers, at exactly this binary's schema.
pub async fn database(url: &str) -> Check {
    const NAME: &str = "database";
    let shown = redact(url);
    match db::open(url, Access::ReadOnly).await {
        Ok(store) => {
            store.close().await;
            Check::ok(NAME, format!("{shown}: reachable, schema current"))
        }
        Err(e) => {
            let detail = format!("{e:#}");
            match e.downcast_ref::<StoreError>() {
                Some(StoreError::Missing { .. }) => {
                    Check::warn(NAME, detail, "run `juggernaut migrate` or `juggernaut up`")
                }
                Some(StoreError::SchemaTooOld { .. }) => {
                    Check::warn(NAME, detail, "run `juggernaut migrate`")
                }
                Some(StoreError::SchemaTooNew { .. }) => Check::fail(
                    NAME,
                    detail,
                    "upgrade juggernaut to the version that migrated this database",
                ),
                _ => Check::fail(
                    NAME,
                    detail,
                    "check the database URL (--database-url, JUGGERNAUT_DATABASE_URL or \
                     database_url in juggernaut.toml) and that the database server is running",
                ),
            }
        }
    }
}

/// A provider is configured and answers `GET {base_url}/models` (any HTTP answer but a refused
/// key counts).
pub async fn llm(cfg: &Config) -> Check {
    const NAME: &str = "llm";
    let Some(p) = &cfg.llm.provider else {
        return Check::warn(
            NAME,
            "no LLM provider: goals without a playbook cannot be planned",
            "set JUGGERNAUT_LLM_BASE_URL (with JUGGERNAUT_LLM_API_KEY and JUGGERNAUT_LLM_MODEL), \
             OPENROUTER_API_KEY, or [llm.providers.NAME] in juggernaut.toml",
        );
    };
    let at = format!("{} at {}", p.name, redact(&p.base_url));
    let client = match reqwest::Client::builder().timeout(LLM_TIMEOUT).build() {
        Ok(c) => c,
        Err(e) => return Check::fail(NAME, format!("{at}: {}", chain(&e)), "report this bug"),
    };
    let mut request = client.get(format!("{}/models", p.base_url));
    if let Some(key) = &p.api_key {
        request = request.bearer_auth(key.expose());
    }
    match request.send().await {
        Ok(r) if matches!(r.status().as_u16(), 401 | 403) => Check::fail(
            NAME,
            format!("{at}: the key is refused (HTTP {})", r.status().as_u16()),
            "check the API key (JUGGERNAUT_LLM_API_KEY, OPENROUTER_API_KEY or the provider's \
             api_key_env)",
        ),
        Ok(r) => Check::ok(
            NAME,
            format!(
                "{at}: reachable (HTTP {}), planning model {}",
                r.status().as_u16(),
                p.model_for(juggernaut_llm::Purpose::Planning)
            ),
        ),
        Err(e) => Check::fail(
            NAME,
            format!("{at}: cannot reach it: {}", chain(&e.without_url())),
            "check the base URL and that the provider's server is running and reachable",
        ),
    }
}

/// An error and its causes on one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// Whether shell commands can run in bubblewrap.
pub async fn sandbox() -> Check {
    match juggernaut_tools::shell::bubblewrap().await {
        Ok(path) => Check::ok("sandbox", format!("bubblewrap ({})", path.display())),
        Err(why) => Check::warn(
            "sandbox",
            format!("commands run with rlimits only: bubblewrap is not usable ({why})"),
            "install bubblewrap (apt-get install bubblewrap)",
        ),
    }
}

/// The tool registry builds (secrets read from the environment), and the task kinds the
/// configuration leaves out.
pub async fn tools(cfg: &Config) -> Vec<Check> {
    let mut out = vec![match registered(cfg).await {
        Ok(names) => Check::ok("tools", names.join(", ")),
        Err(e) => Check::fail(
            "tools",
            format!("{e:#}"),
            "set the variable or correct the setting named above",
        ),
    }];
    match crate::wiring::deps(cfg) {
        Ok(deps) => {
            for (kind, why) in juggernaut_handlers::unavailable(&deps) {
                out.push(Check::warn(
                    format!("kind {kind}"),
                    format!("`{kind}` tasks are left out: {why}"),
                    &format!("configure what it needs if your goals need `{kind}` tasks"),
                ));
            }
        }
        Err(e) => out.push(Check::fail(
            "kinds",
            format!("{e:#}"),
            "correct the LLM provider's settings",
        )),
    }
    out
}

/// The names of the tools the configuration registers, built against a scratch store (the
/// toolbox records calls there; building it calls nothing).
async fn registered(cfg: &Config) -> anyhow::Result<Vec<String>> {
    let scratch = tempfile::tempdir()?;
    let url = format!("sqlite://{}", scratch.path().join("doctor.db").display());
    let store = juggernaut_store_sqlite::SqliteStore::open(&url, StoreOptions::default()).await?;
    let store: Arc<dyn juggernaut_store::Store> = Arc::new(store);
    let loaded = crate::toolset::load(cfg, store.clone()).await;
    let names = loaded.map(|(toolbox, _)| {
        let names: Vec<String> = toolbox
            .registry()
            .names()
            .into_iter()
            .map(str::to_owned)
            .collect();
        names
    });
    store.close().await;
    names
}

/// Each data source answers a trivial query within the configured timeout.
pub async fn sources(cfg: &Config) -> Vec<Check> {
    if cfg.sources.named.is_empty() {
        return vec![Check::ok("sources", "none configured")];
    }
    let mut out = Vec::new();
    for name in cfg.sources.named.keys() {
        let check = format!("source {name}");
        out.push(match probe(&cfg.sources, name).await {
            Ok(()) => Check::ok(check, "answers"),
            Err(e) => Check::fail(
                check,
                format!("{e:#}"),
                &format!(
                    "correct [sources.{name}] (its url or url_env) or make the database it names"
                ),
            ),
        });
    }
    out
}

/// `SELECT 1` on one source.
async fn probe(all: &config::Sources, name: &str) -> anyhow::Result<()> {
    let mut one = all.clone();
    one.named.retain(|n, _| n == name);
    let sources = juggernaut_sources::Sources::new(one.resolve()?)?.with_timeout(one.timeout);
    let limits = juggernaut_sources::RowLimits::default().with_max_rows(1);
    let rows = sources.query_rows(name, "SELECT 1", limits).await;
    sources.close().await;
    rows?;
    Ok(())
}

/// The playbooks that load, and each that does not.
pub fn playbooks(cfg: &Config) -> Vec<Check> {
    let dir = cfg.planner.playbooks_dir.display();
    match crate::wiring::Wiring::load(cfg) {
        Ok(w) => {
            let mut out = vec![Check::ok(
                "playbooks",
                format!("{} loaded from {dir}", w.playbooks.books.len()),
            )];
            for e in &w.playbooks.errors {
                out.push(Check::fail(
                    format!("playbook {}", e.file),
                    e.problems.join("; "),
                    "correct the file, or move it out of the playbooks folder",
                ));
            }
            out
        }
        Err(e) => vec![Check::fail(
            "playbooks",
            format!("{e:#}"),
            "correct the planner or LLM settings named above",
        )],
    }
}

/// The git CLI, which `[tools.git]` needs.
pub async fn git(required: bool) -> Check {
    let found = tokio::process::Command::new("git")
        .arg("--version")
        .output()
        .await
        .ok()
        .filter(|o| o.status.success());
    match found {
        Some(o) => Check::ok("git", String::from_utf8_lossy(&o.stdout).trim().to_owned()),
        None if required => Check::fail(
            "git",
            "the git CLI is not installed, and [tools.git] needs it",
            "install git (apt-get install git)",
        ),
        None => Check::warn(
            "git",
            "the git CLI is not installed (only [tools.git] needs it)",
            "install git (apt-get install git) before configuring [tools.git]",
        ),
    }
}
