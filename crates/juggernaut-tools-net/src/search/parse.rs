//! The providers' answers, read into one shape. Brave marks matches with `<strong>`; tags are
//! dropped and the common entities decoded so snippets are plain text.

use super::Provider;
use juggernaut_tools::ToolError;
use serde::{Deserialize, Serialize};

/// One search result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(super) struct Hit {
    pub title: String,
    pub url: String,
    pub snippet: String,
}

#[derive(Deserialize)]
struct SearxAnswer {
    #[serde(default)]
    results: Vec<SearxHit>,
}

#[derive(Deserialize)]
struct SearxHit {
    #[serde(default)]
    title: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    content: Option<String>,
}

#[derive(Deserialize)]
struct BraveAnswer {
    #[serde(default)]
    web: Option<BraveWeb>,
}

#[derive(Deserialize)]
struct BraveWeb {
    #[serde(default)]
    results: Vec<BraveHit>,
}

#[derive(Deserialize)]
struct BraveHit {
    #[serde(default)]
    title: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

/// The results in `body`, or a fatal error: an answer that is not the provider's JSON means
/// `tools.search` points at something else.
pub(super) fn results(provider: Provider, body: &[u8]) -> Result<Vec<Hit>, ToolError> {
    let bad = |e: serde_json::Error| {
        ToolError::fatal(format!(
            "the search provider's answer is not {provider:?} JSON ({e}); check \
             `tools.search.provider` and `tools.search.url`"
        ))
    };
    let hits: Vec<(String, Option<String>, Option<String>)> = match provider {
        Provider::Searxng => serde_json::from_slice::<SearxAnswer>(body)
            .map_err(bad)?
            .results
            .into_iter()
            .map(|h| (h.title, h.url, h.content))
            .collect(),
        Provider::Brave => serde_json::from_slice::<BraveAnswer>(body)
            .map_err(bad)?
            .web
            .map(|w| w.results)
            .unwrap_or_default()
            .into_iter()
            .map(|h| (h.title, h.url, h.description))
            .collect(),
    };
    Ok(hits
        .into_iter()
        .filter_map(|(title, url, snippet)| {
            Some(Hit {
                title: plain(&title),
                url: url.filter(|u| !u.is_empty())?,
                snippet: plain(snippet.as_deref().unwrap_or_default()),
            })
        })
        .collect())
}

/// Text without tags, with the common entities decoded and spaces collapsed.
fn plain(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn tags_and_entities_are_dropped() {
        assert_eq!(
            plain("<strong>Rust</strong> &amp; more\n  text"),
            "Rust & more text"
        );
    }

    #[test]
    fn other_json_is_a_configuration_error() {
        let e = results(Provider::Brave, b"<html>").unwrap_err();
        assert!(matches!(
            e,
            ToolError::Abort {
                retryable: false,
                ..
            }
        ));
        assert!(results(Provider::Brave, b"{}").unwrap().is_empty());
    }
}
