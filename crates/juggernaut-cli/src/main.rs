//! The `juggernaut` binary. This crate is the only place that reads argv and the environment and
//! picks a store backend; everything it does is a call into the library crates.

mod bench;
mod cli;
mod commands;
mod config;
mod db;
mod demo;
mod escalating;
mod exit;
mod input;
mod output;
mod sampling;
mod toolset;
mod wiring;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    end_quietly_on_a_closed_stdout();
    let cli = cli::Cli::parse();
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(exit::FAILURE);
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", output::clean(&format!("{e:#}")));
            ExitCode::from(exit::code_for(&e))
        }
    }
}

/// Logs go to stderr; `JUGGERNAUT_LOG` sets the filter (default `warn`), `JUGGERNAUT_LOG_FORMAT=json`
/// switches to JSON lines.
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("JUGGERNAUT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("JUGGERNAUT_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// When whoever reads the output closes the pipe early (`juggernaut status | head -1`), printing
/// fails with a broken pipe, which `println!` turns into a panic: the output simply ends there,
/// with exit 1 (the rest could not be delivered) and no panic message. Every other panic is
/// reported as before.
fn end_quietly_on_a_closed_stdout() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let text = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if text.starts_with("failed printing to stdout") && text.contains("Broken pipe") {
            std::process::exit(i32::from(exit::FAILURE));
        }
        report(info);
    }));
}
