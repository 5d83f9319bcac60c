//! One module per subcommand; [`run`] resolves what every command shares (the configuration file,
//! the database URL from flag, environment, file or default) once, then routes.

mod dlq;
mod goal;
mod migrate;
mod schedule;
mod status;
mod task;
mod up;

use crate::cli::{Cli, Command, DEFAULT_DATABASE_URL};
use crate::config::Config;

/// What every command is given: resolved once, in one order (flag, environment, file, default).
pub struct Ctx {
    /// The database URL.
    pub url: String,
    /// The configuration (file and defaults).
    pub config: Config,
    /// `--json`.
    pub json: bool,
}

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::load(cli.config.as_deref())?;
    let url = cli
        .database_url
        .or_else(|| config.database_url.clone())
        .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
    let ctx = Ctx {
        url,
        config,
        json: cli.json,
    };
    match cli.command {
        Command::Migrate => migrate::run(&ctx).await,
        Command::Task(cmd) => task::run(&ctx, cmd).await,
        Command::Dlq(cmd) => dlq::run(&ctx, cmd).await,
        Command::Bench(args) => crate::bench::run(&ctx.url, args).await,
        Command::Up(args) => up::up(&ctx, args).await,
        Command::Worker(args) => match args.command {
            Some(crate::cli::WorkerCommand::List) => status::workers(&ctx).await,
            None => up::worker(&ctx, args).await,
        },
        Command::Status => status::run(&ctx).await,
        Command::Schedule(cmd) => schedule::run(&ctx, cmd).await,
        Command::Goal(cmd) => goal::run(&ctx, cmd).await,
    }
}
