//! `[tools]`: where task workspaces live and how each tool is configured. Secrets (search API
//! keys, webhook URLs, SMTP URLs with passwords, GitHub tokens, MCP servers' keys and headers)
//! are named by environment variable or file and read only when a command runs tools (`up`,
//! `worker`, `demo`).
//!
//! ```toml
//! [tools]
//! workspace_dir = ".juggernaut/workspaces"   # relative to the config file's folder
//! timeout_secs = 300                         # most time one tool call may take (1-3600)
//! [tools.shell]                              # sandbox = "auto" | "bubblewrap" | "rlimits"
//! timeout_default_secs = 60
//! [tools.http]
//! allow_hosts = ["api.example.com", "*.example.org"]
//! [tools.fetch]
//! allow_hosts = ["*"]                        # any public host; private addresses refused
//! [tools.search]
//! provider = "searxng"                       # or "brave"
//! url = "http://127.0.0.1:8888"
//! api_key_env = "BRAVE_API_KEY"              # or api_key_file
//! [tools.notify.channels.ops]
//! type = "slack"                             # slack | webhook | email
//! url_env = "SLACK_WEBHOOK_URL"              # or url = "..." when it holds no secret
//! [tools.notify.channels.owner]
//! type = "email"
//! url_env = "SMTP_URL"                       # smtp://user:pass@host:587?tls=required
//! from = "juggernaut@example.com"
//! to = ["owner@example.com"]
//! [tools.git]
//! allowed_remotes = ["https://github.com/acme/"]
//! token_env = "GITHUB_TOKEN"
//! [tools.github]
//! api_url = "https://api.github.com"
//! token_env = "GITHUB_TOKEN"
//! [tools.mcp.files]                          # every tool of the server, as files__NAME
//! command = "mcp-server-filesystem"
//! args = ["/srv/shared"]
//! env = { LOG_LEVEL = "info" }               # not secret: may be shown
//! env_from = { API_KEY = "FILES_API_KEY" }   # the child's API_KEY = our $FILES_API_KEY
//! [tools.mcp.remote]                         # a streamable HTTP endpoint
//! url = "https://mcp.example.com/mcp"
//! header_env = { Authorization = "REMOTE_MCP_AUTH" }  # e.g. "Bearer ..." in $REMOTE_MCP_AUTH
//! ```

use super::bounded;
use crate::exit::BadInput;
use juggernaut_tools::Workspaces;
use juggernaut_tools::shell::ShellConfig;
use juggernaut_tools_git::GitConfig;
use juggernaut_tools_net::{FetchConfig, HttpConfig};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `[tools]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTools {
    workspace_dir: Option<PathBuf>,
    timeout_secs: Option<u64>,
    #[serde(default)]
    shell: ShellConfig,
    #[serde(default)]
    http: HttpConfig,
    #[serde(default)]
    fetch: FetchConfig,
    search: Option<RawSearch>,
    #[serde(default)]
    notify: RawNotify,
    git: Option<RawGit>,
    github: Option<RawGitHub>,
    #[serde(default)]
    mcp: BTreeMap<String, juggernaut_mcp::McpServerConfig>,
}

/// `[tools.search]` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSearch {
    /// `searxng` or `brave`.
    pub provider: String,
    /// The provider's URL.
    pub url: Option<String>,
    /// The key's environment variable.
    pub api_key_env: Option<String>,
    /// The key's file.
    pub api_key_file: Option<PathBuf>,
    /// Seconds per search.
    pub timeout_secs: Option<u64>,
    /// Results per search.
    pub max_results: Option<usize>,
}

/// `[tools.notify]` as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNotify {
    /// The channels by name.
    #[serde(default)]
    pub channels: BTreeMap<String, RawChannel>,
    /// Seconds per message.
    pub timeout_secs: Option<u64>,
}

/// `[tools.notify.channels.NAME]` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawChannel {
    /// `slack`, `webhook` or `email`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The webhook or SMTP URL, when it holds no secret.
    pub url: Option<String>,
    /// The environment variable holding the URL.
    pub url_env: Option<String>,
    /// Headers for a webhook, by name → environment variable holding the value.
    #[serde(default)]
    pub header_env: BTreeMap<String, String>,
    /// Email sender.
    pub from: Option<String>,
    /// Email recipients.
    #[serde(default)]
    pub to: Vec<String>,
}

/// `[tools.git]` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGit {
    /// Remote URL prefixes that may be cloned and pushed to.
    #[serde(default)]
    pub allowed_remotes: Vec<String>,
    /// The token's environment variable (HTTPS remotes).
    pub token_env: Option<String>,
    /// Commit author name.
    pub author_name: Option<String>,
    /// Commit author email.
    pub author_email: Option<String>,
    /// Seconds per git command.
    pub timeout_secs: Option<u64>,
}

impl RawGit {
    /// The git tools' settings.
    pub fn config(&self) -> GitConfig {
        let d = GitConfig::default();
        GitConfig {
            allowed_remotes: self.allowed_remotes.clone(),
            author_name: self.author_name.clone().unwrap_or(d.author_name),
            author_email: self.author_email.clone().unwrap_or(d.author_email),
            timeout_secs: self.timeout_secs.unwrap_or(d.timeout_secs),
        }
    }
}

/// `[tools.github]` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGitHub {
    /// The API's base URL.
    pub api_url: Option<String>,
    /// The token's environment variable.
    pub token_env: Option<String>,
    /// The token's file.
    pub token_file: Option<PathBuf>,
    /// Seconds per request.
    pub timeout_secs: Option<u64>,
}

/// The tools' validated settings (secrets still unread).
#[derive(Debug, Clone)]
pub struct Tools {
    /// Where task workspaces live.
    pub workspaces: Workspaces,
    /// Most time one call may take.
    pub timeout: Duration,
    /// `[tools.shell]`.
    pub shell: ShellConfig,
    /// `[tools.http]`.
    pub http: HttpConfig,
    /// `[tools.fetch]`.
    pub fetch: FetchConfig,
    /// `[tools.search]`.
    pub search: Option<RawSearch>,
    /// `[tools.notify]`.
    pub notify: RawNotify,
    /// `[tools.git]`.
    pub git: Option<RawGit>,
    /// `[tools.github]`.
    pub github: Option<RawGitHub>,
    /// `[tools.mcp.NAME]`.
    pub mcp: BTreeMap<String, juggernaut_mcp::McpServerConfig>,
    /// The config file's folder (secret files resolve here).
    pub base: PathBuf,
}

impl Tools {
    /// The names of the built-in tools this configuration registers (MCP tools are known only
    /// once their servers answer), without reading any secret: what `toolset::load` builds.
    pub fn names(&self, has_sources: bool) -> std::collections::BTreeSet<String> {
        let mut names = vec![
            "fs_list",
            "fs_read",
            "fs_write",
            "shell",
            "http_request",
            "fetch_page",
        ];
        if self.search.is_some() {
            names.push("web_search");
        }
        if !self.notify.channels.is_empty() {
            names.push("notify");
        }
        if has_sources {
            names.push("sql_query");
        }
        if self.git.is_some() {
            names.extend(["git", "git_push"]);
        }
        if self.github.is_some() {
            names.extend(["github", "github_merge"]);
        }
        names.into_iter().map(str::to_owned).collect()
    }
}

impl RawTools {
    /// Checks `[tools]`, naming the key that is wrong.
    pub fn validate(self, base: &Path, file: &str) -> anyhow::Result<Tools> {
        let dir = self
            .workspace_dir
            .unwrap_or_else(|| PathBuf::from(juggernaut_handler::context::DEFAULT_WORKSPACES));
        let dir = if dir.is_absolute() {
            dir
        } else {
            base.join(dir)
        };
        let timeout = bounded(
            "tools.timeout_secs",
            self.timeout_secs,
            300,
            (1, 3600),
            file,
        )?;
        self.shell
            .validate()
            .map_err(|e| BadInput(format!("{file}: [tools.shell]: {e}")))?;
        if self.shell.timeout_max_secs > timeout {
            return Err(BadInput(format!(
                "{file}: [tools.shell] timeout_max_secs = {} is longer than [tools] timeout_secs = \
                 {timeout}, which stops every tool call: raise timeout_secs or lower it",
                self.shell.timeout_max_secs
            ))
            .into());
        }
        for (name, c) in &self.notify.channels {
            let bad = |r: &str| BadInput(format!("{file}: [tools.notify.channels.{name}]: {r}"));
            if !["slack", "webhook", "email"].contains(&c.kind.as_str()) {
                return Err(bad("`type` must be slack, webhook or email").into());
            }
            if c.url.is_some() == c.url_env.is_some() {
                return Err(bad("give exactly one of `url` and `url_env`").into());
            }
            if c.kind == "slack" && c.url.is_some() {
                return Err(bad("a Slack webhook URL is a secret: name it with `url_env`").into());
            }
            if c.url
                .as_deref()
                .is_some_and(|u| juggernaut_store::url::redact(u) != u)
            {
                return Err(bad("this URL carries a credential: name it with `url_env`").into());
            }
            if c.kind == "email" && (c.from.is_none() || c.to.is_empty()) {
                return Err(bad("an email channel needs `from` and at least one `to`").into());
            }
        }
        if let Some(s) = &self.search
            && !["searxng", "brave"].contains(&s.provider.as_str())
        {
            return Err(BadInput(format!(
                "{file}: [tools.search] provider `{}`: use searxng or brave",
                s.provider
            ))
            .into());
        }
        Ok(Tools {
            workspaces: Workspaces::new(dir),
            timeout: Duration::from_secs(timeout),
            shell: self.shell,
            http: self.http,
            fetch: self.fetch,
            search: self.search,
            notify: self.notify,
            git: self.git,
            github: self.github,
            mcp: self.mcp,
            base: base.to_path_buf(),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::{Config, LlmEnv};
    use std::path::Path;

    fn err(text: &str) -> String {
        let raw = toml::from_str(text).unwrap();
        Config::validate(raw, &LlmEnv::default(), Path::new("/etc/j"), "t.toml")
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn secrets_in_the_file_and_impossible_limits_are_refused() {
        let slack = "[tools.notify.channels.ops]\ntype = \"slack\"\nurl = \"https://hooks.slack.com/services/T/B/x\"\n";
        assert!(err(slack).contains("a Slack webhook URL is a secret"));
        let smtp = "[tools.notify.channels.o]\ntype = \"email\"\nurl = \"smtp://u:pw@h:25\"\nfrom = \"a@b\"\nto = [\"c@d\"]\n";
        assert!(err(smtp).contains("carries a credential"));
        let both =
            "[tools.notify.channels.o]\ntype = \"webhook\"\nurl = \"http://x\"\nurl_env = \"X\"\n";
        assert!(err(both).contains("exactly one of `url` and `url_env`"));
        let long = "[tools]\ntimeout_secs = 60\n[tools.shell]\ntimeout_max_secs = 600\n";
        assert!(err(long).contains("longer than [tools] timeout_secs"));
        assert!(err("[tools.search]\nprovider = \"bing\"\n").contains("use searxng or brave"));
    }
}
