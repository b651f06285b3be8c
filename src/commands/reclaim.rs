//! `reclaim STS` and `reclaim --deleted [STS]`: plan, then (with --delete) confirm and delete.

use std::collections::BTreeMap;

use anyhow::{Result, anyhow};

use super::{Context, validate_name};
use crate::apply::claims::ReclaimOptions;
use crate::cli::{GlobalArgs, ReclaimArgs};
use crate::cluster::snapshot::{Scope, Want};
use crate::error::{Exit, Outcome};
use crate::model::{ObjectKey, key};
use crate::reclaim::{
    self, ActionStatus, Candidate, ClaimResult, Confidence, DataFate, PlanOptions, ReclaimPlan, ReclaimReport,
};
use crate::{apply, prompt, render};

pub fn validate(global: &GlobalArgs, args: &ReclaimArgs) -> Result<()> {
    if let Some(name) = &args.name {
        validate_name("statefulset", name)?;
    }
    let usage = |message: &str| Err(Outcome::Usage(message.into()).into());
    if global.all_namespaces && !args.deleted {
        return usage(
            "reclaim works on one StatefulSet in one namespace; -A/--all-namespaces only goes with --deleted",
        );
    }
    if args.include_name_only && args.deleted {
        return usage(
            "--include-name-only is for a StatefulSet's own orphans; every --deleted candidate is low confidence",
        );
    }
    if !args.delete && args.confirm.yes {
        return usage("--yes only goes with --delete (without --delete nothing is changed)");
    }
    if !args.delete && args.confirm.dry_run {
        return usage("--dry-run only goes with --delete (without --delete nothing is changed)");
    }
    Ok(())
}

pub async fn run(ctx: &Context, args: &ReclaimArgs) -> Result<Exit> {
    let plan = make_plan(ctx, args).await?;
    let mut report = ReclaimReport::new(plan, args.delete, args.confirm.dry_run, args.keep_volume);
    let style = ctx.style;

    if !args.delete || report.plan.refusal.is_some() || report.plan.candidates.is_empty() {
        if let Some(refusal) = &report.plan.refusal {
            let detail = format!("refused: {refusal} (nothing was changed)");
            report.settle(ActionStatus::NotTaken, detail);
        } else if args.delete {
            report.results = Some(vec![]);
            report.settle(ActionStatus::NothingToDelete, "no claims to reclaim: nothing was sent");
        }
        render::emit(ctx.output, "Reclaim", &report, || render::reclaim::table(&report, style))?;
        return match &report.plan.refusal {
            Some(refusal) => Err(Outcome::Refused(format!("{refusal} (nothing was changed)")).into()),
            None => Ok(Exit::Ok),
        };
    }

    let table = ctx.output.is_table();
    if table {
        render::write_stdout(&render::reclaim::table(&report, style))?;
    }
    if !args.confirm.dry_run
        && let Err(declined) = prompt::confirm(&question(&report.plan.candidates), args.confirm.yes)
    {
        // -o json|yaml: still one document per run (the plan, no results, the action declined):
        // a script reading it tells "not confirmed" from a plan only. Ctrl-C at the prompt is
        // read by the prompt and declines too.
        if !table {
            report.settle(ActionStatus::Declined, crate::error::one_line(&declined));
            render::emit(ctx.output, "Reclaim", &report, String::new)?;
        }
        return Err(declined);
    }
    // The world may have moved since the plan (a scale-up brings an ordinal back into range, a
    // pod starts using a claim): plan again, right before acting, and act only on claims that
    // are still candidates, unchanged.
    let fresh = make_plan(ctx, args).await?;
    if let Some(refusal) = fresh.refusal.clone() {
        let message = format!("since the plan: {refusal} (nothing was changed)");
        if !table {
            report.plan = fresh;
            report.settle(ActionStatus::NotTaken, format!("refused {message}"));
            render::emit(ctx.output, "Reclaim", &report, String::new)?;
        }
        return Err(Outcome::Refused(message).into());
    }
    let results = act(ctx, &report.plan.candidates, &fresh, args).await;
    let exit = reclaim::exit_for(&results, args.confirm.dry_run);
    report.finish(results);
    if table {
        render::write_stdout(&render::reclaim::results(&report, style))?;
    } else {
        render::emit(ctx.output, "Reclaim", &report, String::new)?;
    }
    exit
}

/// Fetches the namespace (or all namespaces) and plans.
async fn make_plan(ctx: &Context, args: &ReclaimArgs) -> Result<ReclaimPlan> {
    let options = PlanOptions { keep_volume: args.keep_volume, include_name_only: args.include_name_only };
    // Every pod (a claim may be mounted by any pod) and every claim and StatefulSet of the
    // namespace (another StatefulSet's naming rule may produce the same claim name); autoscalers
    // scale StatefulSets back up over claims that look orphaned.
    let want = Want { all_pods: true, claims: true, volumes: true, autoscalers: true, ..Want::default() };
    let namespace = (!(args.deleted && ctx.all_namespaces)).then(|| ctx.namespace().to_string());
    let scope = match &namespace {
        Some(ns) => Scope::Namespace(ns.clone()),
        None => Scope::AllNamespaces,
    };
    let snap = ctx.cluster.snapshot(&scope, want).await?;
    let plan = match (&args.name, args.deleted) {
        (name, true) => {
            if let (Some(name), Some(ns)) = (name, &namespace)
                && snap.statefulsets.iter().any(|s| &s.name == name)
            {
                return Err(Outcome::Refused(format!(
                    "StatefulSet {name} exists in namespace {ns}: --deleted is for StatefulSets that no longer \
                         exist; run `kubectl sts-doctor reclaim {name}` for its scale-down orphans"
                ))
                .into());
            }
            // Nothing at all in a namespace that does not exist: a typo in -n, not "no claims".
            if let Some(ns) = &namespace
                && snap.statefulsets.is_empty()
                && snap.claims.is_empty()
                && let Some(missing) = ctx.cluster.missing_namespace(ns).await
            {
                return Err(missing.into());
            }
            reclaim::plan_deleted(&snap, namespace.as_deref(), name.as_deref(), &options)
        }
        (Some(name), false) => {
            let ns = ctx.namespace();
            let Some(sts) = snap.statefulsets.iter().find(|s| &s.name == name) else {
                // As after any other 404: a namespace that does not exist is said first.
                return Err(match ctx.cluster.missing_namespace(ns).await {
                    Some(missing) => {
                        anyhow!("statefulset {name:?} not found in namespace {ns:?}").context(missing.to_string())
                    }
                    None => anyhow!(
                        "statefulset {name:?} not found in namespace {ns:?} (for claims of a StatefulSet that no \
                         longer exists: reclaim --deleted {name})"
                    ),
                });
            };
            reclaim::plan(&snap, sts, &options)
        }
        (None, false) => return Err(Outcome::Usage("a StatefulSet name is required without --deleted".into()).into()),
    };
    Ok(plan)
}

/// Deletes the planned claims the fresh plan still has, unchanged (see `reclaim::revalidate`).
async fn act(ctx: &Context, planned: &[Candidate], fresh: &ReclaimPlan, args: &ReclaimArgs) -> Vec<ClaimResult> {
    let (go, mut changed) = reclaim::revalidate(planned, fresh);
    let options = ReclaimOptions { keep_volume: args.keep_volume, dry_run: args.confirm.dry_run };
    let mut results = apply::claims::reclaim(&ctx.cluster, &go, options).await;
    results.append(&mut changed);
    // Back in plan order.
    let order: BTreeMap<ObjectKey, usize> =
        planned.iter().enumerate().map(|(i, c)| (key(&c.namespace, &c.claim), i)).collect();
    results.sort_by_key(|r| order.get(&key(&r.namespace, &r.claim)).copied().unwrap_or(usize::MAX));
    results
}

/// "Delete 2 claims (data-web-1, data-web-2)? 2 PVs have reclaimPolicy Delete: their data is destroyed."
fn question(candidates: &[Candidate]) -> String {
    let names: Vec<&str> = candidates.iter().map(|c| c.claim.as_str()).collect();
    let shown = if names.len() > 6 {
        format!("{}, and {} more", names[..5].join(", "), names.len() - 5)
    } else {
        names.join(", ")
    };
    let mut question = format!("Delete {} claim(s) ({shown})?", names.len());
    let count = |fate| candidates.iter().filter(|c| c.data_fate == fate).count();
    let destroyed = count(DataFate::Destroyed);
    if destroyed > 0 {
        let recycled = candidates
            .iter()
            .filter(|c| c.data_fate == DataFate::Destroyed && c.reclaim_policy.as_deref() == Some("Recycle"))
            .count();
        let policy = match recycled {
            0 => "Delete",
            n if n == destroyed => "Recycle",
            _ => "Delete or Recycle",
        };
        question.push_str(&format!(" {destroyed} PV(s) have reclaimPolicy {policy}: their data is destroyed."));
    }
    let unknown = count(DataFate::Unknown);
    if unknown > 0 {
        question.push_str(&format!(" The reclaim policy of {unknown} PV(s) is unknown."));
    }
    let low = candidates.iter().filter(|c| c.confidence == Confidence::Low).count();
    if low > 0 {
        question.push_str(&format!(" {low} are low confidence (inferred from names and labels)."));
    }
    question
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Command;
    use crate::error::exit_code_for;

    fn check(args: &[&str]) -> Result<()> {
        let words = std::iter::once("kubectl-sts_doctor").chain(args.iter().copied()).map(Into::into).collect();
        let cli = crate::cli::parse(words).unwrap();
        match &cli.command {
            Some(Command::Reclaim(reclaim)) => validate(&cli.global, reclaim),
            other => panic!("not reclaim: {other:?}"),
        }
    }

    #[test]
    fn flags_are_checked_before_connecting() {
        for ok in [
            &["reclaim", "web"][..],
            &["reclaim", "web", "--delete", "--yes", "--keep-volume", "--dry-run"],
            &["reclaim", "web", "--keep-volume", "--include-name-only"],
            &["reclaim", "--deleted"],
            &["reclaim", "--deleted", "web-1", "-A", "--delete", "--yes"],
        ] {
            assert!(check(ok).is_ok(), "{ok:?}");
        }
        for (bad, message) in [
            (&["reclaim", "Web"][..], "invalid statefulset name"),
            (&["reclaim", "web", "-A"], "-A/--all-namespaces only goes with --deleted"),
            (&["reclaim", "--deleted", "--include-name-only"], "--include-name-only is for"),
            (&["reclaim", "web", "--yes"], "--yes only goes with --delete"),
            (&["reclaim", "web", "--dry-run"], "--dry-run only goes with --delete"),
        ] {
            let err = check(bad).unwrap_err();
            assert_eq!(exit_code_for(&err), Exit::Usage, "{bad:?}");
            assert!(err.to_string().contains(message), "{bad:?}: {err}");
        }
    }

    #[test]
    fn the_question_says_what_is_destroyed() {
        let snap = crate::testing::snapshot({
            let mut objects = crate::testing::healthy("web", 3);
            crate::testing::patch(
                &mut objects,
                "StatefulSet",
                "web",
                serde_json::json!({ "spec": { "replicas": 1 }, "status": { "replicas": 1 } }),
            );
            crate::testing::remove(&mut objects, "Pod", "web-1");
            crate::testing::remove(&mut objects, "Pod", "web-2");
            objects
        });
        let plan = reclaim::plan(&snap, &snap.statefulsets[0], &PlanOptions::default());
        assert_eq!(
            question(&plan.candidates),
            "Delete 2 claim(s) (data-web-1, data-web-2)? 2 PV(s) have reclaimPolicy Delete: their data is destroyed."
        );
        let mut candidates = plan.candidates.clone();
        candidates[1].reclaim_policy = Some("Recycle".into());
        assert!(
            question(&candidates).ends_with(" 2 PV(s) have reclaimPolicy Delete or Recycle: their data is destroyed.")
        );
    }
}
