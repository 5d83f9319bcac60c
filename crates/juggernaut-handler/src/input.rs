//! Typed task inputs. A kind declares its input as a type: deserialising into it is the check
//! every enqueue passes (so a bad input is refused at the door, naming the field, instead of
//! being claimed and failing later), and its JSON schema is what a planner is shown.

use serde::de::DeserializeOwned;

/// A kind's input type.
pub trait TaskInput: DeserializeOwned + schemars::JsonSchema {
    /// Checks beyond the shape (ranges, combinations); the error names the field.
    fn validate(&self) -> Result<(), String> {
        Ok(())
    }
}

/// An input that failed its kind's check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", if path.is_empty() || path == "." { String::new() } else { format!("`{path}`: ") })]
pub struct InputError {
    /// Where in the input (a dotted path; empty for the whole).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// A kind's input: its JSON schema and its check.
#[derive(Clone)]
pub struct InputSpec {
    schema: schemars::Schema,
    check: fn(&serde_json::Value) -> Result<(), InputError>,
}

impl std::fmt::Debug for InputSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InputSpec")
            .field("schema", &self.schema)
            .finish()
    }
}

impl InputSpec {
    /// The spec of input type `T`.
    pub fn of<T: TaskInput>() -> Self {
        Self {
            schema: schemars::schema_for!(T),
            check: |v| parse::<T>(v).map(|_| ()),
        }
    }

    /// The input's JSON schema.
    pub fn schema(&self) -> &schemars::Schema {
        &self.schema
    }

    /// Checks an input.
    pub fn check(&self, input: &serde_json::Value) -> Result<(), InputError> {
        (self.check)(input)
    }
}

/// Reads an input as `T`, naming the field that does not fit.
pub fn parse<T: TaskInput>(input: &serde_json::Value) -> Result<T, InputError> {
    let value: T = serde_path_to_error::deserialize(input.clone()).map_err(|e| InputError {
        path: e.path().to_string(),
        message: e.inner().to_string(),
    })?;
    value.validate().map_err(|message| InputError {
        path: String::new(),
        message,
    })?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, schemars::JsonSchema)]
    #[serde(deny_unknown_fields)]
    struct Probe {
        #[allow(dead_code)]
        url: String,
        #[allow(dead_code)]
        #[serde(default)]
        retries: Option<u8>,
    }

    impl TaskInput for Probe {}

    #[test]
    fn bad_fields_are_named() {
        let spec = InputSpec::of::<Probe>();
        assert!(spec.check(&serde_json::json!({"url": "x"})).is_ok());
        let e = spec
            .check(&serde_json::json!({"url": "x", "retries": 900}))
            .unwrap_err();
        assert_eq!(e.path, "retries");
        assert!(e.to_string().starts_with("`retries`: "), "{e}");
        let e = spec.check(&serde_json::json!({"ur": "x"})).unwrap_err();
        assert!(e.to_string().contains("unknown field `ur`"), "{e}");
        let e = spec.check(&serde_json::json!([])).unwrap_err();
        assert!(!e.to_string().starts_with('`'), "{e}");
        let schema = serde_json::to_value(spec.schema()).unwrap();
        assert_eq!(schema["properties"]["url"]["type"], "string");
    }
}
