//! Every event has a name, a serde tag that matches it and a counter; subscribers see what comes
//! after they subscribe.

use super::*;

/// One of each event.
fn one_of_each() -> Vec<EngineEvent> {
    let t = TaskId(1);
    vec![
        EngineEvent::TaskClaimed {
            task: t,
            kind: "noop".into(),
            waited_ms: 3,
        },
        EngineEvent::TaskRan {
            task: t,
            kind: "noop".into(),
            run_ms: 1,
        },
        EngineEvent::TaskCompleted { task: t },
        EngineEvent::ResultRefused {
            task: t,
            reason: "stale".into(),
        },
        EngineEvent::AttemptFailed {
            task: t,
            error: "e".into(),
            outcome: FailureOutcome::Dead,
        },
        EngineEvent::TaskParked {
            task: t,
            waiting: "external",
        },
        EngineEvent::ResultsWritten {
            count: 2,
            write_ms: 1,
        },
        EngineEvent::LeaseLost { task: t },
        EngineEvent::LeasesReleased { count: 1 },
        EngineEvent::LeasesRescued {
            rescued: vec![t],
            dead: vec![],
        },
        EngineEvent::WorkerLost {
            worker: "w".into(),
            rescued: vec![],
            dead: vec![],
        },
        EngineEvent::AttemptsTimedOut { tasks: vec![t] },
        EngineEvent::ExternalsRechecked { tasks: vec![t] },
        EngineEvent::ScheduleFired {
            schedule: "s".into(),
            task: t,
        },
        EngineEvent::ScheduleSkipped {
            schedule: "s".into(),
            reason: "r".into(),
        },
        EngineEvent::PlanRequested {
            goal: GoalId(1),
            task: t,
        },
        EngineEvent::GoalNotPlannable {
            goal: GoalId(1),
            reason: "r".into(),
        },
        EngineEvent::ReplanRequested { goal: GoalId(1) },
        EngineEvent::TaskProposed {
            goal: Some(GoalId(1)),
            task: t,
        },
        EngineEvent::MetricSampled {
            goal: GoalId(1),
            value: 2.5,
        },
        EngineEvent::MetricReadFailed {
            goal: GoalId(1),
            reason: "r".into(),
        },
        EngineEvent::GoalAchieved {
            goal: GoalId(1),
            value: 3.0,
        },
        EngineEvent::GoalsMissed {
            goals: vec![GoalId(2)],
        },
        EngineEvent::TasksPruned { count: 3 },
        EngineEvent::EscalationRaised {
            escalation: juggernaut_core::EscalationId(1),
            key: "dead:1".into(),
            kind: juggernaut_core::EscalationKind::DeadLetter,
            level: juggernaut_core::EscalationLevel::Warning,
        },
        EngineEvent::EscalationNotSent {
            escalation: juggernaut_core::EscalationId(1),
            error: "down".into(),
        },
        EngineEvent::StoreFault {
            operation: "claim",
            error: "down".into(),
        },
    ]
}

#[test]
fn every_event_has_a_name_matching_its_serde_tag_and_is_counted() {
    let sink = EventSink::default();
    let events = one_of_each();
    assert_eq!(
        events.len(),
        EVENT_NAMES.len(),
        "one_of_each covers every variant"
    );
    let mut seen = std::collections::HashSet::new();
    for e in events {
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["event"], e.name());
        assert!(seen.insert(e.index()));
        sink.emit(e);
    }
    for (name, n) in sink.counts() {
        assert_eq!(n, 1, "{name}");
    }
    assert_eq!(sink.count("task_completed"), 1);
}

#[tokio::test]
async fn subscribers_receive_what_is_emitted_after_they_subscribe() {
    let sink = EventSink::default();
    sink.emit(EngineEvent::TasksPruned { count: 1 });
    let mut rx = sink.subscribe();
    sink.emit(EngineEvent::TasksPruned { count: 2 });
    assert_eq!(
        rx.recv().await.unwrap(),
        EngineEvent::TasksPruned { count: 2 }
    );
}
