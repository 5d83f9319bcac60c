//! Juggernaut's network tools, each bounded by configuration: `http_request` (any method, to
//! allowed hosts), `fetch_page` (a page's readable text, public addresses only unless allowed),
//! `web_search` (SearXNG or Brave) and `notify` (Slack, webhook, email). Redirects are followed
//! by hand so every hop is checked; bodies are read up to a cap; no proxy is used, so the host
//! checked is the host reached. Secrets from the configuration (API keys, webhook URLs, SMTP
//! passwords) appear in no error, log line, result or `Debug` output.

mod allow;
mod client;
mod error;
pub mod fetch;
pub mod http;
pub mod notify;
pub mod search;
mod ssrf;

pub use error::ConfigError;
pub use fetch::{FetchConfig, FetchPage};
pub use http::{HttpConfig, HttpRequest};
pub use notify::{Channel, Notify, NotifyConfig};
pub use search::{Provider, SearchConfig, WebSearch};

use juggernaut_tools::Tool;
use std::sync::Arc;

/// The network tools the configuration enables: `http_request` and `fetch_page` always (with
/// empty allowlists they refuse every host, saying which key to set), `web_search` when a
/// provider is configured, `notify` when a channel is. A configuration that cannot work is an
/// error naming its key.
pub fn net_tools(
    http: HttpConfig,
    fetch: FetchConfig,
    search: Option<SearchConfig>,
    notify: NotifyConfig,
) -> Result<Vec<Arc<dyn Tool>>, ConfigError> {
    let mut tools: Vec<Arc<dyn Tool>> = vec![
        Arc::new(HttpRequest::new(&http)?),
        Arc::new(FetchPage::new(&fetch)?),
    ];
    if let Some(search) = search {
        tools.push(Arc::new(WebSearch::new(&search)?));
    }
    if !notify.channels.is_empty() {
        tools.push(Arc::new(Notify::new(&notify)?));
    }
    Ok(tools)
}
