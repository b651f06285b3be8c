//! Dispatch from parsed arguments to a command.

use anyhow::Result;

use crate::cli::{Cli, Command, DoctorArgs};
use crate::cluster::connect;
use crate::commands;
use crate::complete;
use crate::error::{Exit, Outcome};

/// Runs the command until it ends or Ctrl-C. Ctrl-C at a confirmation prompt declines it (exit
/// 3, see `prompt`); anywhere else it stops the command where it is (exit 130), with one line
/// instead of a terminal left with a half-drawn progress bar.
pub async fn run(cli: Cli) -> Result<Exit> {
    let command = dispatch(cli);
    tokio::pin!(command);
    tokio::select! {
        // Polled first, so the handler is installed before the command starts. Should it fail to
        // install, the branch is disabled and Ctrl-C ends the process as it would without it.
        biased;
        Ok(()) = tokio::signal::ctrl_c() => Err(Outcome::Interrupted(
            "interrupted: stopped; anything reported as done above was done (re-run to see the current state)".into(),
        )
        .into()),
        result = &mut command => result,
    }
}

async fn dispatch(cli: Cli) -> Result<Exit> {
    let global = cli.global;
    let command = cli.command.unwrap_or(Command::Doctor(DoctorArgs::default()));
    match command {
        Command::Completion { shell } => complete::print_script(shell),
        Command::Complete { words } => complete::kubectl_protocol(&global, &words).await,
        command => {
            // kubectl's order: validate the input, then connect, then run.
            commands::validate(&command, &global)?;
            let cluster = connect(&global).await?;
            let ctx = commands::Context::new(&global, cluster);
            match command {
                Command::Ordinals(args) => commands::ordinals::run(&ctx, &args).await,
                Command::Claims(args) => commands::claims::run(&ctx, &args).await,
                Command::ForceDelete(args) => commands::force_delete::run(&ctx, &args).await,
                Command::Reclaim(args) => commands::reclaim::run(&ctx, &args).await,
                Command::Rollout(args) => commands::rollout::run(&ctx, &args).await,
                Command::Doctor(args) => commands::doctor::run(&ctx, &args).await,
                Command::Completion { .. } | Command::Complete { .. } => {
                    unreachable!("handled above")
                }
            }
        }
    }
}
