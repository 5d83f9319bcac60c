//! One module per subcommand; [`run`] resolves what every command shares (the configuration file,
//! the database URL from flag, environment, file or default) once, then routes.

mod approval;
mod audit;
mod dlq;
mod doctor;
mod escalation;
mod experiment;
mod goal;
mod goal_edit;
mod learning;
mod listen;
mod migrate;
mod report;
mod schedule;
mod status;
mod task;
mod token;
mod up;

mod playbook;

use crate::cli::{Cli, Command, DEFAULT_DATABASE_URL};
use crate::config::Config;
use crate::db::{self, Access};
use crate::wiring::Wiring;
use juggernaut_app::App;
use juggernaut_core::PlanCoverage;
use std::sync::Arc;

/// What every command is given: resolved once, in one order (flag, environment, file, default).
pub struct Ctx {
    /// The database URL.
    pub url: String,
    /// Whether the URL was given (flag, environment or file) rather than the default.
    pub explicit_url: bool,
    /// The configuration (file and defaults).
    pub config: Config,
    /// `--json`.
    pub json: bool,
}

impl Ctx {
    /// The handlers and playbooks the configuration makes.
    pub fn wiring(&self) -> anyhow::Result<Wiring> {
        Wiring::load(&self.config)
    }

    /// The application over the configured store, opened with `access`.
    pub async fn app(&self, access: Access) -> anyhow::Result<App> {
        let w = self.wiring()?;
        let store = db::open(&self.url, access).await?;
        Ok(App::new(store, w.registry).with_planning(w.coverage as Arc<dyn PlanCoverage>))
    }
}

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = match Config::load(cli.config.as_deref()) {
        Err(e) if matches!(cli.command, Command::Doctor) => {
            return doctor::broken_config(&e, cli.database_url.as_deref(), cli.json).await;
        }
        loaded => loaded?,
    };
    let given = cli.database_url.or_else(|| config.database_url.clone());
    let ctx = Ctx {
        explicit_url: given.is_some(),
        url: given.unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
        config,
        json: cli.json,
    };
    match cli.command {
        Command::Migrate => migrate::run(&ctx).await,
        Command::Task(cmd) => task::run(&ctx, cmd).await,
        Command::Dlq(cmd) => dlq::run(&ctx, cmd).await,
        Command::Approval(cmd) => approval::list(&ctx, cmd).await,
        Command::Approve(args) => approval::approve(&ctx, args).await,
        Command::Reject(args) => approval::reject(&ctx, args).await,
        Command::Escalation(cmd) => escalation::run(&ctx, cmd).await,
        Command::Experiment(cmd) => experiment::run(&ctx, cmd).await,
        Command::Learning(cmd) => learning::run(&ctx, cmd).await,
        Command::Token(cmd) => token::run(&ctx, cmd).await,
        Command::Audit(args) => audit::run(&ctx, args).await,
        Command::Report(args) => report::run(&ctx, args).await,
        Command::Bench(args) => crate::bench::run(&ctx.url, args).await,
        Command::Up(args) => up::up(&ctx, args).await,
        Command::Worker(args) => match args.command {
            Some(crate::cli::WorkerCommand::List) => status::workers(&ctx).await,
            None => up::worker(&ctx, args).await,
        },
        Command::Status => status::run(&ctx).await,
        Command::Schedule(cmd) => schedule::run(&ctx, cmd).await,
        Command::Goal(cmd) => goal::run(&ctx, cmd).await,
        Command::Playbook(cmd) => playbook::run(&ctx, cmd),
        Command::Demo(args) => crate::demo::demo(&ctx, args).await,
        Command::Doctor => doctor::run(&ctx).await,
    }
}
