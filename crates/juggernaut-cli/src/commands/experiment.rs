//! `juggernaut experiment add|list|show|stop`: experiments from flags or a spec file, a page of
//! them (`--json`: an array of objects), one with its points and conclusion, and a stop.

use super::Ctx;
use crate::cli::{ExperimentAddArgs, ExperimentCommand};
use crate::db::Access;
use crate::exit::BadInput;
use crate::output;
use juggernaut_core::GoalId;
use juggernaut_core::experiment::{
    ConversionMetric, Experiment, ExperimentId, ExperimentSpec, ExperimentStatus, StoppingRule,
    Variant,
};

/// Runs `experiment ...`.
pub async fn run(ctx: &Ctx, cmd: ExperimentCommand) -> anyhow::Result<()> {
    match cmd {
        ExperimentCommand::Add(args) => add(ctx, args).await,
        ExperimentCommand::List {
            status,
            limit,
            cursor,
        } => list(ctx, status.as_deref(), limit, cursor).await,
        ExperimentCommand::Show { id } => show(ctx, id).await,
        ExperimentCommand::Stop {
            id,
            reason,
            identity,
        } => {
            let app = ctx.app(Access::Existing).await?;
            let result = app
                .stop_experiment(ExperimentId(id), &reason, &identity.name())
                .await;
            app.store().close().await;
            let e = result?;
            if ctx.json {
                return output::json(&e);
            }
            println!(
                "stopped experiment {} ({})",
                e.id,
                output::clean(&e.spec.name)
            );
            Ok(())
        }
    }
}

/// The spec from `--file` (TOML or JSON by its extension) or from the flags.
pub fn spec_of(args: &ExperimentAddArgs) -> anyhow::Result<ExperimentSpec> {
    if let Some(path) = &args.file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| BadInput(format!("--file {}: {e}", path.display())))?;
        let is_json = path.extension().is_some_and(|x| x == "json");
        let parsed = if is_json {
            serde_json::from_str(&text).map_err(|e| e.to_string())
        } else {
            toml::from_str(&text).map_err(|e| e.to_string())
        };
        return parsed.map_err(|e| BadInput(format!("--file {}: {e}", path.display())).into());
    }
    let need = |v: &Option<String>, flag: &str| {
        v.clone()
            .ok_or_else(|| BadInput(format!("{flag} is required (or give --file)")))
    };
    let mut variants = vec![variant(&need(&args.control, "--control")?, true)?];
    if args.variants.is_empty() {
        return Err(BadInput("give at least one --variant besides the --control".into()).into());
    }
    for v in &args.variants {
        variants.push(variant(v, false)?);
    }
    Ok(ExperimentSpec {
        name: need(&args.name, "--name")?,
        hypothesis: need(&args.hypothesis, "--hypothesis")?,
        goal_id: args.goal.map(GoalId),
        variants,
        metric: ConversionMetric {
            source: need(&args.source, "--source")?,
            query: need(&args.query, "--query")?,
        },
        min_sample: args.min_sample,
        max_duration_secs: args.max_duration_secs,
        interval_secs: args.interval_secs,
        rule: StoppingRule::Bayesian {
            alpha: args.alpha,
            max_loss: args.max_loss,
        },
        rollout: None,
        rollback: None,
    })
}

/// `NAME` or `NAME:WEIGHT`.
fn variant(text: &str, control: bool) -> Result<Variant, BadInput> {
    let (name, weight) = match text.split_once(':') {
        Some((n, w)) => (
            n,
            w.parse::<f64>()
                .map_err(|_| BadInput(format!("variant `{text}`: the weight must be a number")))?,
        ),
        None => (text, 1.0),
    };
    Ok(Variant {
        name: name.to_owned(),
        weight,
        control,
    })
}

async fn add(ctx: &Ctx, args: ExperimentAddArgs) -> anyhow::Result<()> {
    let spec = spec_of(&args)?;
    let app = ctx.app(Access::Create).await?;
    let result = app.add_experiment(spec, &args.identity.name()).await;
    app.store().close().await;
    let e = result?;
    if ctx.json {
        return output::json(&e);
    }
    println!(
        "experiment {} running: {} ({} variants); the leader starts its first iteration",
        e.id,
        output::clean(&e.spec.name),
        e.spec.variants.len()
    );
    Ok(())
}

async fn list(
    ctx: &Ctx,
    status: Option<&str>,
    limit: u32,
    cursor: Option<i64>,
) -> anyhow::Result<()> {
    let status = status.map(str::parse::<ExperimentStatus>).transpose()?;
    let app = ctx.app(Access::ReadOnly).await?;
    let result = app
        .experiments(status, cursor.map(ExperimentId), limit)
        .await;
    app.store().close().await;
    let page = result?;
    if ctx.json {
        return output::json(&page.items);
    }
    if page.items.is_empty() {
        println!("no experiments");
        return Ok(());
    }
    let headers = ["ID", "STATUS", "ITERATION", "VERDICT", "WINNER", "NAME"];
    let rows: Vec<Vec<String>> = page.items.iter().map(row).collect();
    println!("{}", output::table(&headers, &rows));
    if let Some(c) = page.next_cursor {
        println!("more: --cursor {c}");
    }
    Ok(())
}

fn row(e: &Experiment) -> Vec<String> {
    let (verdict, winner) = e.conclusion.as_ref().map_or(("-".into(), "-".into()), |c| {
        (
            c.verdict.as_str().to_owned(),
            c.winner.clone().unwrap_or_else(|| "-".into()),
        )
    });
    vec![
        e.id.to_string(),
        e.status.to_string(),
        e.iteration.to_string(),
        verdict,
        winner,
        e.spec.name.clone(),
    ]
}

async fn show(ctx: &Ctx, id: i64) -> anyhow::Result<()> {
    let app = ctx.app(Access::ReadOnly).await?;
    let result = app.experiment(ExperimentId(id)).await;
    app.store().close().await;
    let d = result?;
    if ctx.json {
        return output::json(&d);
    }
    let e = &d.experiment;
    println!(
        "experiment {}: {} ({})",
        e.id,
        output::clean(&e.spec.name),
        e.status
    );
    println!("hypothesis: {}", output::clean(&e.spec.hypothesis));
    println!(
        "iteration {}, started {}",
        e.iteration,
        e.started_at.format("%Y-%m-%d %H:%M:%S UTC")
    );
    let rows: Vec<Vec<String>> = d
        .points
        .iter()
        .map(|p| {
            vec![
                p.iteration.to_string(),
                p.variant.clone(),
                p.successes.to_string(),
                p.trials.to_string(),
            ]
        })
        .collect();
    if !rows.is_empty() {
        println!(
            "{}",
            output::table(&["ITERATION", "VARIANT", "SUCCESSES", "TRIALS"], &rows)
        );
    }
    if let Some(c) = &e.conclusion {
        println!(
            "conclusion: {}: {}",
            c.verdict.as_str(),
            output::clean(&c.reason)
        );
    }
    if let Some(r) = &e.stop_reason {
        println!("stopped: {}", output::clean(r));
    }
    Ok(())
}
