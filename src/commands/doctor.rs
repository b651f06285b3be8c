//! `doctor [STS]` (also the bare `kubectl sts-doctor`): check every StatefulSet in scope.

use anyhow::Result;

use super::{Context, validate_name};
use crate::cli::{DoctorArgs, GlobalArgs};
use crate::cluster::NamespaceCheck;
use crate::cluster::snapshot::{Scope, Want};
use crate::error::{Exit, Outcome};
use crate::severity::Severity;
use crate::{doctor, render};

pub fn validate(global: &GlobalArgs, args: &DoctorArgs) -> Result<()> {
    if let Some(name) = &args.name {
        validate_name("statefulset", name)?;
        if global.all_namespaces {
            return Err(Outcome::Usage("a StatefulSet name cannot be combined with -A/--all-namespaces".into()).into());
        }
    }
    Ok(())
}

pub async fn run(ctx: &Context, args: &DoctorArgs) -> Result<Exit> {
    let namespace = ctx.namespace().to_string();
    let scope = match (&args.name, ctx.all_namespaces) {
        (Some(name), _) => Scope::StatefulSet { namespace: namespace.clone(), name: name.clone() },
        (None, true) => Scope::AllNamespaces,
        (None, false) => Scope::Namespace(namespace.clone()),
    };
    let want = Want {
        all_pods: true,
        claims: true,
        volumes: true,
        nodes: true,
        leases: true,
        services: true,
        events: true,
        revisions: true,
        autoscalers: true,
        disruption_budgets: true,
        statefulset_namespaces_only: true,
        // `doctor NAME`: the namespace's other StatefulSets too, so that its claims are judged
        // by `reclaim`'s rules (a claim another StatefulSet's naming rule also produces is kept).
        other_statefulsets: true,
    };
    let snap = ctx.cluster.snapshot(&scope, want).await?;
    // No StatefulSet in a namespace that does not exist is a typo in -n, not a clean bill of
    // health: one more GET, only on this empty path. Not readable: said, so a typo is not
    // silently a healthy empty namespace.
    let mut unchecked_namespace = None;
    if let (Scope::Namespace(ns), true) = (&scope, snap.statefulsets.is_empty()) {
        match ctx.cluster.check_namespace(ns).await {
            NamespaceCheck::Missing(missing) => return Err(missing.into()),
            NamespaceCheck::Unknown(reason) => {
                unchecked_namespace = Some(format!(
                    "whether namespace {ns} exists could not be checked ({reason}): if it does not, -n has a typo"
                ))
            }
            NamespaceCheck::Exists => {}
        }
    }
    let mut report = doctor::diagnose(&snap, (!ctx.all_namespaces).then_some(namespace.as_str()));
    report.notes.extend(unchecked_namespace);
    render::emit(ctx.output, "Doctor", &report, || render::doctor::table(&report, ctx.style))?;
    Ok(match report.summary.worst {
        Some(Severity::Error) => Exit::Errors,
        Some(Severity::Warning) => Exit::Warnings,
        _ => Exit::Ok,
    })
}
