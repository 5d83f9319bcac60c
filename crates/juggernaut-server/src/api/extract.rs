//! Extractors whose refusals are the API's JSON errors: [`Body`] (a JSON body; an empty body
//! reads as `{}`, so a missing required field is named), [`Pairs`] (the query string as
//! `key=value` pairs, so a key may repeat and an unknown key is refused by name) and [`Id`] (a
//! positive integer id in the path). axum's own plain-text rejections never reach a caller.

use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// A JSON request body of type `T`.
#[derive(Debug)]
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            ApiError::bad_request(format!("cannot read the body: {}", e.body_text()))
        })?;
        let text: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &bytes
        };
        let de = &mut serde_json::Deserializer::from_slice(text);
        serde_path_to_error::deserialize(de).map(Self).map_err(|e| {
            let path = e.path().to_string();
            let at = if path == "." {
                String::new()
            } else {
                format!(" at `{path}`")
            };
            ApiError::bad_request(format!(
                "invalid JSON body{at}: {} (send a JSON object as /api/openapi.json describes)",
                e.inner()
            ))
        })
    }
}

/// The query string as its `key=value` pairs, in order; a known set of keys.
#[derive(Debug, Default)]
pub struct Pairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Pairs {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Query(pairs) = Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|e| {
                ApiError::bad_request(format!("invalid query string: {}", e.body_text()))
            })?;
        Ok(Self(pairs))
    }
}

impl Pairs {
    /// Refuses a key not in `known`.
    pub fn only(&self, known: &[&str]) -> Result<&Self, ApiError> {
        match self.0.iter().find(|(k, _)| !known.contains(&k.as_str())) {
            Some((k, _)) => Err(ApiError::bad_request(format!(
                "unknown query parameter `{k}` (known: {})",
                known.join(", ")
            ))),
            None => Ok(self),
        }
    }

    /// The one value of `key`, if given; given twice is refused.
    pub fn one(&self, key: &str) -> Result<Option<&str>, ApiError> {
        let mut values = self.0.iter().filter(|(k, _)| k == key).map(|(_, v)| v);
        let first = values.next();
        if values.next().is_some() {
            return Err(ApiError::bad_request(format!(
                "query parameter `{key}` is given more than once"
            )));
        }
        Ok(first.map(String::as_str))
    }

    /// Every value of `key`, each repeat and each comma-separated item counted; empty items
    /// are left out.
    pub fn all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// The one value of `key` parsed by `parse`, whose error names what is expected.
    pub fn parsed<T>(
        &self,
        key: &str,
        parse: impl Fn(&str) -> Option<T>,
        expected: &str,
    ) -> Result<Option<T>, ApiError> {
        match self.one(key)? {
            None => Ok(None),
            Some(text) => parse(text).map(Some).ok_or_else(|| {
                ApiError::bad_request(format!("invalid {key} `{text}`: {expected}"))
            }),
        }
    }

    /// `?limit=` within `1..=max`, `default` when absent.
    pub fn limit(&self, default: u32, max: u32) -> Result<u32, ApiError> {
        let limit = self.parsed(
            "limit",
            |t| t.parse::<u32>().ok().filter(|n| (1..=max).contains(n)),
            &format!("use 1 to {max}"),
        )?;
        Ok(limit.unwrap_or(default))
    }

    /// A positive integer id under `key` (`cursor`, `goal`, `task`, `before`).
    pub fn id(&self, key: &str) -> Result<Option<i64>, ApiError> {
        self.parsed(key, positive, "use a positive integer")
    }

    /// `true`/`false` under `key`, `false` when absent.
    pub fn flag(&self, key: &str) -> Result<bool, ApiError> {
        let flag = self.parsed(
            key,
            |t| match t {
                "true" | "1" => Some(true),
                "false" | "0" => Some(false),
                _ => None,
            },
            "use true or false",
        )?;
        Ok(flag.unwrap_or(false))
    }
}

/// A positive integer, or nothing.
pub fn positive(text: &str) -> Option<i64> {
    text.parse::<i64>().ok().filter(|id| *id > 0)
}

/// A positive integer id from the path's `{id}`.
#[derive(Debug, Clone, Copy)]
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(text) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::bad_request(format!("invalid path: {}", e.body_text())))?;
        positive(&text).map(Self).ok_or_else(|| {
            ApiError::bad_request(format!("invalid id `{text}`: use a positive integer"))
        })
    }
}
