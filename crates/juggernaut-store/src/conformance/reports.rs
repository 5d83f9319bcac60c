//! Reports: saved with their `report.stored` event (naming who stored it and the task that made
//! it), read back by id with both bodies unchanged, listed newest first in keyset pages without
//! bodies; what the shared check refuses is refused by every backend with nothing written.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::capability::reports::{NewReport, ReportId, ReportPage};
use crate::conformance::support::*;
use crate::error::StoreError;
use chrono::{Duration as Days, TimeZone, Utc};
use juggernaut_core::{DomainError, EventKind};
use serde_json::json;

/// A report titled `title` over the first week of 2026.
pub fn report(title: &str) -> NewReport {
    let since = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    NewReport {
        title: title.into(),
        since,
        until: since + Days::days(7),
        task: None,
        summary: json!({"goals": 2, "spend_usd": 1.5}),
        markdown: format!("# {title}\n\nÜnïcode — ✓\n"),
        html: format!("<!doctype html><title>{title}</title><svg></svg>"),
    }
}

fn refused(err: StoreError, field: &str) {
    match err {
        StoreError::Domain(DomainError::InvalidField { field: f, reason }) => {
            assert_eq!(f, field, "{reason}");
        }
        other => panic!("expected a refusal of `{field}`, got {other:?}"),
    }
}

/// Saved reports come back by id with their bodies and newest first in pages without them; each
/// save has its event.
pub async fn reports_are_saved_listed_newest_first_and_read_back(store: S) {
    let t = add(&store, task("report")).await;
    let first = store
        .save_report(
            NewReport {
                task: Some(t.id),
                ..report("Week 1")
            },
            "worker-1",
        )
        .await
        .unwrap();
    assert_eq!(
        (first.title.as_str(), first.task, first.created_by.as_str()),
        ("Week 1", Some(t.id), "worker-1")
    );
    assert_eq!(first.summary, json!({"goals": 2, "spend_usd": 1.5}));
    let second = store.save_report(report("Week 2"), "cli").await.unwrap();
    let third = store.save_report(report("Week 3"), "cli").await.unwrap();
    assert!(first.id < second.id && second.id < third.id);

    let got = store.report(first.id).await.unwrap().unwrap();
    assert_eq!(got.info, first);
    assert_eq!(got.markdown, "# Week 1\n\nÜnïcode — ✓\n");
    assert!(got.html.contains("<svg>"));
    assert_eq!(got.info.since + Days::days(7), got.info.until);
    assert!(store.report(ReportId(99_999)).await.unwrap().is_none());

    let page = |before, limit| ReportPage { before, limit };
    let top = store.reports(page(None, 2)).await.unwrap();
    let ids: Vec<ReportId> = top.iter().map(|r| r.id).collect();
    assert_eq!(ids, vec![third.id, second.id]);
    let rest = store.reports(page(Some(second.id), 2)).await.unwrap();
    assert_eq!(rest, vec![first.clone()]);
    assert!(
        store
            .reports(page(Some(first.id), 2))
            .await
            .unwrap()
            .is_empty()
    );

    let events: Vec<_> = all_events(&store)
        .await
        .into_iter()
        .filter(|e| e.kind == EventKind::ReportStored)
        .collect();
    assert_eq!(events.len(), 3);
    assert_eq!(events[0].task_id, Some(t.id));
    assert_eq!(events[0].actor, "worker-1");
    assert_eq!(events[0].data["report"], first.id.0);
    assert_eq!(events[0].data["title"], "Week 1");
    assert!(events[0].data.get("markdown").is_none());
    assert_eq!(events[2].task_id, None);
}

/// Blank, overlong or multi-line titles, empty periods, summaries that are not objects, empty
/// bodies, NUL, blank actors and page sizes out of range are refused, naming the field.
pub async fn bad_reports_are_refused(store: S) {
    let cases: Vec<(NewReport, &str)> = vec![
        (report(" "), "title"),
        (report(&"x".repeat(201)), "title"),
        (report("two\nlines"), "title"),
        (
            NewReport {
                until: report("a").since,
                ..report("a")
            },
            "until",
        ),
        (
            NewReport {
                summary: json!([1]),
                ..report("a")
            },
            "summary",
        ),
        (
            NewReport {
                markdown: "  ".into(),
                ..report("a")
            },
            "markdown",
        ),
        (
            NewReport {
                html: "<p>\0</p>".into(),
                ..report("a")
            },
            "html",
        ),
    ];
    for (bad, field) in cases {
        refused(store.save_report(bad, "cli").await.unwrap_err(), field);
    }
    refused(
        store.save_report(report("a"), " ").await.unwrap_err(),
        "actor",
    );
    for limit in [0, 201] {
        let page = ReportPage {
            before: None,
            limit,
        };
        refused(store.reports(page).await.unwrap_err(), "limit");
    }
    let listed = store.reports(ReportPage::default()).await.unwrap();
    assert!(listed.is_empty(), "nothing was written: {listed:?}");
    let stored = all_events(&store)
        .await
        .into_iter()
        .filter(|e| e.kind == EventKind::ReportStored)
        .count();
    assert_eq!(stored, 0);
}
