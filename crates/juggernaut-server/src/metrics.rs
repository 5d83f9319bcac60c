//! `/metrics`: the Prometheus text exposition format, written by hand (a handful of series).

use crate::AppState;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use juggernaut_engine::DispatchStats;
use std::fmt::Write;

/// Renders every series.
pub async fn render(State(s): State<AppState>) -> impl IntoResponse {
    let mut out = String::new();
    let counts = match s.store.count_by_status().await {
        Ok(c) => c,
        Err(e) => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::CONTENT_TYPE, "text/plain")],
                format!("store unavailable: {e}\n"),
            );
        }
    };
    let _ = writeln!(
        out,
        "# HELP juggernaut_tasks Tasks by status.\n# TYPE juggernaut_tasks gauge"
    );
    for status in juggernaut_core::TaskStatus::ALL {
        let n = counts
            .iter()
            .find(|(st, _)| *st == status)
            .map_or(0, |(_, n)| *n);
        let _ = writeln!(out, "juggernaut_tasks{{status=\"{status}\"}} {n}");
    }
    let counters = [
        ("claimed", &s.stats.claimed),
        ("completed", &s.stats.completed),
        ("failed", &s.stats.failed),
        ("refused", &s.stats.refused),
        ("lost", &s.stats.lost),
    ];
    let _ = writeln!(
        out,
        "# HELP juggernaut_dispatch_total Tasks this process claimed, completed, failed, had refused by fencing, or lost.\n# TYPE juggernaut_dispatch_total counter"
    );
    for (name, c) in counters {
        let _ = writeln!(
            out,
            "juggernaut_dispatch_total{{outcome=\"{name}\"}} {}",
            DispatchStats::get(c)
        );
    }
    let _ = writeln!(
        out,
        "# HELP juggernaut_engine_events_total Engine events this process emitted, by event.\n# TYPE juggernaut_engine_events_total counter"
    );
    for (name, n) in s.events.counts() {
        let _ = writeln!(
            out,
            "juggernaut_engine_events_total{{event=\"{name}\"}} {n}"
        );
    }
    let leading = matches!(s.store.leader(juggernaut_engine::node::LEADERSHIP).await, Ok(Some(l)) if l.holder == s.worker);
    let _ = writeln!(
        out,
        "# HELP juggernaut_leader 1 if this process leads the singleton loops.\n# TYPE juggernaut_leader gauge\njuggernaut_leader {}",
        u8::from(leading)
    );
    let _ = writeln!(
        out,
        "# HELP juggernaut_idle 1 for each loop of this process that is idle, labelled with why (a code from a closed set; `juggernaut status` has the sentence).\n# TYPE juggernaut_idle gauge"
    );
    for (l, code, _) in s.idle.snapshot() {
        let _ = writeln!(
            out,
            "juggernaut_idle{{loop=\"{l}\",reason=\"{}\"}} 1",
            code.as_str()
        );
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        out,
    )
}
