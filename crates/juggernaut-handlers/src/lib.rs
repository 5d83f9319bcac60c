//! The built-in handlers, one file (or folder) each. A new kind is one module here plus one line
//! in [`builtin`], which is kept alphabetical; the binary registers the list. Kinds that need a
//! model (`agent`, `research`) or tools that are not configured are registered only when
//! [`Deps`] has them (see [`deps`]), so that they cannot be enqueued or planned without.

pub mod agent;
pub mod analysis;
pub mod calls;
pub mod code;
pub mod deps;
pub mod experiment_step;
pub mod http;
pub mod maintenance;
pub mod markdown;
pub mod noop;
pub mod notify;
pub mod reach;
pub mod report;
pub mod research;
pub mod scan;
pub mod shell;
pub mod workflow;

use juggernaut_handler::Handler;
use std::sync::Arc;

pub use deps::{Deps, unavailable};

/// Every built-in handler, in alphabetical order of kind.
pub fn builtin(deps: &Deps) -> Vec<Arc<dyn Handler>> {
    let mut all: Vec<Arc<dyn Handler>> = vec![
        Arc::new(analysis::Analysis),
        Arc::new(code::Code::new(deps.model.clone())),
        Arc::new(experiment_step::ExperimentStep),
        Arc::new(http::Http),
        Arc::new(maintenance::Maintenance),
        Arc::new(noop::Noop),
        Arc::new(notify::Notify),
        Arc::new(report::Report::new(deps.day_budget_usd)),
        Arc::new(shell::Shell),
        Arc::new(workflow::Workflow),
    ];
    if let Some(model) = &deps.model {
        all.push(Arc::new(agent::Agent::new(model.clone())));
        all.push(Arc::new(research::Research::new(model.clone())));
        all.push(Arc::new(scan::Scan::new(deps.missing("code").is_none())));
    }
    all.retain(|h| deps.missing(h.kind()).is_none());
    all.sort_by_key(|h| h.kind());
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use juggernaut_handler::Registry;

    #[test]
    fn builtin_names_are_unique_sorted_described_and_typed() {
        let list = builtin(&Deps::default());
        let kinds: Vec<_> = list.iter().map(|h| h.kind()).collect();
        let mut sorted = kinds.clone();
        sorted.sort();
        assert_eq!(kinds, sorted, "keep builtin() alphabetical");
        let reg = Registry::new(builtin(&Deps::default())).unwrap();
        for h in &list {
            assert!(!h.description().is_empty());
            assert!(reg.get(h.kind()).is_some());
            let schema = serde_json::to_value(h.input().schema()).unwrap();
            assert!(schema.is_object(), "{} has a schema", h.kind());
        }
    }

    #[test]
    fn duplicate_names_are_refused() {
        let dup = Registry::new(vec![Arc::new(noop::Noop), Arc::new(noop::Noop)]);
        assert_eq!(
            dup.err().unwrap().to_string(),
            "two handlers claim the task kind `noop`"
        );
    }

    #[test]
    fn unknown_kinds_and_bad_inputs_are_refused_by_name() {
        let reg = Registry::new(builtin(&Deps::default())).unwrap();
        assert!(reg.check("noop").is_ok());
        assert_eq!(
            reg.check("phone").unwrap_err().to_string(),
            "no handler serves task kind `phone` (known kinds: analysis, audit, code, code_change, code_fix, code_implementation, experiment_step, http, maintenance, metrics, metrics_analysis, noop, notify, pattern_detection, report, report_generation, reporting, shell, workflow)"
        );
        assert!(reg.check("Not A Kind").is_err());
        assert_eq!(reg.served(&["noop".into(), "phone".into()]).len(), 1);
        let deps = Deps::default();
        let bare = Registry::new(builtin(&deps))
            .unwrap()
            .with_unavailable(unavailable(&deps));
        let why = bare.check("agent").unwrap_err().to_string();
        assert!(
            why.starts_with("task kind `agent` is not available: it needs an LLM provider"),
            "{why}"
        );
        assert!(bare.check_known("agent").is_ok() && bare.check_known("bogus").is_err());
        let analysis = reg.served(&["analysis".into()]);
        assert!(
            analysis.iter().any(|k| k.as_str() == "reporting"),
            "{analysis:?}"
        );
        assert!(
            reg.served(&["code_fix".into()])
                .iter()
                .any(|k| k.as_str() == "code")
        );
        let bad = serde_json::json!({"retention_days": 1.5});
        let err = reg.check_task("maintenance", &bad).unwrap_err().to_string();
        assert!(
            err.starts_with("invalid input for `maintenance`: `retention_days`: "),
            "{err}"
        );
        assert!(reg.check_task("noop", &serde_json::json!([1])).is_err());
    }
}
