//! `juggernaut demo`: a plumbing company's workspace made offline (a sample database, the
//! data-source and tool configuration, playbooks, goals with SQL metrics, schedules), then the
//! engine run in this process until the goals' first plans are done, with a progress bar. All of
//! it is real work on the sample data — SQL analyses written to report files, a workflow that
//! writes a call list, webhook messages to a sink this command runs — and every completed task
//! carries evidence the verifier re-checked. With an LLM configured, one more goal is left to
//! the LLM planner.

mod data;
mod experiment;
mod files;
mod goals;
mod report;
mod run;
mod sink;

use crate::cli::DemoArgs;
use crate::commands::Ctx;
use crate::config::Config;
use crate::exit::BadInput;
use std::path::{Path, PathBuf};

/// Marks a folder as made by `juggernaut demo` (so that a re-run may replace it).
const MARKER: &str = ".juggernaut-demo";

/// `juggernaut demo`.
pub async fn demo(ctx: &Ctx, args: DemoArgs) -> anyhow::Result<()> {
    let dir = prepare(&args.dir)?;
    let sink = sink::Sink::start().await?;
    files::write(&dir, &sink.url())?;
    data::create(&dir.join(files::SAMPLE_DB)).await?;
    experiment::sample(&dir.join(files::SAMPLE_DB)).await?;
    let cfg = Config::load(Some(&dir.join(files::CONFIG)))?;
    let url = if ctx.explicit_url {
        ctx.url.clone()
    } else {
        format!(
            "sqlite://{}",
            dir.join(".juggernaut/juggernaut.db").display()
        )
    };
    let outcome = run::run(&dir, &cfg, &url, &sink, args.timeout()).await;
    sink.stop();
    outcome
}

/// Makes an empty demo folder: an earlier demo's is replaced; anything else is refused.
fn prepare(dir: &Path) -> anyhow::Result<PathBuf> {
    if dir.exists() {
        let is_demo = dir.join(MARKER).exists();
        let empty = std::fs::read_dir(dir)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !is_demo && !empty {
            return Err(BadInput(format!(
                "{} exists and was not made by `juggernaut demo`: pass --dir with a new folder",
                dir.display()
            ))
            .into());
        }
        if is_demo {
            std::fs::remove_dir_all(dir).map_err(|e| {
                anyhow::anyhow!("cannot replace the earlier demo in {}: {e}", dir.display())
            })?;
        }
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| BadInput(format!("cannot create {}: {e}", dir.display())))?;
    std::fs::write(
        dir.join(MARKER),
        "made by `juggernaut demo`; a re-run replaces this folder\n",
    )?;
    let abs = dir
        .canonicalize()
        .map_err(|e| anyhow::anyhow!("cannot resolve {}: {e}", dir.display()))?;
    Ok(abs)
}
