//! The work sections, read from the audit log and the tasks: what completed in the period with
//! its evidence, what failed for good or went dead in it, and what waits for approval now.

use super::{MAX_APPROVALS, MAX_DONE, MAX_FAILURES, Sources};
use crate::data::{ApprovalLine, DoneTask, FailureLine, Period};
use crate::links::links;
use juggernaut_core::{AuditEvent, EventKind, TaskStatus, Waiting};
use juggernaut_store::{AuditCursor, AuditFilter, PageRequest, StoreResult, TaskFilter};

/// The newest events of `kinds` in the period (at most `limit`), and whether there were more.
async fn events(
    sources: &Sources,
    kinds: Vec<EventKind>,
    period: Period,
    limit: u32,
) -> StoreResult<(Vec<AuditEvent>, bool)> {
    let filter = AuditFilter {
        kinds,
        since: Some(period.since),
        ..AuditFilter::default()
    };
    let page = AuditCursor {
        before: None,
        limit: limit + 1,
    };
    let mut found: Vec<AuditEvent> = sources
        .reads
        .audit(&filter, page)
        .await?
        .events
        .into_iter()
        .filter(|e| e.at <= period.until && e.task_id.is_some())
        .collect();
    let more = found.len() > limit as usize;
    found.truncate(limit as usize);
    Ok((found, more))
}

/// Tasks completed in the period, newest first, with their evidence links.
pub async fn done(sources: &Sources, period: Period) -> StoreResult<(Vec<DoneTask>, bool)> {
    let (completed, more) =
        events(sources, vec![EventKind::TaskCompleted], period, MAX_DONE).await?;
    let mut done = Vec::with_capacity(completed.len());
    for e in completed {
        let Some(id) = e.task_id else { continue };
        // A task pruned since its completion is left out: its evidence is gone with it.
        let Some(task) = sources.reads.get(id).await? else {
            continue;
        };
        if task.status != TaskStatus::Completed {
            continue;
        }
        done.push(DoneTask {
            id,
            kind: task.kind.as_str().to_owned(),
            title: task.title.clone(),
            goal: task.goal_id,
            at: e.at,
            links: links(id, &task.evidence),
        });
    }
    Ok((done, more))
}

/// Tasks that failed for good or went dead in the period (a run-time limit that ended a task's
/// last attempt is a `task.timed_out` into `dead` or `failed`), newest first.
pub async fn failures(sources: &Sources, period: Period) -> StoreResult<(Vec<FailureLine>, bool)> {
    let kinds = vec![
        EventKind::TaskDead,
        EventKind::TaskFailed,
        EventKind::TaskTimedOut,
    ];
    let (ended, more) = events(sources, kinds, period, MAX_FAILURES).await?;
    let mut lines = Vec::with_capacity(ended.len());
    for e in ended {
        let dead = e.kind == EventKind::TaskDead || e.to_status == Some(TaskStatus::Dead);
        let ended_for_good = match e.kind {
            EventKind::TaskTimedOut => {
                matches!(e.to_status, Some(TaskStatus::Dead | TaskStatus::Failed))
            }
            _ => true,
        };
        let Some(id) = e.task_id.filter(|_| ended_for_good) else {
            continue;
        };
        let task = sources.reads.get(id).await?;
        let error = e.data["error"].as_str().unwrap_or_default().to_owned();
        lines.push(FailureLine {
            id,
            kind: task
                .as_ref()
                .map(|t| t.kind.as_str().to_owned())
                .unwrap_or_default(),
            title: task.map(|t| t.title).unwrap_or_else(|| "(pruned)".into()),
            outcome: if dead { "dead" } else { "failed" }.into(),
            error,
            at: e.at,
        });
    }
    Ok((lines, more))
}

/// Tasks waiting for approval now, newest first.
pub async fn approvals(sources: &Sources) -> StoreResult<Vec<ApprovalLine>> {
    let filter = TaskFilter {
        statuses: vec![TaskStatus::WaitingApproval],
        ..TaskFilter::default()
    };
    let page = PageRequest {
        before: None,
        limit: MAX_APPROVALS,
    };
    let waiting = sources.reads.list(&filter, page).await?.items;
    Ok(waiting
        .into_iter()
        .filter_map(|t| match t.waiting {
            Some(Waiting::Approval {
                reason,
                risk,
                assessment,
            }) => Some(ApprovalLine {
                id: t.id,
                kind: t.kind.as_str().to_owned(),
                title: t.title,
                risk,
                score: assessment.map(|a| a.score),
                reason,
                since: t.updated_at,
            }),
            _ => None,
        })
        .collect())
}
