//! The `loupe` binary: the desktop app, or a headless subcommand.

use clap::Parser as _;
use loupe_app::cli::{Cli, Command};

fn main() -> std::process::ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let cli = Cli::parse();
    let result = match &cli.command {
        Some(Command::Embed(args)) => loupe_app::embed::run_embed(args),
        Some(Command::Info(args)) => loupe_app::info::run_info(args),
        Some(Command::Chips(args)) => loupe_app::chips::run_chips(args),
        Some(Command::Select(args)) => loupe_app::select::run_select(args),
        Some(Command::Similar(args)) => loupe_app::similar::run_similar(args),
        Some(Command::Simulate(args)) => loupe_app::simulate::run_simulate(args),
        Some(Command::Animate(args)) => loupe_app::animate::run_animate(args),
        None => loupe_app::app::run_native(cli.open.clone()),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("loupe: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
