//! The built-in handlers, one file each. A new kind is one file here plus one line in
//! [`builtin`], which is kept alphabetical; the binary registers the list.

pub mod maintenance;
pub mod noop;

use juggernaut_handler::Handler;
use std::sync::Arc;

/// Every built-in handler, in alphabetical order of kind.
pub fn builtin() -> Vec<Arc<dyn Handler>> {
    vec![Arc::new(maintenance::Maintenance), Arc::new(noop::Noop)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use juggernaut_handler::Registry;

    #[test]
    fn builtin_names_are_unique_sorted_described_and_typed() {
        let list = builtin();
        let kinds: Vec<_> = list.iter().map(|h| h.kind()).collect();
        let mut sorted = kinds.clone();
        sorted.sort();
        assert_eq!(kinds, sorted, "keep builtin() alphabetical");
        let reg = Registry::new(builtin()).unwrap();
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
        let reg = Registry::new(builtin()).unwrap();
        assert!(reg.check("noop").is_ok());
        assert_eq!(
            reg.check("phone").unwrap_err().to_string(),
            "no handler serves task kind `phone` (known kinds: maintenance, noop)"
        );
        assert!(reg.check("Not A Kind").is_err());
        assert_eq!(reg.served(&["noop".into(), "code".into()]).len(), 1);
        let bad = serde_json::json!({"retention_days": 1.5});
        let err = reg.check_task("maintenance", &bad).unwrap_err().to_string();
        assert!(
            err.starts_with("invalid input for `maintenance`: `retention_days`: "),
            "{err}"
        );
        assert!(reg.check_task("noop", &serde_json::json!([1])).is_err());
    }
}
