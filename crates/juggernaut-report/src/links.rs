//! Evidence as links for people: the task's dashboard page (`/#/tasks/ID`) first, then each pull
//! request (its URL, when it is an `http(s)` one), file (path and SHA-256), message, stored
//! report, HTTP response, rows and metric points; tool calls are counted in one line (the
//! dashboard page lists them).

use crate::data::EvidenceLink;
use juggernaut_core::{Evidence, TaskId};

/// The dashboard link of a task.
pub fn task_href(id: TaskId) -> String {
    format!("/#/tasks/{}", id.0)
}

/// Whether `url` may be a link: an absolute `http` or `https` URL (never `javascript:` or a
/// `data:` URL from a handler's evidence).
pub fn linkable(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn plain(label: String) -> EvidenceLink {
    EvidenceLink {
        label,
        href: None,
        sha256: None,
    }
}

/// The links for a task and its evidence.
pub fn links(id: TaskId, evidence: &[Evidence]) -> Vec<EvidenceLink> {
    let mut out = vec![EvidenceLink {
        label: format!("task {}", id.0),
        href: Some(task_href(id)),
        sha256: None,
    }];
    let calls = evidence
        .iter()
        .filter(|e| matches!(e, Evidence::ToolCall { .. }))
        .count();
    for e in evidence {
        match e {
            Evidence::PullRequest { url, number, state } => out.push(EvidenceLink {
                label: format!("pull request #{number} ({state})"),
                href: linkable(url).then(|| url.clone()),
                sha256: None,
            }),
            Evidence::File { path, sha256 } => out.push(EvidenceLink {
                label: format!("file {path}"),
                href: None,
                sha256: Some(sha256.clone()),
            }),
            Evidence::Message { channel, id } => {
                out.push(plain(format!("message {id} on {channel}")));
            }
            Evidence::Report { id } => out.push(plain(format!("report {id}"))),
            Evidence::HttpResponse { status, url } => {
                out.push(plain(format!("HTTP {status} from {url}")));
            }
            Evidence::Rows { table, keys } => {
                out.push(plain(format!("{} row(s) in {table}", keys.len())));
            }
            Evidence::MetricPoints { metric, count } => {
                out.push(plain(format!("{count} point(s) of {metric}")));
            }
            Evidence::ToolCall { .. } | Evidence::HandlerRun { .. } => {}
        }
    }
    if calls > 0 {
        out.push(plain(format!("{calls} tool call(s)")));
    }
    out
}
