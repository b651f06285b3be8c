//! `ordinals STS`

use anyhow::{Context as _, Result};

use super::{Context, reject_all_namespaces, validate_name};
use crate::cli::{GlobalArgs, ListArgs, OutputFormat};
use crate::cluster::snapshot::{Scope, Want};
use crate::error::Exit;
use crate::render::compact::View;
use crate::{ordinals, render};

pub fn validate(global: &GlobalArgs, args: &ListArgs) -> Result<()> {
    reject_all_namespaces(global, "ordinals")?;
    validate_name("statefulset", &args.name)
}

pub async fn run(ctx: &Context, args: &ListArgs) -> Result<Exit> {
    let scope = Scope::StatefulSet { namespace: ctx.namespace().to_string(), name: args.name.clone() };
    let want = Want { nodes: true, leases: true, services: true, events: true, ..Want::default() };
    let snap = ctx.cluster.snapshot(&scope, want).await?;
    let sts = snap.statefulsets.first().context("the API returned no StatefulSet")?;
    let report = ordinals::diagnose(&snap, sts);
    let view = View::detect(report.ordinals.len(), args.wide || ctx.output == OutputFormat::Wide);
    render::emit(ctx.output, "Ordinals", &report, || render::ordinals::view(&report, snap.now, ctx.style, view))?;
    Ok(Exit::Ok)
}
