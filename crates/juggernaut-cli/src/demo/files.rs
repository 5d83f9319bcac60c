//! The demo workspace's files: `juggernaut.toml` (the sample database as the `plumbing` data
//! source, task workspaces, the webhook channel, a brisk planner and sampler) and the playbooks
//! the goals are planned with.

use std::path::Path;

/// The sample database's file name.
pub const SAMPLE_DB: &str = "plumbing.db";
/// The configuration's file name.
pub const CONFIG: &str = "juggernaut.toml";
/// Where task workspaces (and so the reports) go.
pub const WORKSPACES: &str = "workspaces";

/// The playbooks, by file name.
const PLAYBOOKS: [(&str, &str); 3] = [
    ("revenue.toml", include_str!("playbooks/revenue.toml")),
    (
        "collections.toml",
        include_str!("playbooks/collections.toml"),
    ),
    ("leads.toml", include_str!("playbooks/leads.toml")),
];

/// Writes the configuration (posting notifications to `sink_url`) and the playbooks.
pub fn write(dir: &Path, sink_url: &str) -> anyhow::Result<()> {
    std::fs::write(dir.join(CONFIG), config(sink_url))?;
    let books = dir.join("playbooks");
    std::fs::create_dir_all(&books)?;
    for (name, text) in PLAYBOOKS {
        std::fs::write(books.join(name), text)?;
    }
    Ok(())
}

fn config(sink_url: &str) -> String {
    format!(
        r#"# Made by `juggernaut demo`. Paths are relative to this file's folder.

[sources.plumbing]
url = "sqlite://{SAMPLE_DB}"        # the sample data, opened read-only

[sampler]
interval_secs = 5

[planner]
playbooks_dir = "playbooks"
interval_ms = 200

[engine]
poll_ms = 200

[tools]
workspace_dir = "{WORKSPACES}"

# The demo's local webhook sink ran only while the demo did; point this at your own endpoint
# (or use type = "slack" with url_env = "SLACK_WEBHOOK_URL").
[tools.notify.channels.demo]
type = "webhook"
url = "{sink_url}"
"#
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_playbooks_load_against_the_registry() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "http://127.0.0.1:9/hook").unwrap();
        let cfg = crate::config::Config::load(Some(&dir.path().join(CONFIG))).unwrap();
        let wiring = crate::wiring::Wiring::load(&cfg).unwrap();
        assert!(
            wiring.playbooks.errors.is_empty(),
            "{:?}",
            wiring.playbooks.errors
        );
        assert_eq!(wiring.playbooks.books.len(), PLAYBOOKS.len());
    }
}
