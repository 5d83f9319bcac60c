//! One module per subcommand; [`run`] routes to them.

mod dlq;
mod migrate;
mod schedule;
mod status;
mod task;
mod up;

use crate::cli::{Cli, Command};

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let url = cli.database_url.as_deref();
    match cli.command {
        Command::Migrate => migrate::run(url, cli.json).await,
        Command::Task(cmd) => task::run(url, cli.json, cmd).await,
        Command::Dlq(cmd) => dlq::run(url, cli.json, cmd).await,
        Command::Bench(args) => crate::bench::run(url, args).await,
        Command::Up(args) => up::up(url, args).await,
        Command::Worker(args) => match args.command {
            Some(crate::cli::WorkerCommand::List) => status::workers(url, cli.json).await,
            None => up::worker(url, args).await,
        },
        Command::Status => status::run(url, cli.json).await,
        Command::Schedule(cmd) => schedule::run(url, cli.json, cmd).await,
    }
}
