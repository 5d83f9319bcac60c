//! `juggernaut task ...`: enqueue (one, or many from JSON Lines), list, show, cancel, retry.

use super::Ctx;
use crate::cli::{EnqueueArgs, ListArgs, MAX_DELAY_SECS, TaskCommand};
use crate::db::{self, Access};
use crate::exit::BadInput;
use crate::input::{self, Lines};
use crate::output::{self, clean};
use juggernaut_app::App;
use juggernaut_core::{GoalId, NewTask, TaskId, TaskStatus, Waiting};
use juggernaut_handler::Registry;
use juggernaut_store::{PageRequest, TaskFilter};
use serde::Deserialize;

/// Tasks sent to the store in one transaction by `--from`.
const BATCH: usize = 1000;

/// Runs a task subcommand.
pub async fn run(ctx: &Ctx, cmd: TaskCommand) -> anyhow::Result<()> {
    let registry = ctx.wiring()?.registry;
    // Validate what can be validated before touching the database.
    let one = match &cmd {
        TaskCommand::Enqueue(args) if args.from.is_none() => Some(single(&registry, args)?),
        _ => None,
    };
    let filter = match &cmd {
        TaskCommand::List(args) => Some(filter(&registry, args)?),
        _ => None,
    };
    let access = match &cmd {
        TaskCommand::Enqueue(_) => Access::Create,
        TaskCommand::Cancel { .. } | TaskCommand::Retry { .. } => Access::Existing,
        TaskCommand::List(_) | TaskCommand::Show { .. } => Access::ReadOnly,
    };
    let app = App::new(db::open(&ctx.url, access).await?, registry);
    let result = match (cmd, one) {
        (_, Some(t)) => enqueue(&app, t, ctx.json).await,
        (TaskCommand::Enqueue(args), None) => {
            let source = args.from.unwrap_or_default();
            enqueue_from(&app, &source, ctx.json).await
        }
        (TaskCommand::List(args), _) => {
            list(&app, filter.unwrap_or_default(), &args, ctx.json).await
        }
        (TaskCommand::Show { id }, _) => show(&app, TaskId(id), ctx.json).await,
        (TaskCommand::Cancel { id, reason }, _) => {
            match app.cancel(TaskId(id), "cli", &reason).await {
                Ok(t) => print_one(&t, ctx.json, "cancelled"),
                Err(e) => Err(e.into()),
            }
        }
        (TaskCommand::Retry { id }, _) => match app.retry(TaskId(id), "cli").await {
            Ok(t) => print_one(&t, ctx.json, "requeued"),
            Err(e) => Err(e.into()),
        },
    };
    app.store().close().await;
    result
}

/// One task as the command line or a `--from` line describes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    kind: String,
    title: Option<String>,
    #[serde(default = "empty_object")]
    input: serde_json::Value,
    goal: Option<i64>,
    #[serde(default)]
    priority: i32,
    delay_secs: Option<u64>,
    max_attempts: Option<u32>,
    dedupe_key: Option<String>,
    #[serde(default)]
    depends_on: Vec<i64>,
}

fn empty_object() -> serde_json::Value {
    serde_json::Value::Object(Default::default())
}

/// A checked task: a kind with a handler and an input it accepts, ids from 1, a delay within
/// range, and what [`NewTask::validate`] checks.
fn build(registry: &Registry, s: Spec) -> anyhow::Result<NewTask> {
    let mut t = NewTask::new(registry.check(&s.kind)?);
    if let Some(title) = s.title {
        t.title = title;
    }
    t.input = s.input;
    t.goal_id = s
        .goal
        .map(|g| positive_id("goal", g).map(GoalId))
        .transpose()?;
    t.priority = s.priority;
    if let Some(secs) = s.delay_secs {
        if secs > MAX_DELAY_SECS {
            return Err(BadInput(format!(
                "delay_secs {secs} is out of range: use 0 to {MAX_DELAY_SECS}"
            ))
            .into());
        }
        let secs = i64::try_from(secs).unwrap_or(i64::MAX);
        t.run_at = Some(chrono::Utc::now() + chrono::Duration::seconds(secs));
    }
    if let Some(n) = s.max_attempts {
        t.max_attempts = n;
    }
    t.dedupe_key = s.dedupe_key;
    t.depends_on = s
        .depends_on
        .into_iter()
        .map(|d| positive_id("depends_on", d).map(TaskId))
        .collect::<anyhow::Result<_>>()?;
    juggernaut_app::check_task(registry, &t)?;
    Ok(t)
}

fn positive_id(field: &str, id: i64) -> anyhow::Result<i64> {
    if id < 1 {
        return Err(BadInput(format!("{field} {id} is not an id (ids start at 1)")).into());
    }
    Ok(id)
}

fn single(registry: &Registry, a: &EnqueueArgs) -> anyhow::Result<NewTask> {
    let spec = Spec {
        kind: a.kind.clone().unwrap_or_default(),
        title: a.title.clone(),
        input: input::json_value(&a.input)?,
        goal: a.goal,
        priority: a.priority,
        delay_secs: a.delay_secs,
        max_attempts: Some(a.max_attempts),
        dedupe_key: a.dedupe_key.clone(),
        depends_on: a.depends_on.clone(),
    };
    build(registry, spec)
}

async fn enqueue(app: &App, t: NewTask, as_json: bool) -> anyhow::Result<()> {
    let e = app.enqueue(t).await?;
    if as_json {
        return output::json(&e);
    }
    let verb = if e.created {
        "enqueued"
    } else {
        "already queued (same dedupe key)"
    };
    println!(
        "{verb}: task {} ({}, {})",
        e.task.id, e.task.kind, e.task.status
    );
    Ok(())
}

/// What `--from` did.
#[derive(Debug, Default, serde::Serialize)]
struct Imported {
    /// Tasks created.
    created: usize,
    /// Lines whose dedupe key a live task already held.
    existing: usize,
    /// Transactions.
    batches: usize,
    /// The task of each line, in order.
    ids: Vec<TaskId>,
}

/// Enqueues the tasks of a JSON Lines source in batches of [`BATCH`]: each batch is checked
/// whole first and sent as one transaction, so a batch with a bad line enqueues nothing; the
/// batches before it stay enqueued.
async fn enqueue_from(app: &App, source: &str, as_json: bool) -> anyhow::Result<()> {
    let mut lines = Lines::open(source)?;
    let mut done = Imported::default();
    loop {
        let (batch, bad, span) = read_batch(&mut lines, app.registry())?;
        let Some((first, last)) = span else { break };
        let refused = |why: String| {
            BadInput(format!(
                "{}: lines {first}-{last} refused, none of them enqueued ({} task(s) from earlier lines were):\n{why}",
                lines.name(),
                done.ids.len()
            ))
        };
        if !bad.is_empty() {
            return Err(refused(bad.join("\n")).into());
        }
        let results = match app.enqueue_batch(batch).await {
            Ok(r) => r,
            Err(e) if e.is_bad_input() => return Err(refused(format!("  {e}")).into()),
            Err(e) => return Err(e.into()),
        };
        done.batches += 1;
        for r in results {
            if r.created {
                done.created += 1;
            } else {
                done.existing += 1;
            }
            done.ids.push(r.task.id);
        }
    }
    if as_json {
        return output::json(&done);
    }
    println!(
        "enqueued {} task(s) from {} in {} batch(es): {} new, {} already queued (same dedupe key)",
        done.ids.len(),
        clean(lines.name()),
        done.batches,
        done.created,
        done.existing
    );
    Ok(())
}

/// The next batch: its checked tasks, the reasons of its bad lines, and its first and last line
/// numbers (`None` at the end).
type Batch = (Vec<NewTask>, Vec<String>, Option<(usize, usize)>);

fn read_batch(lines: &mut Lines, registry: &Registry) -> anyhow::Result<Batch> {
    let (mut tasks, mut bad, mut span) = (Vec::new(), Vec::new(), None);
    while tasks.len() + bad.len() < BATCH {
        let Some((n, text)) = lines.next_line()? else {
            break;
        };
        span = Some((span.map_or(n, |(first, _)| first), n));
        let checked = serde_json::from_str::<Spec>(&text)
            .map_err(anyhow::Error::from)
            .and_then(|spec| build(registry, spec));
        match checked {
            Ok(t) => tasks.push(t),
            Err(e) => bad.push(format!("  line {n}: {}", clean(&format!("{e:#}")))),
        }
    }
    Ok((tasks, bad, span))
}

/// Builds a filter, refusing unknown statuses and kinds without a handler by name.
fn filter(registry: &Registry, a: &ListArgs) -> anyhow::Result<TaskFilter> {
    let statuses = a
        .status
        .iter()
        .map(|s| s.parse::<TaskStatus>())
        .collect::<Result<Vec<_>, _>>()?;
    let kinds = a
        .kind
        .iter()
        .map(|k| registry.check_known(k))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(TaskFilter {
        statuses,
        kinds,
        goal_id: a.goal.map(GoalId),
    })
}

async fn list(app: &App, f: TaskFilter, a: &ListArgs, as_json: bool) -> anyhow::Result<()> {
    let page = app
        .list_tasks(
            &f,
            PageRequest {
                before: a.cursor.map(TaskId),
                limit: a.limit,
            },
        )
        .await?;
    output::tasks(&page.items, as_json, page.next_cursor)
}

async fn show(app: &App, id: TaskId, as_json: bool) -> anyhow::Result<()> {
    let detail = app.show_task(id).await?;
    if as_json {
        return output::json(&detail);
    }
    let (task, deps, events) = (detail.task, detail.depends_on, detail.events);
    println!(
        "{}",
        output::table(
            &output::TASK_HEADERS,
            &output::task_rows(std::slice::from_ref(&task))
        )
    );
    println!("\ninput: {}", clean(&task.input.to_string()));
    if let Some(l) = &task.lease {
        println!(
            "lease: held by {} (token {}) until {}",
            clean(&l.holder.0),
            l.token,
            l.expires_at
        );
    }
    if !deps.is_empty() {
        let list: Vec<String> = deps.iter().map(|d| d.to_string()).collect();
        println!(
            "depends on: {} ({} not completed)",
            list.join(", "),
            task.pending_deps
        );
    }
    if let Some(e) = &task.last_error {
        println!("last error: {}", clean(e));
    }
    match &task.waiting {
        Some(Waiting::Approval { reason, .. }) => println!(
            "waiting for approval: {} (`juggernaut approve {}` or `juggernaut reject {} --reason ...`)",
            clean(reason),
            task.id,
            task.id
        ),
        Some(Waiting::External { what, check_at }) => {
            println!(
                "waiting for: {} (looked at again at {check_at})",
                clean(what)
            );
        }
        None => {}
    }
    if let Some(r) = &task.result {
        println!("result: {}", clean(&r.to_string()));
    }
    for e in &task.evidence {
        println!("evidence: {}", clean(&serde_json::to_string(e)?));
    }
    let rows: Vec<Vec<String>> = events
        .iter()
        .map(|e| {
            vec![
                e.at.format("%Y-%m-%d %H:%M:%S%.3f").to_string(),
                e.kind.to_string(),
                format!(
                    "{} -> {}",
                    e.from_status.map_or("-", |s| s.as_str()),
                    e.to_status.map_or("-", |s| s.as_str())
                ),
                e.actor.clone(),
                e.data.to_string(),
            ]
        })
        .collect();
    println!(
        "\n{}",
        output::table(&["AT", "EVENT", "TRANSITION", "ACTOR", "DATA"], &rows)
    );
    Ok(())
}

fn print_one(t: &juggernaut_core::Task, as_json: bool, verb: &str) -> anyhow::Result<()> {
    if as_json {
        return output::json(t);
    }
    println!("{verb}: task {} is now {}", t.id, t.status);
    Ok(())
}
