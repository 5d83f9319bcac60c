//! What the HTTP tools share: a client that follows no redirect by itself and uses no proxy (so
//! the host checked is the host reached), redirects followed by hand with every hop re-checked,
//! response bodies read up to a cap, transport errors described without the URL.

use juggernaut_tools::ToolError;
use reqwest::header::{self, HeaderMap};
use reqwest::{Client, Method, StatusCode, Url};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// The response headers worth showing.
const USEFUL_HEADERS: [&str; 11] = [
    "content-type",
    "content-length",
    "location",
    "etag",
    "last-modified",
    "cache-control",
    "retry-after",
    "www-authenticate",
    "x-request-id",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
];

/// Headers not carried to another host on a redirect, besides any whose name mentions a key,
/// token, secret or auth.
const CREDENTIAL_HEADERS: [&str; 3] = ["authorization", "proxy-authorization", "cookie"];

/// A client: no automatic redirects, no proxy, the given total time limit.
pub(crate) fn client(
    timeout: Duration,
    resolver: Option<std::sync::Arc<crate::ssrf::GuardedResolver>>,
) -> Result<Client, String> {
    let mut b = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .user_agent(concat!("juggernaut/", env!("CARGO_PKG_VERSION")))
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)));
    if let Some(r) = resolver {
        b = b.dns_resolver(r);
    }
    b.build()
        .map_err(|e| format!("cannot make the HTTP client: {e}"))
}

/// One request to send (again, on a redirect).
#[derive(Debug, Clone)]
pub(crate) struct Outgoing {
    pub method: Method,
    pub url: Url,
    pub headers: HeaderMap,
    pub body: Option<Vec<u8>>,
}

/// The response at the end of the redirects.
#[derive(Debug)]
pub(crate) struct Arrived {
    pub response: reqwest::Response,
    pub final_url: Url,
    pub redirects: usize,
}

/// Sends `req`, following up to `max` redirects; each hop's URL must pass `check` (its error
/// is returned, saying the redirect was not followed). `on_error` describes transport errors.
pub(crate) async fn follow(
    client: &Client,
    mut req: Outgoing,
    max: usize,
    check: &(dyn Fn(&Url) -> Result<(), ToolError> + Sync),
    on_error: &(dyn Fn(reqwest::Error, &Url) -> ToolError + Sync),
) -> Result<Arrived, ToolError> {
    let mut hop = 0;
    loop {
        let mut rb = client
            .request(req.method.clone(), req.url.clone())
            .headers(req.headers.clone());
        if let Some(body) = &req.body {
            rb = rb.body(body.clone());
        }
        let response = rb.send().await.map_err(|e| on_error(e, &req.url))?;
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .map(str::to_owned);
        let (true, Some(location)) = (is_redirect(status), location) else {
            return Ok(Arrived {
                response,
                final_url: req.url,
                redirects: hop,
            });
        };
        let next = req.url.join(&location).map_err(|e| {
            ToolError::model(format!(
                "redirected ({status}) to an unreadable location: {e}"
            ))
        })?;
        if let Err(e) = check(&next) {
            return Err(ToolError::model(format!(
                "redirected ({status}) from {} to {}; not followed: {e}",
                origin(&req.url),
                origin(&next)
            )));
        }
        if hop == max {
            return Err(ToolError::model(format!(
                "more than {max} redirects (the last one to {}); not followed",
                origin(&next)
            )));
        }
        hop += 1;
        let to_get = match status {
            StatusCode::SEE_OTHER => req.method != Method::HEAD,
            StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND => req.method == Method::POST,
            _ => false,
        };
        if to_get {
            req.method = Method::GET;
            req.body = None;
            req.headers.remove(header::CONTENT_TYPE);
            req.headers.remove(header::CONTENT_LENGTH);
        }
        if origin(&next) != origin(&req.url) {
            let names: Vec<_> = req
                .headers
                .keys()
                .filter(|n| is_credential(n.as_str()))
                .cloned()
                .collect();
            for n in names {
                req.headers.remove(n);
            }
        }
        req.url = next;
    }
}

fn is_redirect(s: StatusCode) -> bool {
    matches!(s.as_u16(), 301 | 302 | 303 | 307 | 308)
}

fn is_credential(name: &str) -> bool {
    CREDENTIAL_HEADERS.contains(&name)
        || ["key", "token", "secret", "auth"]
            .iter()
            .any(|w| name.contains(w))
}

/// `scheme://host:port` of a URL, shown instead of the whole URL (whose path or query may
/// carry a token).
pub(crate) fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// A body read up to a cap.
#[derive(Debug)]
pub(crate) struct Capped {
    pub bytes: Vec<u8>,
    pub truncated: bool,
}

/// Reads the body, stopping once `cap` bytes are in (the rest is not read).
pub(crate) async fn read_capped(
    response: &mut reqwest::Response,
    cap: usize,
) -> Result<Capped, reqwest::Error> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = cap - bytes.len();
        if chunk.len() > room {
            bytes.extend_from_slice(&chunk[..room]);
            return Ok(Capped {
                bytes,
                truncated: true,
            });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Capped {
        bytes,
        truncated: false,
    })
}

/// The useful headers of a response, as a JSON object.
pub(crate) fn useful_headers(headers: &HeaderMap) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    for name in USEFUL_HEADERS {
        if let Some(v) = headers.get(name).and_then(|v| v.to_str().ok()) {
            out.insert(name.to_owned(), serde_json::Value::String(v.to_owned()));
        }
    }
    serde_json::Value::Object(out)
}

/// A transport error in words, without the URL: a time-out, a refused connection (with its
/// innermost cause), or whatever else reqwest said.
pub(crate) fn describe(e: reqwest::Error, url: &Url, timeout: Duration) -> String {
    let e = e.without_url();
    let at = origin(url);
    if e.is_timeout() {
        return format!(
            "no complete answer from {at} within {} s",
            timeout.as_secs()
        );
    }
    let cause = root_cause(&e);
    if e.is_connect() {
        format!("cannot connect to {at}: {cause}")
    } else if e.is_body() || e.is_decode() {
        format!("reading the answer from {at} failed: {cause}")
    } else {
        format!("the request to {at} failed: {cause}")
    }
}

fn root_cause(e: &reqwest::Error) -> String {
    let mut last: &dyn std::error::Error = e;
    while let Some(s) = last.source() {
        last = s;
    }
    last.to_string()
}

/// The first 16 hex digits of the SHA-256 of `bytes`.
pub(crate) fn short_hash(bytes: &[u8]) -> String {
    let mut h = hex::encode(Sha256::digest(bytes));
    h.truncate(16);
    h
}

/// Milliseconds since the Unix epoch.
pub(crate) fn unix_ms() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}

/// At most `max` characters of `s`, with `…` when cut.
pub(crate) fn snippet(s: &str, max: usize) -> String {
    let mut out: String = s.chars().take(max).collect();
    if s.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}
