//! `juggernaut bench`: the workloads of ../shared/bench/WORKLOADS.md, each on a fresh database,
//! printing exactly one result line per workload.

mod a1;
mod fake_llm;
mod p1;
mod report;
mod sweep;
mod target;
mod w1;
mod w2;
mod w3;

use crate::cli::{BenchArgs, BenchBackend};
use crate::exit::BadInput;
use juggernaut_store::url::Backend;

/// Default PostgreSQL server for benchmarks when no URL is given.
const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Runs the requested workloads on the requested backends.
pub async fn run(url: &str, args: BenchArgs) -> anyhow::Result<()> {
    let workloads = parse_workloads(&args.workloads)?;
    let backends = match args.backend {
        BenchBackend::Sqlite => vec![Backend::Sqlite],
        BenchBackend::Postgres => vec![Backend::Postgres],
        BenchBackend::All => vec![Backend::Sqlite, Backend::Postgres],
    };
    let pg_admin = match Backend::from_url(url) {
        Some(Backend::Postgres) => url.to_owned(),
        _ => DEFAULT_POSTGRES.to_owned(),
    };
    println!(
        "# juggernaut {} bench: concurrency={} (all other settings default)",
        env!("CARGO_PKG_VERSION"),
        args.concurrency
    );
    for backend in backends {
        for w in &workloads {
            if *w == Workload::Sweep {
                sweep::run(backend, &pg_admin, &args).await?;
                continue;
            }
            let target = target::Target::fresh(backend, &pg_admin).await?;
            let outcome = match w {
                Workload::W1 => w1::run(&target, &args).await,
                Workload::W2 => w2::run(&target, &args).await,
                Workload::W3 => w3::run(&target, &args).await,
                Workload::P1 => p1::run(&target, &args, false).await,
                Workload::P1Llm => p1::run(&target, &args, true).await,
                Workload::A1 => a1::run(&target, &args).await,
                Workload::Sweep => Ok(()),
            };
            target.dispose().await;
            outcome?;
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Workload {
    W1,
    W2,
    W3,
    Sweep,
    P1,
    P1Llm,
    A1,
}

fn parse_workloads(names: &[String]) -> anyhow::Result<Vec<Workload>> {
    names
        .iter()
        .map(|n| match n.trim().to_ascii_uppercase().as_str() {
            "W1" => Ok(Workload::W1),
            "W2" => Ok(Workload::W2),
            "W3" => Ok(Workload::W3),
            "SWEEP" => Ok(Workload::Sweep),
            "P1" => Ok(Workload::P1),
            "P1-LLM" => Ok(Workload::P1Llm),
            "A1" => Ok(Workload::A1),
            other => Err(BadInput(format!(
                "unknown workload `{other}` (available: W1, W2, W3, SWEEP, P1, P1-llm, A1)"
            ))
            .into()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workload_names_are_checked() {
        assert_eq!(
            parse_workloads(&["w1".into(), " W2".into()]).unwrap(),
            vec![Workload::W1, Workload::W2]
        );
        assert!(
            parse_workloads(&["W9".into()])
                .unwrap_err()
                .to_string()
                .contains("unknown workload `W9`")
        );
    }
}
