//! `juggernaut goal ...`: add, list, show, pause, resume, cancel, plan, progress, set-progress
//! (`edit` and `replan` are in `goal_edit`).

use super::Ctx;
use crate::cli::{GoalArgs, GoalCommand};
use crate::db::Access;
use crate::exit::BadInput;
use crate::output::{self, clean};
use chrono::{DateTime, NaiveDate, Utc};
use juggernaut_app::{App, GoalDetail};
use juggernaut_core::goal::{Budget, MetricSource, MetricTarget};
use juggernaut_core::{Goal, GoalId, GoalStatus, NewGoal};
use juggernaut_store::GoalFilter;

/// Runs a goal subcommand.
pub async fn run(ctx: &Ctx, cmd: GoalCommand) -> anyhow::Result<()> {
    let new = match &cmd {
        GoalCommand::Add(args) => Some(new_goal(args)?),
        _ => None,
    };
    if let Some(g) = &new {
        configured_source(ctx, g)?;
    }
    let access = match &cmd {
        GoalCommand::Add(_) => Access::Create,
        GoalCommand::Pause(_) | GoalCommand::Resume(_) | GoalCommand::Cancel(_) => Access::Existing,
        GoalCommand::Edit(_) | GoalCommand::Replan(_) => Access::Existing,
        GoalCommand::SetProgress { .. } => Access::Existing,
        _ => Access::ReadOnly,
    };
    let app = ctx.app(access).await?;
    let result = dispatch(&app, ctx.json, cmd, new).await;
    app.store().close().await;
    result
}

async fn dispatch(
    app: &App,
    json: bool,
    cmd: GoalCommand,
    new: Option<NewGoal>,
) -> anyhow::Result<()> {
    let status = |id: i64, to: GoalStatus, reason: String| async move {
        let g = app.set_goal_status(GoalId(id), to, "cli", &reason).await?;
        print_goal(&g, json, &format!("goal {} is now {}", g.id, g.status))
    };
    match (cmd, new) {
        (_, Some(g)) => {
            let g = app.add_goal(g, "cli").await?;
            print_goal(
                &g,
                json,
                &format!("added goal {}: {}", g.id, clean(&g.spec.title)),
            )
        }
        (GoalCommand::List { status, tag, limit }, _) => {
            let statuses = status
                .iter()
                .map(|s| s.parse())
                .collect::<Result<Vec<GoalStatus>, _>>()?;
            let filter = GoalFilter {
                statuses,
                tag,
                parent: None,
                before: None,
            };
            list(&app.goals(&filter, limit).await?, json)
        }
        (GoalCommand::Show { id }, _) => show(&app.goal_detail(GoalId(id)).await?, json),
        (GoalCommand::Pause(c), _) => status(c.id, GoalStatus::Paused, c.reason).await,
        (GoalCommand::Resume(c), _) => status(c.id, GoalStatus::Active, c.reason).await,
        (GoalCommand::Cancel(c), _) => status(c.id, GoalStatus::Cancelled, c.reason).await,
        (GoalCommand::Edit(args), _) => super::goal_edit::edit(app, args, json).await,
        (GoalCommand::Replan(c), _) => super::goal_edit::replan(app, c, json).await,
        (GoalCommand::Plan { id, diff }, _) => plan(app, GoalId(id), diff, json).await,
        (GoalCommand::Progress { id, limit }, _) => {
            let points = app.progress(GoalId(id), limit).await?;
            if json {
                return output::json(&points);
            }
            let rows: Vec<Vec<String>> = points
                .iter()
                .map(|p| vec![p.at.to_rfc3339(), p.value.to_string(), p.source.clone()])
                .collect();
            println!("{}", output::table(&["AT", "VALUE", "SOURCE"], &rows));
            Ok(())
        }
        (GoalCommand::SetProgress { id, value }, _) => {
            let r = app.set_progress(GoalId(id), value, "cli").await?;
            let note = if r.achieved {
                " (target reached: achieved)"
            } else {
                ""
            };
            print_goal(
                &r.goal,
                json,
                &format!("goal {} is at {value}{note}", r.goal.id),
            )
        }
        (GoalCommand::Add(_), None) => Err(anyhow::anyhow!("internal: no goal to add")),
    }
}

/// The goal the flags describe; refused with the flag named.
fn new_goal(a: &GoalArgs) -> anyhow::Result<NewGoal> {
    let source = match (&a.metric_sql, &a.metric_url) {
        (Some(query), _) => Some(MetricSource::Sql {
            source: a.source.clone().unwrap_or_default(),
            query: query.clone(),
        }),
        (None, Some(url)) => Some(MetricSource::HttpJson {
            url: url.clone(),
            pointer: a.metric_pointer.clone(),
        }),
        (None, None) => a.target.map(|_| MetricSource::Manual),
    };
    let target = match (source, a.target) {
        (Some(source), Some(target)) => Some(MetricTarget {
            source,
            target,
            unit: a.unit.clone(),
        }),
        (Some(_), None) => {
            return Err(BadInput(
                "a metric needs --target, the value that achieves the goal".into(),
            )
            .into());
        }
        (None, _) => None,
    };
    let g = NewGoal {
        title: a.title.clone(),
        description: a.description.clone(),
        parent_id: a.parent.map(GoalId),
        target,
        deadline: a.deadline.as_deref().map(deadline).transpose()?,
        budget: Budget {
            money_usd: a.budget_usd,
            max_tasks: a.max_tasks,
        },
        tags: a.tag.clone(),
        owner: "cli".into(),
    };
    g.validate()?;
    Ok(g)
}

/// A SQL metric must run on a data source the configuration names.
fn configured_source(ctx: &Ctx, goal: &NewGoal) -> anyhow::Result<()> {
    let sources = &ctx.config.sources;
    match goal.target.as_ref().map(|t| &t.source) {
        Some(MetricSource::Sql { source, .. }) if !sources.named.contains_key(source) => {
            Err(BadInput(format!(
                "--source `{source}` is not a configured data source (configured: {}); add \
                 [sources.{source}] to the configuration ({})",
                sources.listed(),
                clean(&ctx.config.source)
            ))
            .into())
        }
        _ => Ok(()),
    }
}

/// A deadline: a date (its end, UTC) or an RFC 3339 time.
pub fn deadline(text: &str) -> anyhow::Result<DateTime<Utc>> {
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let end = d.and_hms_opt(23, 59, 59).map(|t| t.and_utc());
        return end.ok_or_else(|| BadInput(format!("--deadline `{text}` is not a date")).into());
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            BadInput(format!(
                "--deadline `{}`: use YYYY-MM-DD or an RFC 3339 time",
                clean(text)
            ))
            .into()
        })
}

pub fn print_goal(g: &Goal, json: bool, line: &str) -> anyhow::Result<()> {
    if json {
        return output::json(g);
    }
    println!("{line}");
    Ok(())
}

fn progress_text(g: &Goal) -> String {
    match (&g.spec.target, g.current) {
        (Some(t), Some(v)) => format!(
            "{v}/{} {} ({:.0}%)",
            t.target,
            t.unit,
            t.progress(v) * 100.0
        ),
        (Some(t), None) => format!("-/{} {}", t.target, t.unit),
        (None, _) => "-".into(),
    }
}

fn list(goals: &[Goal], json: bool) -> anyhow::Result<()> {
    if json {
        return output::json(goals);
    }
    if goals.is_empty() {
        println!("no goals");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = goals
        .iter()
        .map(|g| {
            vec![
                g.id.to_string(),
                g.status.to_string(),
                progress_text(g),
                g.spec
                    .deadline
                    .map_or("-".into(), |d| d.format("%Y-%m-%d").to_string()),
                g.plan_version.to_string(),
                g.spec.tags.join(","),
                g.spec.title.clone(),
            ]
        })
        .collect();
    println!(
        "{}",
        output::table(
            &[
                "ID", "STATUS", "PROGRESS", "DEADLINE", "PLAN", "TAGS", "TITLE"
            ],
            &rows
        )
    );
    Ok(())
}

fn show(d: &GoalDetail, json: bool) -> anyhow::Result<()> {
    if json {
        return output::json(d);
    }
    let g = &d.goal;
    println!("goal {}: {} ({})", g.id, clean(&g.spec.title), g.status);
    println!("progress: {}", progress_text(g));
    if let Some(t) = &g.spec.target {
        println!("metric: {}", clean(&serde_json::to_string(&t.source)?));
    }
    if let Some(dl) = g.spec.deadline {
        println!("deadline: {}", dl.to_rfc3339());
    }
    if let Some(f) = &d.forecast {
        println!(
            "forecast: {} ({})",
            f.status.as_str(),
            clean(&f.explanation)
        );
    }
    let budget = g
        .spec
        .budget
        .money_usd
        .map_or_else(|| "no budget".to_owned(), |b| format!("of ${b:.2}"));
    println!(
        "spent: ${:.4} {budget} ({} calls, {} tokens in, {} out{})",
        d.spend.settled_usd,
        d.spend.calls,
        d.spend.tokens_in,
        d.spend.tokens_out,
        if d.spend.reserved_usd > 0.0 {
            format!(", ${:.4} held for calls under way", d.spend.reserved_usd)
        } else {
            String::new()
        }
    );
    match &d.plan {
        Some(p) => println!(
            "plan: version {} by {} ({} tasks)",
            p.version,
            clean(&p.made_by),
            p.task_ids.len()
        ),
        None => println!("plan: none yet"),
    }
    if !d.open_tasks.is_empty() {
        println!(
            "\n{}",
            output::table(&output::TASK_HEADERS, &output::task_rows(&d.open_tasks))
        );
    }
    if let Some(why) = &d.idle {
        println!("idle: {}", clean(why));
    }
    Ok(())
}

async fn plan(app: &App, id: GoalId, diff: bool, json: bool) -> anyhow::Result<()> {
    let Some(view) = app.current_plan(id).await? else {
        if json {
            return output::json(&serde_json::Value::Null);
        }
        println!("goal {id} has no plan yet");
        return Ok(());
    };
    if json {
        return output::json(&view);
    }
    let p = &view.plan;
    println!(
        "plan version {} of goal {id}, made by {}",
        p.version,
        clean(&p.made_by)
    );
    let rows: Vec<Vec<String>> = p
        .graph
        .tasks
        .iter()
        .zip(
            p.task_ids
                .iter()
                .map(|t| t.to_string())
                .chain(std::iter::repeat("-".into())),
        )
        .map(|(t, id)| {
            vec![
                t.key.clone(),
                id,
                t.kind.clone(),
                t.depends_on.join(","),
                t.title.clone(),
            ]
        })
        .collect();
    println!(
        "{}",
        output::table(&["KEY", "TASK", "KIND", "AFTER", "TITLE"], &rows)
    );
    if diff {
        match &view.diff {
            Some(d) => println!(
                "\nsince version {}: added [{}], removed [{}], changed [{}]",
                p.version - 1,
                d.added.join(", "),
                d.removed.join(", "),
                d.changed.join(", ")
            ),
            None => println!("\nthe first plan: nothing to compare"),
        }
    }
    Ok(())
}
