//! `force-delete POD`: gather evidence → assess (pure) → print the checklist → plan → confirm →
//! (after a prompt) gather and judge again, the pod unchanged since the plan → delete (or taint,
//! with --fence) with preconditions → optionally follow the recreated pod.

mod wait;

use anyhow::Result;

use super::{Context, reject_all_namespaces, validate_name};
use crate::cli::{ForceDeleteArgs, GlobalArgs};
use crate::cluster::{ApiError, Cluster};
use crate::error::{Exit, Outcome};
use crate::force_delete::{
    Action, ActionReport, ActionStatus, Evidence, Report, Stale, Thresholds, fence_followups, steps,
};
use crate::render::{self, write_stdout};
use crate::{apply, force_delete, prompt};

pub fn validate(global: &GlobalArgs, args: &ForceDeleteArgs) -> Result<()> {
    reject_all_namespaces(global, "force-delete")?;
    validate_name("pod", &args.pod)?;
    if args.wait && args.confirm.dry_run {
        return Err(Outcome::Usage(
            "--wait cannot be combined with --dry-run: a dry run deletes nothing, so nothing is recreated".into(),
        )
        .into());
    }
    Ok(())
}

pub async fn run(ctx: &Context, args: &ForceDeleteArgs) -> Result<Exit> {
    let dry_run = args.confirm.dry_run;
    let table = ctx.output.is_table();
    let evidence = ctx.cluster.force_delete_evidence(ctx.namespace(), &args.pod, args.fence).await?;
    let thresholds = Thresholds { not_ready_for: args.not_ready_for.0, lease_stale_for: args.lease_stale_for.0 };
    let decision = force_delete::assess(&evidence, &thresholds, args.node_fenced);
    let mut report = Report::new(evidence, decision, &thresholds, args.node_fenced);
    if table {
        write_stdout(&render::force_delete::checklist(&report, ctx.style))?;
    }

    let action = match force_delete::plan(&report.evidence, &report.decision, args.fence) {
        Ok(action) => action,
        Err(refusal) => {
            report.action = ActionReport::new(ActionStatus::NotTaken, dry_run, refusal.clone());
            emit(ctx, &report)?;
            return Err(Outcome::Refused(refusal).into());
        }
    };
    report.steps = steps(&action, &report.evidence);
    let shown_warnings = report.decision.warnings.len();
    if let Action::Fence { node, .. } = &action {
        let (follows, warnings) = fence_followups(&report.evidence, node);
        report.follows = follows;
        report.decision.warnings.extend(warnings);
    }
    report.plan = Some(action.clone());
    show_plan(ctx, &report, shown_warnings, dry_run)?;

    if let Action::AlreadyFenced { node } = &action {
        report.action = ActionReport::new(
            ActionStatus::AlreadyFenced,
            dry_run,
            format!("node {node} already has the out-of-service taint: nothing changed"),
        );
    } else {
        // A dry run changes nothing, so it needs no confirmation (as in reclaim and rollout); the
        // gate above still refuses it.
        if !dry_run && let Err(e) = prompt::confirm(&question(&action), args.confirm.yes) {
            report.action = ActionReport::new(ActionStatus::Declined, dry_run, e.to_string());
            emit(ctx, &report)?;
            return Err(e);
        }
        // A person may have taken minutes to answer: read the pod and its node again, and act only
        // on what was confirmed (the pod unchanged since the plan, the gate still allowing it).
        let action = if args.confirm.yes || dry_run {
            Some(action)
        } else {
            let rechecked = recheck(ctx, args, &thresholds, &report, &action).await.map(|(after, verdict)| {
                report.evidence_after = after;
                verdict
            });
            match rechecked {
                Ok(Ok(fresh)) => fresh,
                Ok(Err(stale)) => {
                    let status = match stale {
                        Stale::Changed(_) => ActionStatus::Conflict,
                        Stale::Refused(_) => ActionStatus::NotTaken,
                    };
                    report.action = ActionReport::new(status, dry_run, stale.message());
                    emit(ctx, &report)?;
                    return Err(Outcome::Refused(stale.message().to_string()).into());
                }
                Err(e) => {
                    report.action = ActionReport::new(ActionStatus::NotTaken, dry_run, crate::error::one_line(&e));
                    emit(ctx, &report)?;
                    return Err(e);
                }
            }
        };
        let result = match &action {
            Some(action) => execute(&ctx.cluster, action, dry_run).await,
            None => Ok(ActionReport::new(
                ActionStatus::AlreadyGone,
                dry_run,
                format!(
                    "pod {}/{} was deleted while waiting for the confirmation (e.g. by pod GC, which force-deletes \
                     the pods of a deleted Node): nothing to delete",
                    report.pod.namespace, report.pod.name
                ),
            )),
        };
        match result {
            Ok(mut done) => {
                if done.status == ActionStatus::Deleted && !report.evidence.pod_finalizers.is_empty() {
                    done.detail.push_str(&format!(
                        "; it stays, marked deleted, until its finalizers ({}) are removed",
                        report.evidence.pod_finalizers.join(", ")
                    ));
                }
                report.action = done;
            }
            Err(e) => {
                let status = if is_conflict(&e) { ActionStatus::Conflict } else { ActionStatus::Failed };
                report.action = ActionReport::new(status, dry_run, crate::error::one_line(&e));
                emit(ctx, &report)?;
                return Err(e);
            }
        }
    }
    if table {
        write_stdout(&render::force_delete::action(&report.action, ctx.style))?;
    }
    if args.wait {
        let waited = wait::wait(ctx, &report, args.timeout.as_std(), table).await?;
        let not_done = !waited.done && !waited.skipped;
        report.wait = Some(waited);
        if not_done {
            emit(ctx, &report)?;
            return Err(Outcome::NotDone(format!(
                "timed out after {} waiting for {} to be recreated and Ready",
                args.timeout, report.pod.name
            ))
            .into());
        }
    }
    emit(ctx, &report)?;
    Ok(Exit::Ok)
}

/// Gathers the evidence again after an interactive confirmation (see `force_delete::recheck`),
/// with that evidence (None when the pod is gone). `Ok(None)`: the pod is gone by now, as after a
/// plain run that finds it gone at the DELETE; `Ok(Err)`: the confirmed action is not carried out
/// (exit 3); `Err`: the evidence could not be read again.
async fn recheck(
    ctx: &Context,
    args: &ForceDeleteArgs,
    thresholds: &Thresholds,
    report: &Report,
    confirmed: &Action,
) -> Result<(Option<Evidence>, Result<Option<Action>, Stale>)> {
    let after = match ctx.cluster.force_delete_evidence(ctx.namespace(), &args.pod, args.fence).await {
        Ok(after) => after,
        Err(ApiError::NotFound { op }) if op.resource == "pods" => return Ok((None, Ok(None))),
        Err(e) => return Err(e.into()),
    };
    let verdict =
        force_delete::recheck(&report.evidence, &after, thresholds, args.node_fenced, args.fence, confirmed).map(Some);
    Ok((Some(after), verdict))
}

fn question(action: &Action) -> String {
    match action {
        Action::Delete { namespace, pod, .. } => format!("Force-delete pod {namespace}/{pod} now?"),
        Action::Fence { node, .. } => format!("Taint node {node} out-of-service now?"),
        Action::AlreadyFenced { node } => format!("Node {node} is already fenced; nothing to do."),
    }
}

/// The plan, with the warnings that came with it (after the first `shown` ones, which the
/// checklist printed): to stdout with the table, to stderr otherwise (stdout is the document).
fn show_plan(ctx: &Context, report: &Report, shown: usize, dry_run: bool) -> Result<()> {
    let mut text = render::force_delete::plan(report, dry_run);
    for w in report.decision.warnings.iter().skip(shown) {
        text.push_str(&format!("{} {w}\n", ctx.style.yellow("warning:")));
    }
    if ctx.output.is_table() {
        write_stdout(&text)
    } else {
        eprint!("{text}");
        Ok(())
    }
}

/// What the pod that failed the delete's precondition is now: a replacement, or the same pod
/// marked for deletion meanwhile (on a lost node, by taint eviction) or otherwise changed.
fn race_detail(now: &crate::model::Pod, planned_uid: &str) -> String {
    if now.uid != planned_uid {
        return format!("; now a replacement, uid {}", now.uid);
    }
    match now.deleting {
        Some(at) => format!(
            "; it is now at resourceVersion {}, marked for deletion (deletionTimestamp {at}): on a lost node taint \
             eviction does that once the pod's toleration of the node's taint runs out",
            now.resource_version
        ),
        None => format!("; it is now at resourceVersion {}", now.resource_version),
    }
}

/// Carries out the action. A failed precondition is a refusal that says what changed; a pod
/// already gone is not an error (pod GC or someone else got there first).
pub async fn execute(cluster: &Cluster, action: &Action, dry_run: bool) -> Result<ActionReport> {
    let (done, prefix) =
        if dry_run { (ActionStatus::DryRun, "server-side dry run: would have ") } else { (ActionStatus::Deleted, "") };
    match action {
        Action::Delete { namespace, pod, uid, resource_version } => {
            match apply::pods::force_delete(cluster, namespace, pod, uid, resource_version, dry_run).await {
                Ok(()) => Ok(ActionReport::new(
                    done,
                    dry_run,
                    format!("{prefix}force-deleted pod {namespace}/{pod} (uid {uid})"),
                )),
                Err(e) if e.is_not_found() => Ok(ActionReport::new(
                    ActionStatus::AlreadyGone,
                    dry_run,
                    format!(
                        "pod {namespace}/{pod} was already gone (deleted meanwhile, e.g. by pod GC): nothing to delete"
                    ),
                )),
                Err(e) if e.is_conflict() => {
                    // The controllers race us on a lost node: taint eviction marks the pod, pod GC
                    // removes it. Say which happened, from the pod as it is now.
                    let now = cluster.pod_opt(namespace, pod).await;
                    if let Ok(None) = now {
                        return Ok(ActionReport::new(
                            ActionStatus::AlreadyGone,
                            dry_run,
                            format!(
                                "pod {namespace}/{pod} was removed meanwhile (between the evidence and the delete; e.g. \
                             pod GC force-deletes the terminating pods of an out-of-service node): nothing was \
                             deleted by this command"
                            ),
                        ));
                    }
                    let meanwhile = now.ok().flatten().map(|p| race_detail(&p, uid)).unwrap_or_default();
                    Err(Outcome::Refused(format!(
                        "pod {namespace}/{pod} changed or was replaced after the evidence was gathered (no longer uid \
                     {uid} at resourceVersion {resource_version}{meanwhile}): nothing was deleted; run the command \
                     again to check it ({e})"
                    ))
                    .into())
                }
                Err(e) => {
                    let context = e.outcome("deleted");
                    Err(anyhow::Error::new(e).context(context))
                }
            }
        }
        Action::Fence { node, resource_version, keep, add } => {
            let done = if dry_run { ActionStatus::DryRun } else { ActionStatus::Tainted };
            match apply::nodes::add_taint(cluster, node, resource_version, keep, add, dry_run).await {
                Ok(()) => Ok(ActionReport::new(
                    done,
                    dry_run,
                    format!(
                        "{prefix}tainted node {node} with {}={}:{}",
                        add.key,
                        add.value.as_deref().unwrap_or_default(),
                        add.effect
                    ),
                )),
                Err(e) if e.is_conflict() || e.is_not_found() => Err(Outcome::Refused(format!(
                    "node {node} changed after the evidence was gathered (resourceVersion {resource_version}): nothing \
                     was changed; run the command again to re-check it ({e})"
                ))
                .into()),
                Err(e) => {
                    let context = e.outcome("changed");
                    Err(anyhow::Error::new(e).context(context))
                }
            }
        }
        Action::AlreadyFenced { node } => {
            Ok(ActionReport::new(ActionStatus::AlreadyFenced, dry_run, format!("node {node} is already fenced")))
        }
    }
}

fn is_conflict(e: &anyhow::Error) -> bool {
    e.chain().any(|c| matches!(c.downcast_ref::<Outcome>(), Some(Outcome::Refused(_))))
}

/// Prints the document (JSON/YAML; the table was printed along the way).
fn emit(ctx: &Context, report: &Report) -> Result<()> {
    if let Some(doc) = render::document(ctx.output, "ForceDelete", report)? {
        write_stdout(&doc)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;
    use http::StatusCode;
    use serde_json::json;

    use super::*;
    use crate::cli::{Cli, Command, OutputFormat};
    use crate::cluster::Op;
    use crate::force_delete::{Clock, Evidence, Lookup, PodStatusTimes};
    use crate::model;
    use crate::render::style::Style;
    use crate::testing::mock_api::{self, Handle, failure, respond};
    use crate::testing::{now, pod};

    /// A JSON context on a mock API server in namespace "shop".
    pub(super) fn context() -> (Context, Handle) {
        let (cluster, handle) = mock_api::cluster();
        (Context { cluster, output: OutputFormat::Json, style: Style::plain(), all_namespaces: false }, handle)
    }

    /// The report on web-1 (a StatefulSet pod) on a deleted node n2, allowed.
    pub(super) fn report() -> Report {
        let old = serde_json::from_value(pod("web", 1, "n2")).unwrap();
        let evidence = Evidence {
            now: now(),
            read_within: jiff::SignedDuration::ZERO,
            clock: Clock { server_time: Some(now()), local_skew_seconds: Some(0) },
            server_version: None,
            pod: model::Pod::from(&old),
            pod_status: PodStatusTimes::from_api(&old),
            pod_finalizers: vec![],
            node: Lookup::Absent,
            lease: Lookup::Absent,
            volumes: Ok(vec![]),
            attachments: Ok(vec![]),
            pods_on_node: None,
            placement: Ok(Default::default()),
        };
        let decision = force_delete::assess(&evidence, &Thresholds::default(), false);
        Report::new(evidence, decision, &Thresholds::default(), false)
    }

    /// Pod GC force-deletes the pods of a deleted Node 40s after it is gone: a person reading the
    /// checklist may well answer after that. The confirmed action finds nothing to delete, as a
    /// DELETE answered 404 does (AlreadyGone), not an error.
    #[tokio::test]
    async fn a_pod_gone_while_confirming_is_already_gone() {
        let (ctx, mut handle) = context();
        tokio::spawn(async move {
            while let Some((request, send)) = handle.next_request().await {
                send.send_response(if request.uri().path() == "/version" {
                    respond(StatusCode::OK, json!({ "major": "1", "minor": "20", "gitVersion": "v1.20.2" }))
                } else {
                    respond(StatusCode::NOT_FOUND, failure(404, "NotFound", "pods \"web-1\" not found"))
                });
            }
        });
        let cli = Cli::parse_from(["kubectl-sts_doctor", "-n", "shop", "force-delete", "web-1"]);
        let Some(Command::ForceDelete(args)) = cli.command else { panic!() };
        let report = report();
        let confirmed = force_delete::plan(&report.evidence, &report.decision, false).unwrap();
        let (after, fresh) = recheck(&ctx, &args, &Thresholds::default(), &report, &confirmed).await.unwrap();
        assert_eq!(fresh, Ok(None));
        assert!(after.is_none(), "no evidence of a pod that is gone: {after:?}");
    }

    #[test]
    fn only_a_rejected_request_is_said_to_have_changed_nothing() {
        let op = || Box::new(Op::new("delete", "", "pods").name("web-1"));
        let other = |code| ApiError::Other { op: op(), code, message: "m".into() };
        let forbidden = ApiError::Forbidden { op: op(), message: "no".into() };
        assert_eq!(forbidden.outcome("deleted"), "nothing was deleted");
        assert_eq!(other(422).outcome("deleted"), "nothing was deleted");
        let timeout =
            ApiError::Timeout { op: op(), server: "https://k".into(), after: std::time::Duration::from_secs(30) };
        // A 504 from the API server, an etcd timeout (500), or an answer that could not be decoded
        // (code 0): the deletion may have happened.
        for e in [timeout, other(504), other(500), other(0)] {
            assert!(e.outcome("deleted").starts_with("outcome unknown"), "{e}");
        }
    }
}

#[cfg(test)]
mod tests_race {
    use super::race_detail;
    use crate::testing::{pod, uid, with};

    fn model(value: serde_json::Value) -> crate::model::Pod {
        let pod: k8s_openapi::api::core::v1::Pod = serde_json::from_value(value).unwrap();
        crate::model::Pod::from(&pod)
    }

    #[test]
    fn a_failed_precondition_says_what_raced_the_delete() {
        let planned = uid("web-1");
        let evicted = model(with(
            pod("web", 1, "n2"),
            serde_json::json!({ "metadata": { "resourceVersion": "42", "deletionTimestamp": "2026-03-01T12:00:00Z" } }),
        ));
        let said = race_detail(&evicted, &planned);
        assert!(
            said.contains("resourceVersion 42, marked for deletion (deletionTimestamp 2026-03-01T12:00:00Z)"),
            "{said}"
        );
        assert!(said.contains("taint eviction"), "{said}");
        let replaced = model(with(pod("web", 1, "n1"), serde_json::json!({ "metadata": { "uid": "new-uid" } })));
        assert_eq!(race_detail(&replaced, &planned), "; now a replacement, uid new-uid");
    }
}
