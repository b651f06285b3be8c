//! Dispatch from parsed arguments to a command.

use anyhow::Result;

use crate::cli::{Cli, Command, DoctorArgs};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Pod;
use kube::Api;

use crate::cluster::{ApiError, Cluster, Op, connect};
use crate::commands;
use crate::complete;
use crate::error::{Exit, Outcome};

/// Runs the command until it ends or Ctrl-C. Ctrl-C at a confirmation prompt declines it (exit
/// 3, see `prompt`); anywhere else it stops the command where it is (exit 130), with one line
/// instead of a terminal left with a half-drawn progress bar, unless the command claimed Ctrl-C
/// to report where it stopped (see `interrupt`).
pub async fn run(cli: Cli) -> Result<Exit> {
    // Made before the command starts, and kept for the whole run. Should it fail to install, the
    // branch is disabled and Ctrl-C ends the process as it would without it.
    let mut ctrl_c = crate::interrupt::Listener::new().ok();
    let command = dispatch(cli);
    tokio::pin!(command);
    loop {
        tokio::select! {
            biased;
            Some(()) = async {
                match &mut ctrl_c {
                    Some(listener) => listener.recv().await,
                    None => None,
                }
            } => {
                if crate::interrupt::claimed() {
                    crate::interrupt::hand_over();
                    continue;
                }
                return Err(Outcome::Interrupted(
                    "interrupted: stopped; anything reported as done above was done (re-run to see the current \
                     state)"
                        .into(),
                )
                .into());
            }
            result = &mut command => return result,
        }
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
            let result = match command {
                Command::Ordinals(args) => commands::ordinals::run(&ctx, &args).await,
                Command::Claims(args) => commands::claims::run(&ctx, &args).await,
                Command::ForceDelete(args) => commands::force_delete::run(&ctx, &args).await,
                Command::Reclaim(args) => commands::reclaim::run(&ctx, &args).await,
                Command::Rollout(args) => commands::rollout::run(&ctx, &args).await,
                Command::Doctor(args) => commands::doctor::run(&ctx, &args).await,
                Command::DrainCheck(args) => commands::drain_check::run(&ctx, &args).await,
                Command::Completion { .. } | Command::Complete { .. } => {
                    unreachable!("handled above")
                }
            };
            match result {
                Err(e) => match not_found_hint(&ctx.cluster, &e).await {
                    Some(hint) => Err(e.context(hint)),
                    None => Err(e),
                },
                ok => ok,
            }
        }
    }
}

/// After a 404 of a named object (and only then): what the user probably meant. A pod name given
/// where a StatefulSet is expected, or the other way round, is the commonest typo (one more GET
/// says which it is); failing that, a namespace that does not exist (one more GET; nothing when
/// namespaces may not be read).
async fn not_found_hint(cluster: &Cluster, err: &anyhow::Error) -> Option<String> {
    let op = err.chain().find_map(|c| c.downcast_ref::<ApiError>()).and_then(ApiError::not_found_op)?;
    let (namespace, name) = (op.namespace.as_deref()?, op.name.as_deref()?);
    if let Some(hint) = wrong_kind_hint(cluster, op, namespace, name).await {
        return Some(hint);
    }
    cluster.missing_namespace(namespace).await.map(|missing| missing.to_string())
}

async fn wrong_kind_hint(cluster: &Cluster, op: &Op, namespace: &str, name: &str) -> Option<String> {
    match op.resource.as_str() {
        "statefulsets" => {
            let pods: Api<Pod> = Api::namespaced(cluster.client.clone(), namespace);
            let op = Op::of::<Pod>("get").ns(namespace.to_string()).name(name);
            let pod = cluster.call(op, pods.get_metadata_opt(name)).await.ok()??;
            let owner = pod
                .metadata
                .owner_references?
                .into_iter()
                .find(|o| o.kind == "StatefulSet" && o.controller == Some(true))?;
            Some(format!(
                "statefulset \"{name}\" not found in namespace \"{namespace}\", but pod {name} is one of StatefulSet {}: pass {}",
                owner.name, owner.name
            ))
        }
        "pods" => {
            let sets: Api<StatefulSet> = Api::namespaced(cluster.client.clone(), namespace);
            let op = Op::of::<StatefulSet>("get").ns(namespace.to_string()).name(name);
            cluster.call(op, sets.get_metadata_opt(name)).await.ok()??;
            Some(format!(
                "pod \"{name}\" not found in namespace \"{namespace}\", but StatefulSet {name} exists: pass one of its pods ({name}-0, ...; `kubectl sts-doctor ordinals {name}` lists them)"
            ))
        }
        _ => None,
    }
}
