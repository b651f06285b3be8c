//! `rollout STS`: show or follow a rolling update; `--step/--to` move the partition as a canary;
//! `--fix` deletes the pod that holds a rollout in the forced-rollback trap.
//!
//! Exit codes: 0 when done, partition-complete or (without following) progressing normally;
//! 5 when stuck, trapped, or --timeout passed first; 3 when a step or fix is refused or declined.

mod fix;
mod revisions;
mod session;
mod steps;
mod undo;

#[cfg(test)]
mod node_health_tests;

use std::collections::BTreeMap;
use std::io::IsTerminal;

use anyhow::Result;
use jiff::Timestamp;

use self::fix::fix;
use self::session::{Session, compute, facts, follow_deadline, until_complete};
use self::steps::steps;
use super::{Context, reject_all_namespaces, validate_name};
use crate::cli::{GlobalArgs, RolloutAction, RolloutArgs};
use crate::cluster::ApiError;
use crate::cluster::revisions::RolloutInputs;
use crate::error::{Exit, Outcome};
use crate::render::rollout::progress::Mode;
use crate::rollout::RolloutStatus;
use crate::rollout::report::{Action, ActionStatus, FixReport, RolloutReport, StepOutcome, StepReport, StepResult};
use crate::rollout::step::{self, Request};
use crate::{render, rollout};

pub fn validate(global: &GlobalArgs, args: &RolloutArgs) -> Result<()> {
    reject_all_namespaces(global, "rollout")?;
    validate_name("statefulset", args.sts())?;
    let usage = |m: &str| Err(Outcome::Usage(m.to_string()).into());
    match &args.action {
        None => {}
        Some(RolloutAction::Undo(undo)) if undo.to_revision < 0 => return usage("--to-revision cannot be negative"),
        Some(RolloutAction::Diff(diff)) => {
            for rev in [&diff.from, &diff.to].into_iter().flatten() {
                if rev.is_empty() {
                    return usage("--from and --to take a revision number, a ControllerRevision name or `live`");
                }
            }
            return Ok(());
        }
        Some(_) => return Ok(()),
    }
    if args.step.is_some_and(|n| n < 1) {
        return usage("--step must be at least 1");
    }
    if args.to.is_some_and(|p| p < 0) || args.until.is_some_and(|p| p < 0) {
        return usage("a partition cannot be negative");
    }
    if args.fix && (args.step.is_some() || args.to.is_some()) {
        return usage("--fix cannot be combined with --step or --to");
    }
    let changes = args.fix || args.step.is_some() || args.to.is_some();
    if args.confirm.dry_run && !changes {
        return usage("--dry-run applies to --step, --to and --fix (showing the status changes nothing)");
    }
    if args.confirm.yes && !changes {
        return usage("--yes applies to --step, --to and --fix (showing the status changes nothing)");
    }
    Ok(())
}

pub async fn run(ctx: &Context, args: &RolloutArgs) -> Result<Exit> {
    match &args.action {
        Some(RolloutAction::History(a)) => return revisions::history(ctx, a).await,
        Some(RolloutAction::Diff(a)) => return revisions::diff(ctx, a).await,
        Some(RolloutAction::Undo(a)) => return undo::undo(ctx, a).await,
        None => {}
    }
    let mut doc = Doc::default();
    let result = run_to_end(ctx, args, &mut doc).await;
    // -o json|yaml: one document, whatever happened once a status was read.
    let printed = doc.print(ctx);
    let exit = result?;
    printed?;
    Ok(exit)
}

/// What a run prints with `-o json|yaml`, once, at its end: the last status judged, and what
/// `--step/--to` or `--fix` planned and did.
#[derive(Default)]
struct Doc {
    status: Option<RolloutStatus>,
    step: Option<StepReport>,
    fix: Option<FixReport>,
}

impl Doc {
    fn print(&self, ctx: &Context) -> Result<()> {
        let Some(status) = &self.status else { return Ok(()) };
        let report = RolloutReport { status, step: self.step.as_ref(), fix: self.fix.as_ref() };
        match render::document(ctx.output, "Rollout", &report)? {
            Some(doc) => render::write_stdout(&doc),
            None => Ok(()),
        }
    }

    fn step_result(&mut self, partition: i32, outcome: StepOutcome, updates: Option<&Vec<String>>) {
        let updates = updates.cloned().unwrap_or_default();
        if let Some(step) = &mut self.step {
            step.results.push(StepResult { partition, outcome, updates });
        }
    }
}

async fn run_to_end(ctx: &Context, args: &RolloutArgs, doc: &mut Doc) -> Result<Exit> {
    // Stepping --until a partition already follows between its steps: a script asking for that
    // expects it to end when the rollout is done (or stuck), as on a terminal, not right after the
    // last patch. --no-watch returns after it.
    let watch =
        args.follow.watch || (!args.follow.no_watch && (std::io::stdout().is_terminal() || args.until.is_some()));
    // Every judgement ("not Ready for longer than --stuck-after") is made on the API server's clock.
    // (A skewed local clock, or a server without a Date header, is a note in the status.)
    let server = ctx.cluster.server_time().await?;
    let inputs = ctx.cluster.rollout_inputs(ctx.namespace(), args.sts(), &server).await?;
    let status = compute(&inputs, args.follow.stuck_after.0);
    if args.fix {
        let status = with_node_health(ctx, &inputs, status, args).await;
        return fix(ctx, args, &inputs, status, watch, doc).await;
    }
    let request = match (args.step, args.to) {
        (Some(by), _) => Some(Request::Step { by, until: args.until }),
        (None, Some(to)) => Some(Request::To(to)),
        (None, None) => None,
    };
    if let Some(request) = request {
        let status = with_node_health(ctx, &inputs, status, args).await;
        doc.status = Some(status.clone());
        let plan = match step::plan(&status, request) {
            Ok(plan) => plan,
            Err(refusal) => {
                let action = Action::new(ActionStatus::NotTaken, args.confirm.dry_run, refusal.clone());
                doc.step = Some(StepReport { plan: None, action, results: vec![] });
                return Err(Outcome::Refused(refusal).into());
            }
        };
        return steps(ctx, args, inputs, &plan, watch, doc).await;
    }
    if !watch {
        let status = with_node_health(ctx, &inputs, status, args).await;
        return report_status(ctx, &status, inputs.now, doc);
    }
    let mut session = start(ctx, args, inputs);
    let outcome = session.wait(until_complete).await;
    finish(ctx, args, &mut session, outcome, doc).await
}

/// When a pod blocks the rollout, whether its node looks lost changes the verdict (stuck at once:
/// nothing on a lost node finishes a deletion or readies a pod) and the advice: the node and its
/// Lease are read then, and only then (two GETs).
async fn with_node_health(
    ctx: &Context,
    inputs: &RolloutInputs,
    status: RolloutStatus,
    args: &RolloutArgs,
) -> RolloutStatus {
    let blocking = status.blocking_pod.as_ref().and_then(|p| status.ordinals.iter().find(|r| &r.pod == p));
    let Some(node) = blocking.and_then(|r| r.node.clone()) else {
        return status;
    };
    let pod = blocking.map(|r| r.pod.clone()).unwrap_or_default();
    match ctx.cluster.node_health_of(&node, inputs.now).await {
        Ok(health) => {
            let facts = facts(inputs, BTreeMap::from([(node.clone(), health)]));
            rollout::status_with(
                &inputs.sts,
                &inputs.pods,
                &inputs.revisions,
                &facts,
                inputs.now,
                args.follow.stuck_after.0,
            )
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
    let deadline = follow_deadline(args.follow.timeout.as_std());
    Session::start(
        &ctx.cluster,
        inputs,
        Mode::detect(ctx.output),
        deadline,
        args.follow.timeout,
        args.follow.stuck_after.0,
    )
}

/// Prints the status (ages at `now`, the API server's time); stuck or trapped is exit 5 (the
/// reason on stderr).
fn report_status(ctx: &Context, status: &RolloutStatus, now: Timestamp, doc: &mut Doc) -> Result<Exit> {
    if ctx.output.is_table() {
        render::write_stdout(&render::rollout::table(status, now, ctx.style))?;
    }
    doc.status = Some(status.clone());
    if status.phase.is_blocked() {
        return Err(Outcome::NotDone(format!("{}: {}", status.phase.label(), status.reason)).into());
    }
    Ok(Exit::Ok)
}

/// Ends a follow: the final report, then the waiting outcome (a NotDone error is exit 5).
async fn finish(
    ctx: &Context,
    args: &RolloutArgs,
    session: &mut Session,
    outcome: Result<()>,
    doc: &mut Doc,
) -> Result<Exit> {
    session.progress.finish();
    let now = session.inputs.now;
    let mut status = with_node_health(ctx, &session.inputs, session.status.clone(), args).await;
    status.notes.extend(session.lag_note());
    if ctx.output.is_table() {
        render::write_stdout(&format!("\n{}", render::rollout::table(&status, now, ctx.style)))?;
    }
    doc.status = Some(status);
    outcome.map(|()| Exit::Ok)
}

/// Text for the operator (plan, what was done): stdout for tables, stderr beside JSON/YAML.
fn say(ctx: &Context, text: &str) -> Result<()> {
    if ctx.output.is_table() {
        render::write_stdout(text)
    } else {
        eprint!("{text}");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

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
        // Nothing to confirm without a change: --yes would be silently ignored.
        assert_eq!(
            check(&["rollout", "web", "--yes"]).unwrap_err(),
            "--yes applies to --step, --to and --fix (showing the status changes nothing)"
        );
        assert!(check(&["rollout", "web", "-y", "--watch"]).unwrap_err().starts_with("--yes applies to"));
        assert!(check(&["rollout", "web", "--fix", "--yes", "--dry-run"]).is_ok());
        assert!(check(&["rollout", "web", "--step", "1", "--yes"]).is_ok());
        assert!(check(&["-A", "rollout", "web"]).unwrap_err().contains("-A/--all-namespaces is not supported"));
        assert!(check(&["rollout", "Web"]).unwrap_err().starts_with("invalid statefulset name"));
    }

    fn parse(args: &[&str]) -> Result<crate::cli::RolloutArgs, clap::Error> {
        let cli = Cli::try_parse_from(std::iter::once("kubectl-sts_doctor").chain(args.iter().copied()))?;
        let Some(Command::Rollout(rollout)) = cli.command else { panic!("not rollout") };
        Ok(rollout)
    }

    #[test]
    fn history_diff_and_undo_are_subcommands_and_rollout_sts_is_unchanged() {
        use crate::cli::RolloutAction;
        let a = parse(&["rollout", "history", "web"]).unwrap();
        assert!(matches!(&a.action, Some(RolloutAction::History(h)) if h.name == "web"));
        assert_eq!(a.sts(), "web");
        let a = parse(&["rollout", "diff", "web", "--from", "1", "--to", "live"]).unwrap();
        assert!(matches!(&a.action, Some(RolloutAction::Diff(d)) if d.from.as_deref() == Some("1")));
        let a = parse(&["rollout", "undo", "web", "--to-revision", "2", "--yes", "--dry-run"]).unwrap();
        assert!(matches!(&a.action, Some(RolloutAction::Undo(u)) if u.to_revision == 2 && u.confirm.yes));
        // `rollout STS [flags]` as before.
        let a = parse(&["rollout", "web", "--step", "1", "--yes"]).unwrap();
        assert!(a.action.is_none() && a.sts() == "web" && a.step == Some(1));
        // A StatefulSet named like a subcommand, after `--`.
        let a = parse(&["rollout", "--watch", "--", "history"]).unwrap();
        assert!(a.action.is_none() && a.sts() == "history" && a.follow.watch);
        let a = parse(&["rollout", "--", "undo"]).unwrap();
        assert_eq!(a.sts(), "undo");
        // The StatefulSet is still required; flags of `rollout STS` do not go with a subcommand.
        assert!(parse(&["rollout"]).is_err());
        assert!(parse(&["rollout", "--watch", "history", "web"]).is_err());
        assert!(parse(&["rollout", "history"]).is_err());
        assert!(check(&["rollout", "undo", "web", "--to-revision=-1"]).unwrap_err().contains("cannot be negative"));
        assert!(check(&["rollout", "diff", "web", "--from="]).is_err());
        assert!(check(&["rollout", "history", "Web"]).unwrap_err().starts_with("invalid statefulset name"));
    }
}
