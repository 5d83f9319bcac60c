//! A number at a JSON pointer of an HTTP `GET` response: bounded in time, redirects not followed
//! (a 3xx is an error naming where it pointed), a body of at most [`MAX_BODY`] bytes, a 2xx status
//! only. The value must be a number or a string holding one. Errors show the URL without its
//! credentials.

use crate::SourceError;
use crate::number;
use juggernaut_store::url::{redact, scrub};
use std::time::Duration;

/// The largest response body read.
pub const MAX_BODY: usize = 1024 * 1024;

/// The HTTP client metric reads share.
#[derive(Debug, Clone)]
pub struct HttpReader {
    client: reqwest::Client,
}

impl HttpReader {
    /// A client that follows no redirect.
    pub fn new() -> Result<Self, SourceError> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("juggernaut/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SourceError::Http {
                url: "-".into(),
                reason: format!("cannot make the HTTP client: {e}"),
            })?;
        Ok(Self { client })
    }

    /// `GET url` and the number at `pointer` (empty: the whole document) of its JSON.
    pub async fn read(
        &self,
        url: &str,
        pointer: &str,
        timeout: Duration,
    ) -> Result<f64, SourceError> {
        let fail = |reason: String| SourceError::Http {
            url: redact(url),
            reason: scrub(&reason, url),
        };
        let body = tokio::time::timeout(timeout, self.body(url, timeout))
            .await
            .map_err(|_| fail(format!("no answer within {} ms", timeout.as_millis())))?
            .map_err(fail)?;
        let doc: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|e| fail(format!("the response is not JSON: {e}")))?;
        let value = doc
            .pointer(pointer)
            .ok_or_else(|| fail(format!("the JSON has nothing at `{pointer}`")))?;
        number::from_json(value).map_err(|e| fail(format!("at `{pointer}`: {e}")))
    }

    /// The response body, if the status is 2xx and it is at most [`MAX_BODY`] bytes.
    async fn body(&self, url: &str, timeout: Duration) -> Result<Vec<u8>, String> {
        let mut response = self
            .client
            .get(url)
            .timeout(timeout)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| e.without_url().to_string())?;
        let status = response.status();
        if status.is_redirection() {
            let to = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .map_or("elsewhere".to_owned(), redact);
            return Err(format!(
                "redirected ({status}) to {to}; redirects are not followed, give the final URL"
            ));
        }
        if !status.is_success() {
            return Err(format!("the server answered {status}"));
        }
        if response
            .content_length()
            .is_some_and(|n| n > MAX_BODY as u64)
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| e.without_url().to_string())?
        {
            if body.len() + chunk.len() > MAX_BODY {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

fn too_large() -> String {
    format!("the response is larger than {MAX_BODY} bytes")
}
