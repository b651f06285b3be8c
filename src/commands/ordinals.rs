//! `ordinals STS`

use anyhow::{Context as _, Result};

use super::{Context, reject_all_namespaces, validate_name};
use crate::cli::{GlobalArgs, StsArg};
use crate::cluster::snapshot::{Scope, Want};
use crate::error::Exit;
use crate::{ordinals, render};

pub fn validate(global: &GlobalArgs, args: &StsArg) -> Result<()> {
    reject_all_namespaces(global, "ordinals")?;
    validate_name("statefulset", &args.name)
}

pub async fn run(ctx: &Context, args: &StsArg) -> Result<Exit> {
    let scope = Scope::StatefulSet { namespace: ctx.namespace().to_string(), name: args.name.clone() };
    let want = Want { nodes: true, leases: true, services: true, events: true, ..Want::default() };
    let snap = ctx.cluster.snapshot(&scope, want).await?;
    let sts = snap.statefulsets.first().context("the API returned no StatefulSet")?;
    let report = ordinals::diagnose(&snap, sts);
    render::emit(ctx.output, "Ordinals", &report, || render::ordinals::table(&report, snap.now, ctx.style))?;
    Ok(Exit::Ok)
}
