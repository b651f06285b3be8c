//! `drain-check NODE`: what draining a node would do to the StatefulSets in scope. Read-only.

use anyhow::Result;

use super::Context;
use crate::cli::DrainCheckArgs;
use crate::cluster::snapshot::{Scope, Want};
use crate::error::Exit;
use crate::{drain, render};

pub async fn run(ctx: &Context, args: &DrainCheckArgs) -> Result<Exit> {
    // The node first: a typo is "node not found" (exit 1), not an empty, successful check.
    ctx.cluster.require_node(&args.node).await?;
    let namespace = ctx.namespace().to_string();
    let scope = if ctx.all_namespaces { Scope::AllNamespaces } else { Scope::Namespace(namespace.clone()) };
    let want = Want {
        all_pods: true,
        claims: true,
        volumes: true,
        nodes: true,
        disruption_budgets: true,
        statefulset_namespaces_only: true,
        ..Want::default()
    };
    let mut snap = ctx.cluster.snapshot(&scope, want).await?;
    // The drained node is in the snapshot only if a pod in scope runs on it.
    if let Ok(nodes) = &mut snap.nodes
        && !nodes.contains_key(&args.node)
        && let Some(node) = ctx.cluster.node_opt(&args.node).await?
    {
        nodes.insert(node.name.clone(), node);
    }
    let report = drain::assess(&snap, &args.node, (!ctx.all_namespaces).then_some(namespace.as_str()));
    render::emit(ctx.output, "DrainCheck", &report, || render::drain::table(&report, ctx.style))?;
    Ok(if report.would_complete { Exit::Ok } else { Exit::Refused })
}
