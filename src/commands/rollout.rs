//! `rollout STS`: show or follow a rolling update; `--step/--to` move the partition as a canary;
//! `--fix` deletes the pod that holds a rollout in the forced-rollback trap.
//!
//! Exit codes: 0 when done, partition-complete or (without following) progressing normally;
//! 5 when stuck, trapped, or --timeout passed first; 3 when a step or fix is refused or declined.

mod session;

#[cfg(test)]
mod node_health_tests;

use std::collections::BTreeMap;
use std::io::IsTerminal;

use anyhow::Result;
use jiff::Timestamp;

use self::session::{Flow, Session, compute, facts, follow_deadline, until_complete};
use super::{Context, reject_all_namespaces, validate_name};
use crate::apply::statefulsets::{delete_trapped_pod, set_partition};
use crate::cli::{GlobalArgs, OutputFormat, RolloutArgs};
use crate::cluster::revisions::RolloutInputs;
use crate::cluster::{ApiError, Cluster};
use crate::error::{Exit, Outcome};
use crate::render::rollout::progress::Mode;
use crate::rollout::step::{self, Gate, Request, StepPlan};
use crate::rollout::{Phase, RolloutStatus};
use crate::{prompt, render, rollout};

/// 409s tolerated while stepping when only the status moved (the controller updates it constantly).
const CONFLICT_RETRIES: usize = 3;

pub fn validate(global: &GlobalArgs, args: &RolloutArgs) -> Result<()> {
    reject_all_namespaces(global, "rollout")?;
    validate_name("statefulset", &args.name)?;
    let usage = |m: &str| Err(Outcome::Usage(m.to_string()).into());
    if args.step.is_some_and(|n| n < 1) {
        return usage("--step must be at least 1");
    }
    if args.to.is_some_and(|p| p < 0) || args.until.is_some_and(|p| p < 0) {
        return usage("a partition cannot be negative");
    }
    if args.fix && (args.step.is_some() || args.to.is_some()) {
        return usage("--fix cannot be combined with --step or --to");
    }
    if args.confirm.dry_run && !(args.fix || args.step.is_some() || args.to.is_some()) {
        return usage("--dry-run applies to --step, --to and --fix (showing the status changes nothing)");
    }
    Ok(())
}

pub async fn run(ctx: &Context, args: &RolloutArgs) -> Result<Exit> {
    let watch = args.watch || (!args.no_watch && std::io::stdout().is_terminal());
    // Every judgement ("not Ready for longer than --stuck-after") is made on the API server's clock.
    // (A skewed local clock, or a server without a Date header, is a note in the status.)
    let server = ctx.cluster.server_time().await?;
    let inputs = ctx.cluster.rollout_inputs(ctx.namespace(), &args.name, &server).await?;
    let status = compute(&inputs, args.stuck_after.0);
    if args.fix {
        let status = with_node_health(ctx, &inputs, status, args).await;
        return fix(ctx, args, &inputs, status, watch).await;
    }
    let request = match (args.step, args.to) {
        (Some(by), _) => Some(Request::Step { by, until: args.until.unwrap_or(0) }),
        (None, Some(to)) => Some(Request::To(to)),
        (None, None) => None,
    };
    if let Some(request) = request {
        let plan = step::plan(&status, request).map_err(Outcome::Refused)?;
        return steps(ctx, args, inputs, &plan, watch).await;
    }
    if !watch {
        let status = with_node_health(ctx, &inputs, status, args).await;
        return report(ctx, &status, inputs.now);
    }
    let mut session = start(ctx, args, inputs);
    let outcome = session.wait(until_complete).await;
    finish(ctx, args, &mut session, outcome).await
}

/// When a pod blocks the rollout, whether its node looks lost changes the advice: the node and its
/// Lease are read then, and only then (two GETs).
async fn with_node_health(
    ctx: &Context,
    inputs: &RolloutInputs,
    status: RolloutStatus,
    args: &RolloutArgs,
) -> RolloutStatus {
    let blocking = status.blocking_pod.as_ref().and_then(|p| status.ordinals.iter().find(|r| &r.pod == p));
    let Some(node) = blocking.and_then(|r| r.node.clone()).filter(|_| status.phase.is_blocked()) else {
        return status;
    };
    let pod = blocking.map(|r| r.pod.clone()).unwrap_or_default();
    match ctx.cluster.node_health_of(&node, inputs.now).await {
        Ok(health) => {
            let facts = facts(inputs, BTreeMap::from([(node.clone(), health)]));
            rollout::status_with(&inputs.sts, &inputs.pods, &inputs.revisions, &facts, inputs.now, args.stuck_after.0)
        }
        Err(e) => {
            let mut status = status;
            status.notes.push(node_unknown(&inputs.sts, &pod, &node, &e));
            status
        }
    }
}

/// The note when the node of the pod a rollout waits on cannot be read (a timeout, a 5xx; a 403
/// already reads as unknown health): the advice was given without knowing whether it is lost.
fn node_unknown(sts: &crate::model::StatefulSet, pod: &str, node: &str, e: &ApiError) -> String {
    format!(
        "cannot tell whether node {node} of {pod} is healthy ({e}): if it is lost, {pod} is not replaced until it is \
         deleted; `kubectl sts-doctor -n {} force-delete {pod}` checks",
        sts.namespace
    )
}

/// Starts following; --timeout counts from here (after any confirmation).
fn start(ctx: &Context, args: &RolloutArgs, inputs: RolloutInputs) -> Session {
    let deadline = follow_deadline(args.timeout.as_std());
    Session::start(&ctx.cluster, inputs, Mode::detect(ctx.output), deadline, args.timeout, args.stuck_after.0)
}

/// Prints the status (ages at `now`, the API server's time); stuck or trapped is exit 5 (the
/// reason on stderr).
fn report(ctx: &Context, status: &RolloutStatus, now: Timestamp) -> Result<Exit> {
    render::emit(ctx.output, "Rollout", status, || render::rollout::table(status, now, ctx.style))?;
    if status.phase.is_blocked() {
        return Err(Outcome::NotDone(format!("{}: {}", status.phase.label(), status.reason)).into());
    }
    Ok(Exit::Ok)
}

/// Ends a follow: the final report, then the waiting outcome (a NotDone error is exit 5).
async fn finish(ctx: &Context, args: &RolloutArgs, session: &mut Session, outcome: Result<()>) -> Result<Exit> {
    session.progress.finish();
    let now = session.inputs.now;
    let mut status = with_node_health(ctx, &session.inputs, session.status.clone(), args).await;
    status.notes.extend(session.lag_note());
    let status = &status;
    render::emit(ctx.output, "Rollout", status, || format!("\n{}", render::rollout::table(status, now, ctx.style)))?;
    outcome.map(|()| Exit::Ok)
}

/// Text for the operator (plan, what was done): stdout for tables, stderr beside JSON/YAML.
fn say(ctx: &Context, text: &str) -> Result<()> {
    if ctx.output == OutputFormat::Table {
        render::write_stdout(text)
    } else {
        eprint!("{text}");
        Ok(())
    }
}

async fn steps(ctx: &Context, args: &RolloutArgs, inputs: RolloutInputs, plan: &StepPlan, watch: bool) -> Result<Exit> {
    let ns = ctx.namespace().to_string();
    say(ctx, &render::rollout::plan(plan, args.pause, args.confirm.dry_run))?;
    if args.confirm.dry_run {
        let first = plan.steps.first().copied().unwrap_or(plan.from);
        let sts = &inputs.sts;
        set_partition(&ctx.cluster, &ns, &sts.name, &sts.resource_version, first, true).await?;
        let later = if plan.steps.len() > 1 { " (later steps depend on the rollout and are not checked)" } else { "" };
        say(ctx, &format!("dry run: the server accepted partition {first}{later}; nothing was changed\n"))?;
        return Ok(Exit::Ok);
    }
    let question = format!("Set the partition of statefulset {ns}/{} as planned?", plan.statefulset);
    prompt::confirm(&question, args.confirm.yes)?;
    // The prompt may have waited long: judge from a fresh read (a changed spec is refused below).
    let fresh = ctx.cluster.rollout_inputs(&ns, &plan.statefulset, &inputs.server).await?;
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
            return finish(ctx, args, session, Err(e)).await;
        }
        let patched = patch_partition(&ctx.cluster, session.inputs.sts.clone(), target, generation).await;
        let patched = match patched {
            Ok(sts) => sts,
            Err(e) if k > 0 => return Err(Outcome::Partial(format!("{}; {at}", crate::error::one_line(&e))).into()),
            Err(e) => return Err(e),
        };
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
        return finish(ctx, args, session, Ok(())).await;
    }
    let outcome = session.wait(until_complete).await;
    finish(ctx, args, session, outcome).await
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
            Err(e) => return Err(e.into()),
        }
    }
    Err(anyhow::anyhow!("statefulset {name} kept changing while setting the partition; nothing was changed"))
}

async fn fix(
    ctx: &Context,
    args: &RolloutArgs,
    inputs: &RolloutInputs,
    status: RolloutStatus,
    watch: bool,
) -> Result<Exit> {
    let ns = ctx.namespace().to_string();
    let row = status
        .blocking_pod
        .as_ref()
        .and_then(|pod| status.ordinals.iter().find(|r| &r.pod == pod))
        .filter(|_| status.phase == Phase::Trapped);
    let Some(row) = row else {
        let why = match status.phase {
            Phase::Stuck
                if status.ordinals.iter().any(|r| {
                    Some(&r.pod) == status.blocking_pod.as_ref() && r.revision.as_deref() == Some("update")
                }) =>
            {
                " (deleting the stuck pod would recreate it from the same broken update revision: fix or revert the \
                 template first)"
            }
            _ => "",
        };
        return Err(Outcome::Refused(format!(
            "nothing to fix: the rollout is not in the forced-rollback trap; it is {}: {}{why}",
            status.phase.label(),
            status.reason
        ))
        .into());
    };
    let uid = row.uid.clone().unwrap_or_default();
    let resource_version = row.resource_version.clone().unwrap_or_default();
    let update = status.statefulset.update_revision.as_ref().map_or("-".to_string(), |r| r.name.clone());
    let dry = if args.confirm.dry_run { " (dry run)" } else { "" };
    let mut plan = format!(
        "plan{dry}: delete pod {} (uid {uid}, resourceVersion {resource_version}, revision {}): the controller \
         recreates it from update revision {update}\n",
        row.pod,
        row.revision_hash.as_deref().unwrap_or("-")
    );
    if let Some(explanation) = &status.explanation {
        plan = format!("{explanation}\n\n{plan}");
    }
    say(ctx, &plan)?;
    let delete = |dry_run| delete_trapped_pod(&ctx.cluster, &ns, &row.pod, &uid, &resource_version, dry_run);
    if args.confirm.dry_run {
        delete(true).await.map_err(|e| changed(e, &row.pod))?;
        say(ctx, &format!("dry run: the server accepted the deletion of {}; nothing was changed\n", row.pod))?;
        return Ok(Exit::Ok);
    }
    prompt::confirm(&format!("Delete pod {ns}/{}?", row.pod), args.confirm.yes)?;
    if !args.confirm.yes {
        // The answer may have taken minutes: judge again (a new template or partition changes what
        // the deletion does, though the pod may not have changed).
        let again = ctx.cluster.rollout_inputs(&ns, &args.name, &inputs.server).await?;
        rollout::still_trapped(&status, &compute(&again, args.stuck_after.0)).map_err(Outcome::Refused)?;
    }
    delete(false).await.map_err(|e| changed(e, &row.pod))?;
    say(ctx, &format!("deleted pod {}: the controller recreates it from revision {update}\n", row.pod))?;

    // Start from a fresh read: the watch must not see the deleted pod as still trapped.
    let inputs = ctx.cluster.rollout_inputs(&ns, &args.name, &inputs.server).await?;
    if !watch {
        let status = compute(&inputs, args.stuck_after.0);
        let status = with_node_health(ctx, &inputs, status, args).await;
        return report(ctx, &status, inputs.now);
    }
    let mut session = start(ctx, args, inputs);
    let outcome = session.wait(until_complete).await;
    finish(ctx, args, &mut session, outcome).await
}

/// A failed precondition means the pod is not the one judged any more (it changed, e.g. got
/// Ready, or was replaced): nothing was deleted.
fn changed(e: ApiError, pod: &str) -> anyhow::Error {
    if e.is_conflict() || e.is_not_found() {
        Outcome::Refused(format!(
            "pod {pod} changed since it was judged (its status moved, or it was deleted or replaced): nothing was \
             deleted; re-run to judge it again"
        ))
        .into()
    } else {
        e.into()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use clap::Parser;
    use http::{Request, Response};
    use kube::client::Body;
    use serde_json::{Value, json};
    use tower_test::mock;

    use crate::cli::{Cli, Command};
    use crate::error::{Exit, exit_code_for};

    fn check(args: &[&str]) -> Result<(), String> {
        let cli = Cli::try_parse_from(std::iter::once("kubectl-sts_doctor").chain(args.iter().copied())).unwrap();
        let Some(Command::Rollout(rollout)) = &cli.command else { panic!("not rollout") };
        super::validate(&cli.global, rollout).map_err(|e| {
            assert_eq!(exit_code_for(&e), Exit::Usage);
            e.to_string()
        })
    }

    #[test]
    fn bad_flag_combinations_are_usage_errors_before_any_request() {
        assert!(check(&["rollout", "web", "--step", "1", "--until", "0", "--pause", "30s"]).is_ok());
        assert!(check(&["rollout", "web", "--to", "3", "--dry-run"]).is_ok());
        assert_eq!(check(&["rollout", "web", "--step", "0"]).unwrap_err(), "--step must be at least 1");
        assert_eq!(check(&["rollout", "web", "--to=-1"]).unwrap_err(), "a partition cannot be negative");
        assert!(check(&["rollout", "web", "--fix", "--to", "0"]).unwrap_err().starts_with("--fix cannot be combined"));
        assert!(check(&["rollout", "web", "--dry-run"]).unwrap_err().starts_with("--dry-run applies to"));
        assert!(check(&["-A", "rollout", "web"]).unwrap_err().contains("-A/--all-namespaces is not supported"));
        assert!(check(&["rollout", "Web"]).unwrap_err().starts_with("invalid statefulset name"));
    }

    fn statefulset(generation: i64, resource_version: &str) -> Value {
        json!({ "apiVersion": "apps/v1", "kind": "StatefulSet",
                "metadata": { "name": "web", "namespace": "shop", "uid": "u1", "generation": generation,
                              "resourceVersion": resource_version },
                "spec": { "selector": { "matchLabels": { "app": "web" } }, "serviceName": "web",
                          "template": { "metadata": { "labels": { "app": "web" } }, "spec": { "containers": [] } } } })
    }

    fn respond(code: u16, body: Value) -> Response<Body> {
        Response::builder().status(code).body(Body::from(serde_json::to_vec(&body).unwrap())).unwrap()
    }

    fn conflict() -> Response<Body> {
        respond(
            409,
            json!({ "kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Conflict", "code": 409,
            "message": "Operation cannot be fulfilled on statefulsets.apps \"web\": the object has been modified" }),
        )
    }

    /// A cluster whose API answers with `responses`, checking each request with `expect`.
    fn cluster(mut answers: Vec<(&'static str, Option<&'static str>, Response<Body>)>) -> super::Cluster {
        let (service, handle) = mock::pair::<Request<Body>, Response<Body>>();
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
        super::Cluster {
            client: kube::Client::new(service, "shop"),
            namespace: "shop".into(),
            server: "https://mock".into(),
            timeout: Duration::from_secs(5),
        }
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
    async fn the_fix_deletes_with_uid_and_resource_version_and_a_changed_pod_is_a_refusal() {
        let (service, handle) = mock::pair::<Request<Body>, Response<Body>>();
        tokio::spawn(async move {
            let mut handle = std::pin::pin!(handle);
            let (request, send) = handle.next_request().await.expect("request");
            assert_eq!(request.method().as_str(), "DELETE");
            assert!(request.uri().path().ends_with("/namespaces/shop/pods/web-2"), "{}", request.uri());
            let body = request.into_body().collect_bytes().await.unwrap();
            let options: Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(options["preconditions"], json!({ "uid": "u-web-2", "resourceVersion": "41" }), "{options}");
            // The pod got Ready since it was judged: its resourceVersion moved.
            send.send_response(conflict());
        });
        let cluster = super::Cluster {
            client: kube::Client::new(service, "shop"),
            namespace: "shop".into(),
            server: "https://mock".into(),
            timeout: Duration::from_secs(5),
        };
        let err = crate::apply::statefulsets::delete_trapped_pod(&cluster, "shop", "web-2", "u-web-2", "41", false)
            .await
            .unwrap_err();
        let err = super::changed(err, "web-2");
        assert_eq!(exit_code_for(&err), Exit::Refused);
        assert!(err.to_string().starts_with("pod web-2 changed since it was judged"), "{err}");
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
}
