//! `rollout history STS` and `rollout diff STS [--from REV] [--to REV]`: read-only views of the
//! StatefulSet's ControllerRevisions (three requests: see `Cluster::revision_history`).

use anyhow::Result;

use super::Context;
use crate::cli::{DiffArgs, StsArg};
use crate::error::Exit;
use crate::history::{self, diff};
use crate::render;

pub async fn history(ctx: &Context, args: &StsArg) -> Result<Exit> {
    let server = ctx.cluster.server_time().await?;
    let h = ctx.cluster.revision_history(ctx.namespace(), &args.name).await?;
    let report = history::history(&h);
    render::emit(ctx.output, "RolloutHistory", &report, || render::history::history(&report, server.now(), ctx.style))?;
    Ok(Exit::Ok)
}

pub async fn diff(ctx: &Context, args: &DiffArgs) -> Result<Exit> {
    let h = ctx.cluster.revision_history(ctx.namespace(), &args.name).await?;
    let side = |rev: &Option<String>, current: bool| match rev {
        Some(rev) => diff::side(&h, rev),
        None => diff::default_side(&h, current),
    };
    // A revision that does not exist is found only once the history is read: not found (exit 1).
    let from = side(&args.from, true).map_err(anyhow::Error::msg)?;
    let to = side(&args.to, false).map_err(anyhow::Error::msg)?;
    let report = diff::diff(&h, from, to);
    render::emit(ctx.output, "RolloutDiff", &report, || render::history::diff(&report, ctx.style))?;
    Ok(Exit::Ok)
}
