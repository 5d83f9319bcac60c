//! The task state machine as one pure function: `next(from, action)`. Stores enforce the same rules
//! in their SQL `WHERE` clauses; the conformance suite checks that they agree with this table.

use crate::error::DomainError;
use crate::status::TaskStatus::{self, *};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Something that moves a task from one status to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Dependencies completed and `run_at` has come: `pending` → `ready`.
    Promote,
    /// A worker takes the task with a lease: `ready` → `running`.
    Claim,
    /// The handler finished and its evidence is checked out of line: `running` → `verifying`.
    Verify,
    /// The work waits on something outside (a pull request): `running` (or `verifying`) →
    /// `awaiting_external`.
    AwaitExternal,
    /// The verifier accepted the evidence: → `completed`.
    Complete,
    /// A failed attempt with attempts left: → `pending` until the backoff has passed.
    Retry,
    /// A failed attempt with no attempts left: → `dead` (the dead-letter queue).
    Kill,
    /// The handler says retrying cannot help: → `failed`.
    FailPermanently,
    /// The lease expired without a completion and attempts are left: `running` or `verifying` →
    /// `ready`.
    Rescue,
    /// The worker hands the task back unfinished (graceful shutdown): `running` or `verifying` →
    /// `ready`, and the attempt does not count.
    Release,
    /// Stop the task: any live status → `cancelled`.
    Cancel,
    /// A dependency died, failed or was cancelled: a waiting task → `blocked`.
    Block,
    /// The dependency that blocked the task was requeued: `blocked` → `pending`.
    Unblock,
    /// A person sends a dead, failed or cancelled task back: → `pending`.
    Requeue,
    /// The task's risk needs a human: `pending`/`ready`, or its holder while `running` or
    /// `verifying` → `waiting_approval`.
    RequestApproval,
    /// A human approved: `waiting_approval` → `pending`.
    Approve,
    /// A human rejected: `waiting_approval` → `cancelled`.
    Reject,
    /// The time to look at what an `awaiting_external` task waits for has come: → `ready`, so
    /// that its handler runs again to look (the look does not count as an attempt).
    Recheck,
}

impl Action {
    /// Every action, for exhaustive tests.
    pub const ALL: [Action; 18] = [
        Self::Promote,
        Self::Claim,
        Self::Verify,
        Self::AwaitExternal,
        Self::Complete,
        Self::Retry,
        Self::Kill,
        Self::FailPermanently,
        Self::Rescue,
        Self::Release,
        Self::Cancel,
        Self::Block,
        Self::Unblock,
        Self::Requeue,
        Self::RequestApproval,
        Self::Approve,
        Self::Reject,
        Self::Recheck,
    ];

    fn verb(self) -> &'static str {
        match self {
            Self::Promote => "be promoted to ready",
            Self::Claim => "be claimed",
            Self::Verify => "start verification",
            Self::AwaitExternal => "await an external event",
            Self::Complete => "be completed",
            Self::Retry => "be retried",
            Self::Kill => "be dead-lettered",
            Self::FailPermanently => "fail permanently",
            Self::Rescue => "be rescued from an expired lease",
            Self::Release => "be released by its worker",
            Self::Cancel => "be cancelled",
            Self::Block => "be blocked",
            Self::Unblock => "be unblocked",
            Self::Requeue => "be requeued",
            Self::RequestApproval => "ask for approval",
            Self::Approve => "be approved",
            Self::Reject => "be rejected",
            Self::Recheck => "be checked again",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.verb())
    }
}

/// The status a task moves to when `action` happens in status `from`, or the refusal.
///
/// `verifying` is a `running` attempt whose evidence is being re-checked: its lease still holds
/// and it leaves by every way `running` does, except into `verifying` again.
pub fn next(from: TaskStatus, action: Action) -> Result<TaskStatus, DomainError> {
    let to = match (from, action) {
        (Pending, Action::Promote) => Some(Ready),
        (Ready, Action::Claim) => Some(Running),
        (Running, Action::Verify) => Some(Verifying),
        (Running | Verifying, Action::AwaitExternal) => Some(AwaitingExternal),
        (Running | Verifying | AwaitingExternal, Action::Complete) => Some(Completed),
        (Running | Verifying | AwaitingExternal, Action::Retry) => Some(Pending),
        (Running | Verifying | AwaitingExternal, Action::Kill) => Some(Dead),
        (Running | Verifying | AwaitingExternal, Action::FailPermanently) => Some(Failed),
        (Running | Verifying, Action::Rescue | Action::Release) => Some(Ready),
        (s, Action::Cancel) if !s.is_terminal() => Some(Cancelled),
        (Pending | WaitingApproval | Ready, Action::Block) => Some(Blocked),
        (Blocked, Action::Unblock) => Some(Pending),
        (Dead | Failed | Cancelled, Action::Requeue) => Some(Pending),
        (Pending | Ready | Running | Verifying, Action::RequestApproval) => Some(WaitingApproval),
        (AwaitingExternal, Action::Recheck) => Some(Ready),
        (WaitingApproval, Action::Approve) => Some(Pending),
        (WaitingApproval, Action::Reject) => Some(Cancelled),
        _ => None,
    };
    to.ok_or(DomainError::Transition { from, action })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// The complete table of allowed moves; every pair not listed must be refused.
    fn allowed() -> HashMap<(TaskStatus, Action), TaskStatus> {
        let mut m = HashMap::new();
        m.insert((Pending, Action::Promote), Ready);
        m.insert((Ready, Action::Claim), Running);
        m.insert((Running, Action::Verify), Verifying);
        for s in [Running, Verifying] {
            m.insert((s, Action::AwaitExternal), AwaitingExternal);
            m.insert((s, Action::Rescue), Ready);
            m.insert((s, Action::Release), Ready);
            m.insert((s, Action::RequestApproval), WaitingApproval);
        }
        for s in [Running, Verifying, AwaitingExternal] {
            m.insert((s, Action::Complete), Completed);
            m.insert((s, Action::Retry), Pending);
            m.insert((s, Action::Kill), Dead);
            m.insert((s, Action::FailPermanently), Failed);
        }
        for s in [
            Pending,
            WaitingApproval,
            Ready,
            Running,
            AwaitingExternal,
            Verifying,
        ] {
            m.insert((s, Action::Cancel), Cancelled);
        }
        for s in [Pending, WaitingApproval, Ready] {
            m.insert((s, Action::Block), Blocked);
        }
        m.insert((Blocked, Action::Unblock), Pending);
        for s in [Dead, Failed, Cancelled] {
            m.insert((s, Action::Requeue), Pending);
        }
        m.insert((Pending, Action::RequestApproval), WaitingApproval);
        m.insert((Ready, Action::RequestApproval), WaitingApproval);
        m.insert((AwaitingExternal, Action::Recheck), Ready);
        m.insert((WaitingApproval, Action::Approve), Pending);
        m.insert((WaitingApproval, Action::Reject), Cancelled);
        m
    }

    #[test]
    fn every_pair_is_allowed_or_refused_as_the_table_says() {
        let table = allowed();
        let mut allowed_count = 0;
        for from in TaskStatus::ALL {
            for action in Action::ALL {
                match table.get(&(from, action)) {
                    Some(to) => {
                        allowed_count += 1;
                        assert_eq!(next(from, action), Ok(*to), "{from} + {action:?}");
                    }
                    None => assert_eq!(
                        next(from, action),
                        Err(DomainError::Transition { from, action }),
                        "{from} + {action:?} should be refused"
                    ),
                }
            }
        }
        assert_eq!(allowed_count, table.len());
        assert_eq!(allowed_count, 41);
    }

    #[test]
    fn terminal_statuses_only_leave_by_requeue_or_unblock() {
        for from in TaskStatus::ALL.into_iter().filter(|s| s.is_terminal()) {
            for action in Action::ALL {
                if let Ok(to) = next(from, action) {
                    assert!(matches!(action, Action::Requeue | Action::Unblock));
                    assert_eq!(to, Pending);
                }
            }
        }
    }

    #[test]
    fn verifying_leaves_as_running_does_but_never_verifies_twice() {
        for action in Action::ALL {
            let from_running = next(Running, action);
            let from_verifying = next(Verifying, action);
            if action == Action::Verify {
                assert_eq!(from_running, Ok(Verifying));
                assert!(from_verifying.is_err(), "verifying cannot start again");
            } else {
                assert_eq!(from_verifying.ok(), from_running.ok(), "{action:?}");
            }
        }
        assert_eq!(next(Verifying, Action::Rescue), Ok(Ready));
        assert_eq!(next(Verifying, Action::Complete), Ok(Completed));
        assert_eq!(
            next(Verifying, Action::Claim),
            Err(DomainError::Transition {
                from: Verifying,
                action: Action::Claim
            })
        );
    }

    #[test]
    fn refusal_names_status_and_action() {
        let err = next(Completed, Action::Claim).unwrap_err();
        assert_eq!(
            err.to_string(),
            "task in status `completed` cannot be claimed"
        );
    }
}
