//! Typed tool arguments: a tool declares its arguments as a type; its JSON schema is what the
//! model is shown and deserialising into it is the check, naming the field that does not fit.

use crate::tool::ToolError;
use serde::de::DeserializeOwned;

/// The JSON schema of argument type `T`, as an object.
pub fn schema_of<T: schemars::JsonSchema>() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(T))
        .unwrap_or_else(|_| serde_json::json!({"type": "object"}))
}

/// Reads a call's arguments as `T`; a mismatch is shown to the model, naming the field.
pub fn parse_args<T: DeserializeOwned>(
    tool: &str,
    args: serde_json::Value,
) -> Result<T, ToolError> {
    serde_path_to_error::deserialize(args).map_err(|e| {
        let path = e.path().to_string();
        let at = if path.is_empty() || path == "." {
            String::new()
        } else {
            format!("`{path}`: ")
        };
        ToolError::model(format!("bad arguments for `{tool}`: {at}{}", e.inner()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
    #[serde(deny_unknown_fields)]
    struct Probe {
        #[allow(dead_code)]
        path: String,
    }

    #[test]
    fn bad_arguments_name_the_field() {
        let e = parse_args::<Probe>("fs_read", serde_json::json!({"path": 3})).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("bad arguments for `fs_read`: `path`: "),
            "{e}"
        );
        assert!(matches!(e, ToolError::Model(_)));
        let s = schema_of::<Probe>();
        assert_eq!(s["properties"]["path"]["type"], "string");
    }
}
