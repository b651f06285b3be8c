//! `claims STS`

use std::collections::BTreeSet;

use anyhow::{Context as _, Result};

use super::{Context, reject_all_namespaces, validate_name};
use crate::cli::{GlobalArgs, ListArgs, OutputFormat};
use crate::cluster::snapshot::{Scope, Want};
use crate::error::Exit;
use crate::render::compact::View;
use crate::{claims, render};

pub fn validate(global: &GlobalArgs, args: &ListArgs) -> Result<()> {
    reject_all_namespaces(global, "claims")?;
    validate_name("statefulset", &args.name)
}

pub async fn run(ctx: &Context, args: &ListArgs) -> Result<Exit> {
    let scope = Scope::StatefulSet { namespace: ctx.namespace().to_string(), name: args.name.clone() };
    // Every pod of the namespace: a claim may be mounted by pods the StatefulSet does not own;
    // autoscalers: a claim outside the range that an HPA's scale-up reuses is no orphan.
    let want = Want {
        all_pods: true,
        claims: true,
        volumes: true,
        nodes: true,
        leases: true,
        autoscalers: true,
        ..Want::default()
    };
    let snap = ctx.cluster.snapshot(&scope, want).await?;
    let sts = snap.statefulsets.first().context("the API returned no StatefulSet")?;
    let report = claims::diagnose(&snap, sts);
    let ordinals: BTreeSet<i32> = report.claims.iter().map(|c| c.ordinal).collect();
    let view = View::detect(ordinals.len(), args.wide || ctx.output == OutputFormat::Wide);
    render::emit(ctx.output, "Claims", &report, || render::claims::view(&report, snap.now, ctx.style, view))?;
    Ok(Exit::Ok)
}
