//! `--step/--to`: the plan, its confirmation, then each partition change once the rollout allows it.

use anyhow::Result;

use super::session::{Flow, Session, compute, until_complete};
use super::{Doc, finish, say, start};
use crate::apply::statefulsets::set_partition;
use crate::cli::RolloutArgs;
use crate::cluster::Cluster;
use crate::cluster::revisions::RolloutInputs;
use crate::commands::Context;
use crate::error::{Exit, Outcome};
use crate::prompt;
use crate::render;
use crate::rollout::report::{Action, ActionStatus, StepOutcome, StepReport};
use crate::rollout::step::{self, Gate, StepPlan};

/// 409s tolerated while stepping when only the status moved (the controller updates it constantly).
const CONFLICT_RETRIES: usize = 3;

pub(super) async fn steps(
    ctx: &Context,
    args: &RolloutArgs,
    inputs: RolloutInputs,
    plan: &StepPlan,
    watch: bool,
    doc: &mut Doc,
) -> Result<Exit> {
    let dry_run = args.confirm.dry_run;
    doc.step = Some(StepReport {
        plan: Some(plan.clone()),
        action: Action::new(ActionStatus::NotTaken, dry_run, "not started"),
        results: vec![],
    });
    let result = run_steps(ctx, args, inputs, plan, watch, doc).await;
    let report = doc.step.as_mut().expect("set above");
    let set = report.results.iter().filter(|r| r.outcome == StepOutcome::Set).count();
    let failed = report.results.iter().any(|r| r.outcome == StepOutcome::Failed);
    report.action = match &result {
        _ if set == plan.steps.len() => {
            Action::new(ActionStatus::Set, false, format!("partition set to {}", plan.target()))
        }
        Ok(_) if dry_run => {
            let first = plan.steps.first().copied().unwrap_or(plan.from);
            Action::new(
                ActionStatus::DryRun,
                true,
                format!("the server accepted partition {first}; nothing was changed"),
            )
        }
        Ok(_) => report.action.clone(),
        Err(e) => {
            let status = match report.action.status {
                _ if failed => ActionStatus::Failed,
                // Under way: stuck, timed out, interrupted, or the spec changed before a step.
                ActionStatus::Stopped => ActionStatus::Stopped,
                _ => ActionStatus::of_error(e),
            };
            Action::new(status, dry_run, crate::error::one_line(e))
        }
    };
    result
}

async fn run_steps(
    ctx: &Context,
    args: &RolloutArgs,
    inputs: RolloutInputs,
    plan: &StepPlan,
    watch: bool,
    doc: &mut Doc,
) -> Result<Exit> {
    let ns = ctx.namespace().to_string();
    say(ctx, &render::rollout::plan(plan, args.pause, args.confirm.dry_run))?;
    if args.confirm.dry_run {
        let first = plan.steps.first().copied().unwrap_or(plan.from);
        let sts = &inputs.sts;
        if let Err(e) = set_partition(&ctx.cluster, &ns, &sts.name, &sts.resource_version, first, true).await {
            doc.step_result(first, StepOutcome::Failed, plan.updates.first());
            return Err(e.into());
        }
        doc.step_result(first, StepOutcome::WouldSet, plan.updates.first());
        let later = if plan.steps.len() > 1 { " (later steps depend on the rollout and are not checked)" } else { "" };
        say(ctx, &format!("dry run: the server accepted partition {first}{later}; nothing was changed\n"))?;
        return Ok(Exit::Ok);
    }
    let question = format!("Set the partition of statefulset {ns}/{} as planned?", plan.statefulset);
    prompt::confirm(&question, args.confirm.yes)?;
    // The prompt may have waited long: judge from a fresh read (a changed spec is refused below).
    let fresh = ctx.cluster.rollout_inputs(&ns, &plan.statefulset, &inputs.server).await?;
    doc.status = Some(compute(&fresh, args.follow.stuck_after.0));
    // Under way: from here an error stops the steps (see `steps`).
    doc.step.as_mut().expect("set by steps").action.status = ActionStatus::Stopped;
    let mut session = start(ctx, args, fresh);
    let session = &mut session;

    let mut generation = plan.generation;
    for (k, &target) in plan.steps.iter().enumerate() {
        let at = if k == 0 {
            "the partition was not changed".to_string()
        } else {
            format!("stopped at partition {}", plan.steps[k - 1])
        };
        if let Err(e) = gate_and_pause(session, args, k, target).await {
            // Stuck, timed out or interrupted while waiting: the same exit, saying where the steps stopped.
            let e = match e.downcast_ref::<Outcome>() {
                Some(Outcome::NotDone(reason)) => Outcome::NotDone(format!("{reason}; {at}")).into(),
                Some(Outcome::Interrupted(reason)) => Outcome::Interrupted(format!("{reason}; {at}")).into(),
                _ => e.context(at),
            };
            return finish(ctx, args, session, Err(e), doc).await;
        }
        doc.status = Some(session.status.clone());
        let patched = patch_partition(&ctx.cluster, session.inputs.sts.clone(), target, generation).await;
        let patched = match patched {
            Ok(sts) => sts,
            Err(e) => {
                let refused = e.downcast_ref::<Outcome>().is_some();
                if !refused {
                    doc.step_result(target, StepOutcome::Failed, plan.updates.get(k));
                }
                return Err(match k {
                    0 => e,
                    _ if refused => e.context(at),
                    _ => Outcome::Partial(format!("{}; {at}", crate::error::one_line(&e))).into(),
                });
            }
        };
        doc.step_result(target, StepOutcome::Set, plan.updates.get(k));
        generation = patched.generation;
        session.min_generation = patched.generation;
        let updates = plan.updates.get(k).filter(|u| !u.is_empty());
        let what = updates.map(|u| format!(": the controller updates {}", u.join(", "))).unwrap_or_default();
        session.progress.say(&format!("partition set to {target}{what}"))?;
    }
    // Raising the partition pauses the rollout: nothing to follow (it may well be stuck).
    if !watch || plan.raises {
        session.progress.finish();
        let fresh = ctx.cluster.rollout_inputs(&ns, &plan.statefulset, &session.inputs.server).await?;
        session.read_afresh(fresh);
        return finish(ctx, args, session, Ok(()), doc).await;
    }
    let outcome = session.wait(until_complete).await;
    finish(ctx, args, session, outcome, doc).await
}

/// Waits until partition `target` may be set; from the second step on, then pauses and checks again.
async fn gate_and_pause(session: &mut Session, args: &RolloutArgs, k: usize, target: i32) -> Result<()> {
    wait_for_gate(session, target).await?;
    if k > 0 && args.pause.as_secs() > 0 {
        session.progress.say(&format!("pausing {} before partition {target}", args.pause))?;
        session.pause(args.pause.as_std()).await?;
        wait_for_gate(session, target).await?;
    }
    Ok(())
}

async fn wait_for_gate(session: &mut Session, target: i32) -> Result<()> {
    session
        .wait(|status| match step::gate(status, target) {
            Gate::Go => Flow::Done,
            Gate::Wait(_) => Flow::Continue,
            Gate::Stop(reason) => Flow::Stop(reason),
        })
        .await
}

/// Sets the partition with the StatefulSet's resourceVersion as precondition. A 409 caused only by
/// a status update is retried with the new resourceVersion; a changed spec stops everything.
async fn patch_partition(
    cluster: &Cluster,
    mut sts: crate::model::StatefulSet,
    target: i32,
    generation: i64,
) -> Result<crate::model::StatefulSet> {
    let (ns, name) = (sts.namespace.clone(), sts.name.clone());
    for attempt in 0..=CONFLICT_RETRIES {
        if sts.generation != generation {
            return Err(Outcome::Refused(format!(
                "the spec of statefulset {name} changed since the plan (generation {generation} -> {}): not setting \
                 partition {target}; re-run to plan again",
                sts.generation
            ))
            .into());
        }
        match set_partition(cluster, &ns, &name, &sts.resource_version, target, false).await {
            Ok(patched) => return Ok(patched),
            Err(e) if e.is_conflict() && attempt < CONFLICT_RETRIES => {
                tracing::info!("statefulset {name} changed while setting the partition, re-reading it: {e}");
                sts = cluster.statefulset(&ns, &name).await?;
            }
            Err(e) => {
                let outcome = e.outcome("changed");
                return Err(anyhow::Error::new(e).context(outcome));
            }
        }
    }
    Err(anyhow::anyhow!("statefulset {name} kept changing while setting the partition; nothing was changed"))
}

#[cfg(test)]
pub(super) mod tests {
    use http::Response;
    use kube::client::Body;
    use serde_json::{Value, json};

    use crate::error::{Exit, exit_code_for};
    use crate::testing::mock_api::{self, failure, respond};

    fn statefulset(generation: i64, resource_version: &str) -> Value {
        json!({ "apiVersion": "apps/v1", "kind": "StatefulSet",
                "metadata": { "name": "web", "namespace": "shop", "uid": "u1", "generation": generation,
                              "resourceVersion": resource_version },
                "spec": { "selector": { "matchLabels": { "app": "web" } }, "serviceName": "web",
                          "template": { "metadata": { "labels": { "app": "web" } }, "spec": { "containers": [] } } } })
    }

    pub(crate) fn conflict() -> Response<Body> {
        let message = "Operation cannot be fulfilled on statefulsets.apps \"web\": the object has been modified";
        respond(409, failure(409, "Conflict", message))
    }

    /// A cluster whose API answers with `responses`, checking each request with `expect`.
    fn cluster(mut answers: Vec<(&'static str, Option<&'static str>, Response<Body>)>) -> super::Cluster {
        let (cluster, handle) = mock_api::cluster();
        tokio::spawn(async move {
            let mut handle = std::pin::pin!(handle);
            answers.reverse();
            while let Some((method, resource_version, response)) = answers.pop() {
                let (request, send) = handle.next_request().await.expect("request");
                assert_eq!(request.method().as_str(), method);
                if let Some(rv) = resource_version {
                    let body = request.into_body().collect_bytes().await.unwrap();
                    let patch: Value = serde_json::from_slice(&body).unwrap();
                    assert_eq!(patch["metadata"]["resourceVersion"], rv, "{patch}");
                    assert_eq!(patch["spec"]["updateStrategy"]["rollingUpdate"]["partition"], 1);
                }
                send.send_response(response);
            }
        });
        cluster
    }

    fn model(generation: i64, resource_version: &str) -> crate::model::StatefulSet {
        crate::model::StatefulSet::from(&serde_json::from_value(statefulset(generation, resource_version)).unwrap())
    }

    #[tokio::test]
    async fn a_conflict_from_a_status_update_is_retried_with_the_new_resource_version() {
        let cluster = cluster(vec![
            ("PATCH", Some("10"), conflict()),
            ("GET", None, respond(200, statefulset(2, "11"))),
            ("PATCH", Some("11"), respond(200, statefulset(3, "12"))),
        ]);
        let patched = super::patch_partition(&cluster, model(2, "10"), 1, 2).await.unwrap();
        assert_eq!((patched.generation, patched.resource_version.as_str()), (3, "12"));
    }

    #[tokio::test]
    async fn a_conflict_from_a_spec_change_stops_without_patching_again() {
        let cluster =
            cluster(vec![("PATCH", Some("10"), conflict()), ("GET", None, respond(200, statefulset(3, "11")))]);
        let err = super::patch_partition(&cluster, model(2, "10"), 1, 2).await.unwrap_err();
        assert_eq!(exit_code_for(&err), Exit::Refused);
        assert!(
            err.to_string().starts_with("the spec of statefulset web changed since the plan (generation 2 -> 3)"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn a_server_error_on_the_patch_leaves_the_outcome_unknown() {
        let cluster = cluster(vec![("PATCH", Some("10"), respond(504, failure(504, "Timeout", "request timed out")))]);
        let err = super::patch_partition(&cluster, model(2, "10"), 1, 2).await.unwrap_err();
        let text = crate::error::one_line(&err);
        assert!(text.starts_with("outcome unknown: the request may have been carried out"), "{text}");
    }
}
