//! A1, API listing at scale: N tasks bulk-enqueued through the store (five kinds, one of them
//! rare; 40% of them for one of 100 goals; a tenth delayed so `pending`; one in 200 cancelled;
//! a quarter claimed and completed, spread over the id range; up to 5,000 left `running`),
//! then the HTTP server started in this process on 127.0.0.1:0 with a viewer token, and
//! `--a1-clients` concurrent clients issue `GET /api/tasks` (limit 50): first pages, pages deep
//! in the keyset (a cursor anywhere in the id range, then the `next_cursor` of the answer), and
//! the same filtered by status, by kind, by goal and by status and kind, until `--a1-requests`
//! requests were made or `--a1-secs` passed. `jobs_per_s` is requests per second; p50/p95/p99
//! are each request's time until its whole body was read.

use super::report::{Line, percentile};
use super::target::Target;
use crate::cli::BenchArgs;
use juggernaut_app::App;
use juggernaut_core::{ApiRole, Evidence, GoalId, NewGoal, NewTask, TaskKind};
use juggernaut_engine::idle::IdleBoard;
use juggernaut_server::AppState;
use juggernaut_store::{ClaimRequest, Completion, LeaseRef};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Tasks per enqueue call.
const BATCH: u64 = 1000;
/// Goals the tasks are spread over.
const GOALS: u64 = 100;
/// Page size asked for.
const LIMIT: u32 = 50;
/// The kinds, with their share of tasks in percent; the last is rare.
const KINDS: [(&str, u64); 5] = [
    ("noop", 50),
    ("shell", 20),
    ("http", 20),
    ("report", 9),
    ("analysis", 1),
];
/// Statuses the clients filter by.
const STATUSES: [&str; 5] = ["ready", "completed", "pending", "running", "ready,pending"];

/// What the seed made: the id range and the goals.
struct Seeded {
    max_id: i64,
    goals: Vec<GoalId>,
}

/// Runs A1 and prints its line.
pub async fn run(target: &Target, args: &BenchArgs) -> anyhow::Result<()> {
    let n = args.a1_n;
    let started = Instant::now();
    let seeded = seed(target, n).await?;
    eprintln!(
        "A1 ({}): seeded {n} tasks in {:.1} s",
        target.backend.as_str(),
        started.elapsed().as_secs_f64()
    );
    let app = App::new(target.store.clone(), crate::db::registry()?);
    let issued = app
        .create_token("bench-a1", ApiRole::Viewer, "bench")
        .await?;
    let token = issued.token().to_owned();
    let listener = juggernaut_server::bind(std::net::SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let base = format!("http://{}/api/tasks", listener.local_addr()?);
    let state = AppState {
        store: target.store.clone(),
        app,
        worker: "bench-a1".into(),
        idle: IdleBoard::default(),
        events: Default::default(),
    };
    let stop = CancellationToken::new();
    let server = juggernaut_server::spawn(listener, state, stop.clone());
    let measured = load(&base, &token, &seeded, args).await;
    stop.cancel();
    let _ = server.await;
    let (mut times, elapsed) = measured?;
    let requests = times.len();
    times.sort_by(f64::total_cmp);
    println!(
        "{}",
        Line {
            workload: "A1",
            n,
            jobs_per_s: Some(requests as f64 / elapsed.as_secs_f64()),
            p50_ms: percentile(&times, 50.0),
            p95_ms: percentile(&times, 95.0),
            p99_ms: percentile(&times, 99.0),
            extra: vec![
                ("clients".into(), args.a1_clients.to_string()),
                ("requests".into(), requests.to_string()),
                ("limit".into(), LIMIT.to_string()),
            ],
        }
        .render(target.backend)
    );
    Ok(())
}

/// The index in [`KINDS`] of the `i`th task's kind.
fn kind_of(i: u64) -> usize {
    let mut slot = i % 100;
    for (k, (_, share)) in KINDS.iter().enumerate() {
        if slot < *share {
            return k;
        }
        slot -= share;
    }
    0
}

/// Enqueues `n` tasks in batches; after each batch cancels a few, then claims the oldest ready
/// tasks (of every kind: a claim of one kind would walk past the others' backlog) and completes
/// them; at the end leaves up to 5,000 tasks running.
async fn seed(target: &Target, n: u64) -> anyhow::Result<Seeded> {
    let store = &target.store;
    let mut goals = Vec::with_capacity(GOALS as usize);
    for g in 0..GOALS {
        let goal = store
            .add_goal(NewGoal::titled(&format!("A1 goal {g}")), "bench")
            .await?;
        goals.push(goal.id);
    }
    let kinds: Vec<TaskKind> = KINDS
        .iter()
        .map(|(k, _)| TaskKind::new(k))
        .collect::<Result<_, _>>()?;
    let later = chrono::Utc::now() + chrono::Duration::days(1);
    let claim = ClaimRequest {
        worker: "bench-a1".into(),
        kinds: kinds.clone(),
        limit: 250,
        lease: Duration::from_secs(86_400),
    };
    let (mut i, mut max_id) = (0u64, 0i64);
    while i < n {
        let size = (n - i).min(BATCH);
        let batch: Vec<NewTask> = (i..i + size)
            .map(|j| {
                let kind = &kinds[kind_of(j)];
                let mut t = NewTask::new(kind.clone());
                t.title = format!("A1 {kind} task {j}");
                if j % 5 < 2 {
                    t.goal_id = Some(goals[(j / 5 % GOALS) as usize]);
                }
                if j % 10 == 9 {
                    t.run_at = Some(later);
                }
                t
            })
            .collect();
        let out = store.enqueue_batch(batch).await?;
        if let Some(last) = out.iter().map(|e| e.task.id.0).max() {
            max_id = max_id.max(last);
        }
        for e in out.iter().filter(|e| e.task.id.0 % 200 == 7) {
            store.cancel(e.task.id, "bench", "A1 seed").await?;
        }
        let claimed = store.claim(&claim).await?;
        let done: Vec<Completion> = claimed
            .iter()
            .filter_map(LeaseRef::of)
            .map(|l| Completion {
                lease: l,
                result: serde_json::json!({"ok": true}),
                evidence: vec![Evidence::HandlerRun {
                    handler: "noop".into(),
                    lease_token: l.token,
                    duration_us: 1,
                }],
                children: vec![],
            })
            .collect();
        for r in store.complete_batch(done).await? {
            r?;
        }
        i += size;
    }
    // Left running at the end: completions look for their task among the running ones, so
    // running tasks kept through the seed would slow it down.
    let running = ClaimRequest {
        limit: u32::try_from((n / 100).clamp(1, 1000)).unwrap_or(1000),
        ..claim
    };
    for _ in 0..5 {
        store.claim(&running).await?;
    }
    Ok(Seeded { max_id, goals })
}

/// One request's query, by pattern `p`; `deep` is a cursor deep in the id range.
fn query(p: u64, deep: i64, seeded: &Seeded, pick: u64) -> String {
    let status = STATUSES[(pick % STATUSES.len() as u64) as usize];
    let kind = KINDS[(pick % KINDS.len() as u64) as usize].0;
    let goal = seeded.goals[(pick % seeded.goals.len() as u64) as usize];
    let filter = match p % 5 {
        0 => String::new(),
        1 => format!("&status={status}"),
        2 => format!("&kind={kind}"),
        3 => format!("&goal={goal}"),
        _ => format!("&status={status}&kind={kind}"),
    };
    let cursor = if (p / 5) % 2 == 1 {
        format!("&cursor={deep}")
    } else {
        String::new()
    };
    format!("?limit={LIMIT}{filter}{cursor}")
}

/// Runs the clients; returns every request's latency in milliseconds and the wall time.
async fn load(
    base: &str,
    token: &str,
    seeded: &Seeded,
    args: &BenchArgs,
) -> anyhow::Result<(Vec<f64>, Duration)> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(args.a1_clients as usize)
        .timeout(Duration::from_secs(60))
        .build()?;
    let budget = Arc::new(AtomicU64::new(args.a1_requests));
    let deadline = Instant::now() + Duration::from_secs(args.a1_secs);
    let seeded = Arc::new(Seeded {
        max_id: seeded.max_id,
        goals: seeded.goals.clone(),
    });
    let started = Instant::now();
    let mut clients = tokio::task::JoinSet::new();
    for c in 0..args.a1_clients {
        let (http, budget, seeded) = (http.clone(), budget.clone(), seeded.clone());
        let (base, auth) = (base.to_owned(), format!("Bearer {token}"));
        clients.spawn(async move {
            let mut times = Vec::new();
            let mut follow: Option<String> = None;
            let mut p = u64::from(c);
            while Instant::now() < deadline && take(&budget) {
                let q = match follow.take() {
                    Some(q) => q,
                    None => {
                        p += 1;
                        let deep = rand::random_range(1..=seeded.max_id.max(1));
                        query(p, deep, &seeded, rand::random::<u64>())
                    }
                };
                let sent = Instant::now();
                let resp = http
                    .get(format!("{base}{q}"))
                    .header("authorization", &auth)
                    .send()
                    .await?;
                let status = resp.status();
                let body = resp.bytes().await?;
                times.push(sent.elapsed().as_secs_f64() * 1000.0);
                anyhow::ensure!(
                    status.is_success(),
                    "A1: GET /api/tasks{q} answered {status}: {}",
                    String::from_utf8_lossy(&body)
                );
                let page: serde_json::Value = serde_json::from_slice(&body)?;
                // Every other page goes on to the next one through the answer's cursor.
                if p % 2 == 0
                    && let Some(next) = page.get("next_cursor").and_then(|v| v.as_i64())
                {
                    follow = Some(next_page(&q, next));
                    p += 1;
                }
            }
            Ok::<_, anyhow::Error>(times)
        });
    }
    let mut all = Vec::new();
    while let Some(joined) = clients.join_next().await {
        all.extend(joined??);
    }
    let elapsed = started.elapsed();
    anyhow::ensure!(!all.is_empty(), "A1 made no request");
    Ok((all, elapsed))
}

/// Takes one request from the shared budget; false when it is spent.
fn take(budget: &AtomicU64) -> bool {
    budget
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| b.checked_sub(1))
        .is_ok()
}

/// `q` with its cursor replaced by `cursor`.
fn next_page(q: &str, cursor: i64) -> String {
    let kept: Vec<&str> = q
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.starts_with("cursor="))
        .collect();
    format!("?{}&cursor={cursor}", kept.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_their_shares() {
        let count = |k: &str| (0..1000).filter(|i| KINDS[kind_of(*i)].0 == k).count();
        assert_eq!(count("noop"), 500);
        assert_eq!(count("analysis"), 10);
        assert_eq!(count("report"), 90);
    }

    #[test]
    fn next_page_replaces_the_cursor() {
        assert_eq!(
            next_page("?limit=50&kind=http&cursor=9", 3),
            "?limit=50&kind=http&cursor=3"
        );
        assert_eq!(next_page("?limit=50", 3), "?limit=50&cursor=3");
    }
}
