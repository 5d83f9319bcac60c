//! Connections to MCP servers. A [`Server`] holds its running client session: a child process
//! (in a process group of its own, killed with the session) or a streamable HTTP session. A call
//! that finds the session closed (the program died, the endpoint went away) connects again
//! first, so the attempt after a failed one may succeed.
//!
//! A child gets only the environment its configuration names plus a few neutral variables of
//! ours (`PATH`, `HOME`, ...): none of our secrets. The last lines of its stderr are kept (with
//! the configuration's secrets removed) to explain why it failed. HTTP requests follow no
//! redirect; configured headers are marked sensitive.

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
use tokio::io::{AsyncBufReadExt, BufReader};

/// Variables of our environment a child gets (besides its configured ones).
const INHERITED: [&str; 11] = [
    "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_ALL", "LC_CTYPE", "TERM", "TMPDIR",
    "TZ",
];

/// Lines of a child's stderr kept.
const STDERR_LINES: usize = 20;

/// Longest line of a child's stderr kept, in bytes.
const STDERR_LINE_BYTES: usize = 500;

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
            if lines.len() == STDERR_LINES {
                lines.pop_front();
            }
            lines.push_back(line);
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
                    tokio::spawn(async move {
                        let mut lines = BufReader::new(stderr).lines();
                        while let Ok(Some(line)) = lines.next_line().await {
                            let line = cut(&scrub(&line), STDERR_LINE_BYTES);
                            tracing::debug!(server = %server, "MCP server stderr: {line}");
                            tail.push(line);
                        }
                    });
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

/// `text` cut to at most `max` bytes (at a character boundary), marked when cut.
pub(crate) fn cut(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… [cut: {} more bytes]", &text[..end], text.len() - end)
}
