//! The JSON schema a model's plan must follow, made from the registry: the task list may hold
//! only the kinds that plans can use (every registered kind but `plan`), and each task's `input`
//! carries that kind's own input schema. Each kind's `$defs` are hoisted to the root under the
//! kind's name (`noop__Thing`) and its `$ref`s rewritten, so the schemas compose.

use juggernaut_core::plan::{MAX_PLAN_TASKS, PLAN_KIND};
use juggernaut_handler::Registry;
use serde_json::{Map, Value, json};

/// A kind as the model is shown it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct KindInfo {
    /// The kind.
    pub name: String,
    /// What it does.
    pub description: String,
    /// Its input's JSON schema.
    pub input_schema: Value,
}

/// The kinds a plan may use, sorted by name.
pub fn kinds(registry: &Registry) -> Vec<KindInfo> {
    let mut out: Vec<KindInfo> = registry
        .handlers()
        .into_iter()
        .filter(|h| h.kind() != PLAN_KIND)
        .map(|h| KindInfo {
            name: h.kind().to_owned(),
            description: h.description().to_owned(),
            input_schema: serde_json::to_value(h.input().schema()).unwrap_or(Value::Null),
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// The plan's schema over `kinds`.
pub fn plan_schema(kinds: &[KindInfo]) -> Value {
    let mut defs = Map::new();
    let variants: Vec<Value> = kinds
        .iter()
        .map(|k| {
            let input = hoist(&k.name, k.input_schema.clone(), &mut defs);
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": ["key", "kind", "title", "input"],
                "properties": {
                    "key": {"type": "string", "pattern": "^[a-z0-9_-]{1,64}$",
                            "description": "the task's name within the plan"},
                    "kind": {"const": k.name},
                    "title": {"type": "string", "minLength": 1, "maxLength": 200},
                    "input": input,
                    "depends_on": {"type": "array", "items": {"type": "string"},
                                   "description": "keys of tasks that must complete first"},
                    "priority": {"type": "integer"},
                    "acceptance": {"type": "array", "items": {"type": "string"},
                                   "description": "what done means"}
                }
            })
        })
        .collect();
    let mut schema = json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["tasks"],
        "properties": {
            "tasks": {"type": "array", "minItems": 1, "maxItems": MAX_PLAN_TASKS,
                      "items": {"anyOf": variants}}
        }
    });
    if !defs.is_empty() {
        schema["$defs"] = Value::Object(defs);
    }
    schema
}

/// Moves `schema`'s `$defs` into `defs` under `kind__NAME`, rewrites its refs, and drops
/// `$schema` and `title` (meaningless inside another schema).
fn hoist(kind: &str, mut schema: Value, defs: &mut Map<String, Value>) -> Value {
    if let Some(obj) = schema.as_object_mut() {
        obj.remove("$schema");
        obj.remove("title");
        if let Some(Value::Object(own)) = obj.remove("$defs") {
            for (name, mut def) in own {
                rewrite_refs(kind, &mut def);
                defs.insert(format!("{kind}__{name}"), def);
            }
        }
    }
    rewrite_refs(kind, &mut schema);
    schema
}

fn rewrite_refs(kind: &str, v: &mut Value) {
    match v {
        Value::Object(obj) => {
            for (k, child) in obj.iter_mut() {
                match child {
                    Value::String(r) if k == "$ref" => {
                        if let Some(name) = r.strip_prefix("#/$defs/") {
                            *r = format!("#/$defs/{kind}__{name}");
                        }
                    }
                    other => rewrite_refs(kind, other),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| rewrite_refs(kind, i)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defs_are_hoisted_and_refs_follow() {
        let kinds = vec![KindInfo {
            name: "k".into(),
            description: "d".into(),
            input_schema: json!({"$schema": "x", "title": "In", "type": "object",
                "properties": {"a": {"$ref": "#/$defs/A"}},
                "$defs": {"A": {"type": "object", "properties": {"b": {"$ref": "#/$defs/B"}}},
                          "B": {"type": "string"}}}),
        }];
        let s = plan_schema(&kinds);
        let item = &s["properties"]["tasks"]["items"]["anyOf"][0];
        assert_eq!(item["properties"]["kind"]["const"], "k");
        let input = &item["properties"]["input"];
        assert_eq!(input["properties"]["a"]["$ref"], "#/$defs/k__A");
        assert!(input.get("$schema").is_none() && input.get("$defs").is_none());
        assert_eq!(
            s["$defs"]["k__A"]["properties"]["b"]["$ref"],
            "#/$defs/k__B"
        );
        assert_eq!(s["$defs"]["k__B"]["type"], "string");
    }
}
