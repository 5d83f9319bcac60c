//! `juggernaut up` (one process, every role, the HTTP listener) and `juggernaut worker` (more
//! processes sharing the work). SIGINT or SIGTERM stops claiming, lets in-flight tasks finish
//! within the grace period, and hands the rest back.

use super::Ctx;
use crate::cli::{UpArgs, WorkerArgs};
use crate::config::{self, Config};
use crate::db::{self, Access};
use crate::output;
use juggernaut_app::App;
use juggernaut_core::PlanCoverage;
use juggernaut_core::worker::Role;
use juggernaut_engine::node::worker_name;
use juggernaut_engine::{Node, NodeConfig};
use juggernaut_handler::gate::{self, Gate};
use juggernaut_server::AppState;
use juggernaut_store::url::redact;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// `juggernaut up`.
pub async fn up(ctx: &Ctx, args: UpArgs) -> anyhow::Result<()> {
    let cfg = ctx.config.clone().with_concurrency(args.engine.concurrency);
    let listen = cfg.listen_addr(args.listen.as_deref())?;
    super::listen::check(&ctx.url, listen, args.engine.insecure_listen).await?;
    run(&ctx.url, &cfg, Role::ALL.to_vec(), Some(listen)).await
}

/// `juggernaut worker --roles ...`.
pub async fn worker(ctx: &Ctx, args: WorkerArgs) -> anyhow::Result<()> {
    let cfg = ctx.config.clone().with_concurrency(args.engine.concurrency);
    let roles = config::parse_roles(&args.roles)?;
    if roles.is_empty() {
        return Err(crate::exit::BadInput("--roles names no role".into()).into());
    }
    let listen = match &args.listen {
        Some(flag) => {
            let addr = cfg.listen_addr(Some(flag))?;
            super::listen::check(&ctx.url, addr, args.engine.insecure_listen).await?;
            Some(addr)
        }
        None => None,
    };
    run(&ctx.url, &cfg, roles, listen).await
}

async fn run(
    url: &str,
    cfg: &Config,
    roles: Vec<Role>,
    listen: Option<SocketAddr>,
) -> anyhow::Result<()> {
    let wiring = crate::wiring::Wiring::load(cfg)?;
    for e in &wiring.playbooks.errors {
        eprintln!(
            "warning: {} (left out; `juggernaut playbook check` lists every problem)",
            output::clean(&e.to_string())
        );
    }
    if let Some(w) = unpriced_warning(cfg) {
        eprintln!("warning: {}", output::clean(&w));
    }
    let planning = wiring.planning(cfg);
    let proactive = wiring.proactive(cfg);
    let experimenting = wiring.experimenting(std::time::Duration::from_secs(10));
    let (sampling, sources) = crate::sampling::load(cfg)?;
    let registry = wiring.registry;
    let coverage: Arc<dyn PlanCoverage> = wiring.coverage;
    let store = db::open(url, Access::Create).await?;
    let (toolbox, workspaces) = crate::toolset::load(cfg, store.clone()).await?;
    let escalating = crate::escalating::escalating(cfg, &toolbox, &workspaces);
    check_policy(cfg, &registry, toolbox.registry())?;
    let kinds = cfg.kinds_of(&roles);
    let host = host_name();
    let mut node_cfg = NodeConfig::new(
        worker_name(&host),
        host,
        roles,
        &registry,
        &kinds,
        cfg.concurrency,
    );
    node_cfg.dispatcher.lease = cfg.lease;
    node_cfg.dispatcher.poll_interval = cfg.poll;
    node_cfg.dispatcher.shutdown_grace = cfg.shutdown_grace;
    node_cfg.leader.worker_lost_after = cfg.worker_lost_after;
    node_cfg.leader.max_run = cfg.max_run;
    node_cfg.leader.retention = cfg.retention;
    let serving: Vec<String> = node_cfg.registration.kinds.clone();
    let app = App::new(store.clone(), registry.clone())
        .with_planning(coverage)
        .with_day_budget(cfg.llm.limits.day_usd);
    let node = Node::new(store.clone(), registry, node_cfg)
        .with_planning(planning)
        .with_proactive(proactive)
        .with_sampling(sampling)
        .with_escalations(escalating)
        .with_tools(toolbox, workspaces)
        .with_gate(Gate::new(cfg.governance.policy.clone()));
    let node = match experimenting {
        Some(x) => node.with_experiments(x),
        None => node,
    };
    let shutdown = CancellationToken::new();
    tokio::spawn(on_signal(shutdown.clone()));
    let server = match listen {
        Some(addr) => {
            let listener = juggernaut_server::bind(addr).await?;
            let state = AppState {
                store: store.clone(),
                app,
                worker: node.worker().clone(),
                idle: node.idle_board(),
                events: node.events(),
            };
            Some(juggernaut_server::spawn(listener, state, shutdown.clone()))
        }
        None => None,
    };
    println!(
        "juggernaut {}: worker {} on {} serving [{}] (configuration: {})",
        env!("CARGO_PKG_VERSION"),
        node.worker(),
        output::clean(&redact(url)),
        serving.join(", "),
        output::clean(&cfg.source)
    );
    if let Some(addr) = listen {
        println!(
            "listening on http://{addr}/ (health: /healthz, readiness: /readyz, metrics: /metrics; \
             API: /api, with a token)"
        );
        println!(
            "dashboard: {} (sign in with an API token: `juggernaut token create --name NAME --role viewer`)",
            dashboard_url(addr)
        );
    }
    let result = node.run(shutdown.clone()).await;
    shutdown.cancel();
    if let Some(s) = server {
        let _ = s.await;
    }
    store.close().await;
    sources.close().await;
    result?;
    println!("stopped cleanly");
    Ok(())
}

/// The dashboard's address for a browser: a wildcard listen address is reached on loopback.
fn dashboard_url(addr: SocketAddr) -> String {
    let mut shown = addr;
    if addr.ip().is_unspecified() {
        shown.set_ip(if addr.is_ipv4() {
            std::net::Ipv4Addr::LOCALHOST.into()
        } else {
            std::net::Ipv6Addr::LOCALHOST.into()
        });
    }
    format!("http://{shown}/")
}

/// A paid-looking provider (not on this machine) whose planning model has no price: its calls
/// count as free unless the provider reports their cost, so money budgets may not bind.
fn unpriced_warning(cfg: &Config) -> Option<String> {
    let p = cfg.llm.provider.as_ref()?;
    let model = p.model_for(juggernaut_llm::Purpose::Planning);
    let local = ["://127.", "://localhost", "://[::1]"]
        .iter()
        .any(|h| p.base_url.contains(h));
    if local || p.usage_include || cfg.llm.prices.get(model).is_some() {
        return None;
    }
    Some(format!(
        "the planning model `{model}` has no price in [llm.prices] and {} may not report what a call costs: money budgets count its calls at $0 once settled; add [llm.prices.\"{model}\"]",
        p.name
    ))
}

/// Cancels `token` on SIGINT or SIGTERM.
async fn on_signal(token: CancellationToken) {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
    tracing::warn!("shutdown requested: finishing in-flight tasks");
    eprintln!("shutting down: no new claims; in-flight tasks finish or are handed back");
    token.cancel();
}

/// This machine's host name (the kernel's, else `HOSTNAME`, else `localhost`).
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_owned())
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".to_owned())
}

/// Refuses a policy whose kind rules would never apply; warns about tool rules for tools this
/// configuration does not register.
fn check_policy(
    cfg: &Config,
    registry: &juggernaut_handler::Registry,
    tools: &juggernaut_tools::ToolRegistry,
) -> anyhow::Result<()> {
    let policy = &cfg.governance.policy;
    let source = &cfg.governance.policy_source;
    let unknown = gate::unknown_kinds(policy, registry);
    if !unknown.is_empty() {
        let list = unknown.join("; ");
        return Err(crate::exit::BadInput(format!("policy ({source}): {list}")).into());
    }
    for t in gate::unregistered_tools(policy, tools) {
        eprintln!(
            "warning: policy ({}): tool `{}` is not configured here; its rule applies once it is",
            output::clean(source),
            output::clean(&t)
        );
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::dashboard_url;

    #[test]
    fn the_dashboard_url_is_one_a_browser_can_open() {
        let url = |a: &str| dashboard_url(a.parse().unwrap());
        assert_eq!(url("127.0.0.1:8080"), "http://127.0.0.1:8080/");
        assert_eq!(url("0.0.0.0:8080"), "http://127.0.0.1:8080/");
        assert_eq!(url("[::]:9000"), "http://[::1]:9000/");
        assert_eq!(url("10.1.2.3:80"), "http://10.1.2.3:80/");
    }
}
