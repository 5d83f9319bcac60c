//! One module per subcommand; [`run`] routes to them.

mod dlq;
mod migrate;
mod task;

use crate::cli::{Cli, Command};

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let url = cli.database_url.as_deref();
    match cli.command {
        Command::Migrate => migrate::run(url, cli.json).await,
        Command::Task(cmd) => task::run(url, cli.json, cmd).await,
        Command::Dlq(cmd) => dlq::run(url, cli.json, cmd).await,
        Command::Bench(args) => crate::bench::run(url, args).await,
    }
}
