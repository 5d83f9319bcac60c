//! Connections to MCP servers. A [`Server`] holds its running client session: a child process
//! (in a process group of its own, killed with the session) or a streamable HTTP session. A call
//! that finds the session closed (the program died, the endpoint went away) connects again
//! first, so the attempt after a failed one may succeed.
//!
//! A child gets only the environment its configuration names plus a few neutral variables of
//! ours (`PATH`, `HOME`, ...): none of our secrets. The last lines of its stderr are kept (with
//! the configuration's secrets removed) to explain why it failed, bounded: a line is read up to
//! [`STDERR_READ_BYTES`] (the rest of a longer one is skipped), kept up to
//! [`STDERR_LINE_BYTES`], and the tail holds at most [`STDERR_LINES`] lines and
//! [`STDERR_TAIL_BYTES`] in all. HTTP requests follow no redirect; configured headers are marked
//! sensitive. Only a resolved configuration ([`McpServerConfig::resolve`]) connects.

use crate::McpError;
use crate::config::{McpServerConfig, Transport};
use process_wrap::tokio::{CommandWrap, KillOnDrop, ProcessGroup};
use rmcp::model::{ClientInfo, Implementation};
use rmcp::service::RunningService;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use rmcp::{Peer, RoleClient, ServiceExt};
use std::collections::VecDeque;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};

/// Variables of our environment a child gets (besides its configured ones).
const INHERITED: [&str; 11] = [
    "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_ALL", "LC_CTYPE", "TERM", "TMPDIR",
    "TZ",
];

/// Lines of a child's stderr kept.
const STDERR_LINES: usize = 20;

/// Longest line of a child's stderr kept, in bytes.
const STDERR_LINE_BYTES: usize = 500;

/// Most bytes of one stderr line read (before secrets are removed and it is cut to
/// [`STDERR_LINE_BYTES`]); the rest of a longer line is skipped, unread into memory.
const STDERR_READ_BYTES: usize = 8 * 1024;

/// Most bytes of stderr the tail holds in all (older lines go first).
const STDERR_TAIL_BYTES: usize = 4 * 1024;

/// A running MCP client session.
type Session = RunningService<RoleClient, ClientInfo>;

/// The end of a child's stderr.
#[derive(Debug, Default)]
pub(crate) struct StderrTail {
    lines: Mutex<VecDeque<String>>,
}

impl StderrTail {
    fn push(&self, line: String) {
        if let Ok(mut lines) = self.lines.lock() {
            lines.push_back(line);
            while lines.len() > STDERR_LINES
                || (lines.len() > 1
                    && lines.iter().map(String::len).sum::<usize>() > STDERR_TAIL_BYTES)
            {
                lines.pop_front();
            }
        }
    }

    /// `; its stderr ended with: ...`, or nothing if it wrote nothing.
    pub(crate) fn describe(&self) -> String {
        let lines = self.lines.lock().map(|l| l.clone()).unwrap_or_default();
        if lines.is_empty() {
            String::new()
        } else {
            format!(
                "; its stderr ended with: {}",
                lines.into_iter().collect::<Vec<_>>().join(" | ")
            )
        }
    }
}

/// One live session and what explains its failures.
struct Live {
    session: Session,
    stderr: Option<Arc<StderrTail>>,
}

/// A configured MCP server and its session (made again when it closed).
pub(crate) struct Server {
    name: String,
    config: McpServerConfig,
    scrub: Box<dyn Fn(&str) -> String + Send + Sync>,
    live: tokio::sync::Mutex<Option<Live>>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("name", &self.name)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Server `name`, not connected yet (the configuration is checked).
    pub(crate) fn new(name: &str, config: McpServerConfig) -> Result<Self, McpError> {
        config.check(name)?;
        if !config.is_resolved() {
            return Err(McpError::Config {
                server: name.to_owned(),
                reason: "`env_from` and `header_env` name variables not read yet: resolve the \
                         configuration (McpServerConfig::resolve) before connecting"
                    .into(),
            });
        }
        Ok(Self {
            name: name.to_owned(),
            scrub: Box::new(config.scrubber()),
            config,
            live: tokio::sync::Mutex::new(None),
        })
    }

    /// Its name (the prefix of its tools).
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// Its time limit for connecting and for each call.
    pub(crate) fn timeout(&self) -> std::time::Duration {
        self.config.timeout()
    }

    /// `text` without the configuration's secrets.
    pub(crate) fn scrub(&self, text: &str) -> String {
        (self.scrub)(text)
    }

    /// A handle on the session, connecting (again) if there is none or it closed; with the
    /// child's stderr, if it is a child.
    pub(crate) async fn peer(
        &self,
    ) -> Result<(Peer<RoleClient>, Option<Arc<StderrTail>>), McpError> {
        let mut live = self.live.lock().await;
        if let Some(l) = live.as_ref()
            && !l.session.is_transport_closed()
        {
            return Ok((l.session.peer().clone(), l.stderr.clone()));
        }
        if let Some(mut old) = live.take() {
            let _ = old.session.close_with_timeout(self.timeout()).await;
        }
        let fresh = tokio::time::timeout(self.timeout(), self.connect())
            .await
            .map_err(|_| {
                self.connect_error(format!("no answer within {} s", self.timeout().as_secs()))
            })??;
        let out = (fresh.session.peer().clone(), fresh.stderr.clone());
        *live = Some(fresh);
        Ok(out)
    }

    /// Drops the session after a transport failure, so that the next call connects again (a
    /// child is killed; an HTTP session is abandoned).
    pub(crate) async fn discard(&self) {
        drop(self.live.lock().await.take());
    }

    /// Closes the session (a child is stopped).
    pub(crate) async fn close(&self) {
        if let Some(mut l) = self.live.lock().await.take() {
            let _ = l.session.close_with_timeout(self.timeout()).await;
        }
    }

    fn connect_error(&self, reason: String) -> McpError {
        McpError::Connect {
            server: self.name.clone(),
            reason: self.scrub(&reason),
        }
    }

    async fn connect(&self) -> Result<Live, McpError> {
        match self.config.transport(&self.name)? {
            Transport::Stdio { command, args, env } => {
                let mut cmd = tokio::process::Command::new(command);
                cmd.args(args).env_clear();
                for key in INHERITED {
                    if let Some(v) = std::env::var_os(key) {
                        cmd.env(key, v);
                    }
                }
                cmd.envs(env).kill_on_drop(true);
                let mut wrap = CommandWrap::from(cmd);
                wrap.wrap(ProcessGroup::leader()).wrap(KillOnDrop);
                let (transport, stderr) = TokioChildProcess::builder(wrap)
                    .stderr(Stdio::piped())
                    .spawn()
                    .map_err(|e| self.connect_error(format!("cannot run `{command}`: {e}")))?;
                let tail = Arc::new(StderrTail::default());
                if let Some(stderr) = stderr {
                    let (tail, scrub) = (Arc::clone(&tail), self.config.scrubber());
                    let server = self.name.clone();
                    tokio::spawn(read_lines(stderr, move |line, long| {
                        let line = scrub(&line);
                        let line = if long || line.len() > STDERR_LINE_BYTES {
                            format!("{}… [line cut]", head(&line, STDERR_LINE_BYTES))
                        } else {
                            line
                        };
                        tracing::debug!(server = %server, "MCP server stderr: {line}");
                        tail.push(line);
                    }));
                }
                match client_info().serve(transport).await {
                    Ok(session) => Ok(Live {
                        session,
                        stderr: Some(tail),
                    }),
                    Err(e) => {
                        // Give the reader a moment to collect the child's last words.
                        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                        Err(self.connect_error(format!(
                            "the MCP handshake with `{command}` failed: {e}{}",
                            tail.describe()
                        )))
                    }
                }
            }
            Transport::Http { url, headers } => {
                let mut map = reqwest::header::HeaderMap::new();
                for (k, v) in headers {
                    let name = reqwest::header::HeaderName::from_bytes(k.as_bytes())
                        .map_err(|e| self.connect_error(format!("header `{k}`: {e}")))?;
                    let mut value = reqwest::header::HeaderValue::from_str(v).map_err(|_| {
                        self.connect_error(format!("header `{k}` has an invalid value"))
                    })?;
                    value.set_sensitive(true);
                    map.insert(name, value);
                }
                let client = reqwest::Client::builder()
                    .default_headers(map)
                    .redirect(reqwest::redirect::Policy::none())
                    .connect_timeout(self.timeout())
                    .user_agent(concat!("juggernaut/", env!("CARGO_PKG_VERSION")))
                    .build()
                    .map_err(|e| self.connect_error(format!("cannot make an HTTP client: {e}")))?;
                let transport = StreamableHttpClientTransport::with_client(
                    client,
                    StreamableHttpClientTransportConfig::with_uri(url),
                );
                let session = client_info()
                    .serve(transport)
                    .await
                    .map_err(|e| self.connect_error(format!("the MCP handshake failed: {e}")))?;
                Ok(Live {
                    session,
                    stderr: None,
                })
            }
        }
    }
}

/// What we tell servers about ourselves.
fn client_info() -> ClientInfo {
    ClientInfo {
        client_info: Implementation {
            name: "juggernaut".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            ..Implementation::default()
        },
        ..ClientInfo::default()
    }
}

/// Calls `each(line, long)` for every line `from` gives (lossy UTF-8, without its line end),
/// holding at most [`STDERR_READ_BYTES`] of one: a longer line is given as soon as that much
/// is read, with `long` set, and the rest of it is skipped.
async fn read_lines(from: impl AsyncRead + Unpin, mut each: impl FnMut(String, bool)) {
    let text = |line: &[u8]| {
        String::from_utf8_lossy(line)
            .trim_end_matches('\r')
            .to_owned()
    };
    let mut reader = BufReader::new(from);
    let mut line: Vec<u8> = Vec::new();
    // The current line was given at the limit: skip to its end.
    let mut skipping = false;
    while let Ok(buf) = reader.fill_buf().await {
        if buf.is_empty() {
            if !skipping && !line.is_empty() {
                each(text(&line), false);
            }
            break;
        }
        let end = buf.iter().position(|b| *b == b'\n');
        let chunk = &buf[..end.unwrap_or(buf.len())];
        if !skipping {
            let take = (STDERR_READ_BYTES - line.len()).min(chunk.len());
            line.extend_from_slice(&chunk[..take]);
            if take < chunk.len() {
                each(text(&line), true);
                line.clear();
                skipping = true;
            }
        }
        let used = end.map_or(buf.len(), |i| i + 1);
        reader.consume(used);
        if end.is_some() {
            if !skipping {
                each(text(&line), false);
            }
            line.clear();
            skipping = false;
        }
    }
}

/// The start of `text`, at most `max` bytes (cut at a character boundary).
pub(crate) fn head(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// `text` cut to at most `max` bytes (at a character boundary), marked when cut.
pub(crate) fn cut(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let kept = head(text, max);
    format!("{kept}… [cut: {} more bytes]", text.len() - kept.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn lines(input: &[u8]) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        read_lines(input, |l, long| out.push((l, long))).await;
        out
    }

    #[tokio::test]
    async fn stderr_lines_are_read_bounded() {
        let short = lines(b"one\r\ntwo\n\nlast").await;
        let want = [("one", false), ("two", false), ("", false), ("last", false)];
        let want: Vec<_> = want.iter().map(|(l, b)| ((*l).to_owned(), *b)).collect();
        assert_eq!(short, want);
        let mut flood = vec![b'x'; 3 * STDERR_READ_BYTES];
        flood.extend_from_slice(b"\nafter\n\xff\n");
        let got = lines(&flood).await;
        assert_eq!(
            got.len(),
            3,
            "{:?}",
            got.iter().map(|l| l.0.len()).collect::<Vec<_>>()
        );
        assert_eq!((got[0].0.len(), got[0].1), (STDERR_READ_BYTES, true));
        assert_eq!(got[1], ("after".to_owned(), false));
        assert_eq!(got[2], ("\u{fffd}".to_owned(), false));
        let exact = lines(&vec![b'y'; STDERR_READ_BYTES]).await;
        assert_eq!((exact[0].0.len(), exact[0].1), (STDERR_READ_BYTES, false));
        let tail = StderrTail::default();
        for i in 0..30 {
            tail.push(format!("{i:0500}"));
        }
        let kept = tail.lines.lock().unwrap();
        assert!(kept.iter().map(String::len).sum::<usize>() <= STDERR_TAIL_BYTES);
        assert!(kept.back().unwrap().ends_with("29"));
    }
}
