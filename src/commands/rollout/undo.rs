//! `rollout undo STS [--to-revision N]`: restore a revision's pod template (the diff and what the
//! controller does shown first), confirmed at a prompt or by --yes, with the StatefulSet's
//! resourceVersion as precondition; then, as `rollout` does, the status, followed on request, and
//! the forced-rollback trap named (and with --fix got out of).

use std::time::Duration;

use anyhow::Result;

use super::fix::fix;
use super::session::{compute, until_complete};
use super::{Doc, finish, report_status, say, start, with_node_health};
use crate::apply::statefulsets::restore_template;
use crate::cli::{ConfirmArgs, RolloutArgs, UndoArgs};
use crate::cluster::ApiError;
use crate::cluster::revisions::RolloutInputs;
use crate::commands::Context;
use crate::error::{Exit, Outcome};
use crate::history::Target;
use crate::history::undo::{self, UndoPlan, UndoReport};
use crate::rollout::Phase;
use crate::rollout::report::{Action, ActionStatus};
use crate::{prompt, render};

/// How long to wait, after the undo, for the controller to observe it before judging the rollout.
const OBSERVE_WAIT: Duration = Duration::from_secs(15);

struct UndoDoc {
    target: Option<Target>,
    plan: Option<UndoPlan>,
    action: Action,
    rollout: Doc,
}

pub async fn undo(ctx: &Context, args: &UndoArgs) -> Result<Exit> {
    let dry_run = args.confirm.dry_run;
    let mut doc = UndoDoc {
        target: None,
        plan: None,
        action: Action::new(ActionStatus::NotTaken, dry_run, "not started"),
        rollout: Doc::default(),
    };
    let result = run_undo(ctx, args, &mut doc).await;
    if let Err(e) = &result
        && matches!(doc.action.status, ActionStatus::NotTaken)
    {
        doc.action = Action::new(ActionStatus::of_error(e), dry_run, crate::error::one_line(e));
    }
    let printed = print(ctx, &doc);
    let exit = result?;
    printed?;
    Ok(exit)
}

fn print(ctx: &Context, doc: &UndoDoc) -> Result<()> {
    let Some(target) = &doc.target else { return Ok(()) };
    let report = UndoReport {
        statefulset: target.clone(),
        plan: doc.plan.as_ref(),
        action: &doc.action,
        rollout: doc.rollout.status.as_ref(),
        fix: doc.rollout.fix.as_ref(),
    };
    match render::document(ctx.output, "RolloutUndo", &report)? {
        Some(text) => render::write_stdout(&text),
        None => Ok(()),
    }
}

/// The `rollout` flags the follow and --fix after the undo use.
fn rollout_args(args: &UndoArgs) -> RolloutArgs {
    RolloutArgs {
        action: None,
        name: Some(args.name.clone()),
        follow: args.follow.clone(),
        step: None,
        to: None,
        until: None,
        pause: crate::duration::HumanDuration(jiff::SignedDuration::ZERO),
        fix: args.fix,
        confirm: ConfirmArgs { yes: args.confirm.yes, dry_run: false },
    }
}

async fn run_undo(ctx: &Context, args: &UndoArgs, doc: &mut UndoDoc) -> Result<Exit> {
    let ns = ctx.namespace().to_string();
    let dry_run = args.confirm.dry_run;
    let server = ctx.cluster.server_time().await?;
    let h = ctx.cluster.revision_history(&ns, &args.name).await?;
    doc.target = Some(Target::of(&h));
    let plan = undo::plan(&h, args.to_revision).map_err(Outcome::Refused)?;
    doc.plan = Some(plan.clone());
    say(ctx, &render::history::undo_plan(&plan, &ns, &args.name, dry_run, ctx.style))?;
    let restore = async |dry_run, doc: &mut UndoDoc| {
        restore_template(&ctx.cluster, &ns, &args.name, &plan.patch, dry_run).await.map_err(|e| {
            let conflict = e.is_conflict();
            let e = changed(e, &args.name);
            if conflict {
                doc.action = Action::new(ActionStatus::Conflict, dry_run, crate::error::one_line(&e));
            }
            e
        })
    };
    if dry_run {
        restore(true, doc).await?;
        let done = format!("the server accepted the template of revision {}; nothing was changed", plan.to);
        say(ctx, &format!("dry run: {done}\n"))?;
        doc.action = Action::new(ActionStatus::DryRun, true, done);
        return Ok(Exit::Ok);
    }
    prompt::confirm(
        &format!("Restore the template of revision {} on statefulset {ns}/{}?", plan.to.number, args.name),
        args.confirm.yes,
    )?;
    // The resourceVersion precondition makes a StatefulSet changed while the prompt waited a 409.
    restore(false, doc).await?;
    let done = format!("restored the template of revision {} on {}: {}", plan.to, args.name, plan.effect);
    say(ctx, &format!("{done}\n"))?;
    doc.action = Action::new(ActionStatus::Restored, false, done);

    let rargs = rollout_args(args);
    let watch = rargs.follow.watch || (!rargs.follow.no_watch && std::io::IsTerminal::is_terminal(&std::io::stdout()));
    let inputs = observed(ctx, &ns, &args.name, &server).await?;
    let status = with_node_health(ctx, &inputs, compute(&inputs, args.follow.stuck_after.0), &rargs).await;
    if status.phase == Phase::Trapped {
        if args.fix {
            return fix(ctx, &rargs, &inputs, status, watch, &mut doc.rollout).await;
        }
        let pod = status.blocking_pod.clone().unwrap_or_default();
        say(
            ctx,
            &format!(
                "{} {pod} of the abandoned revision is broken and holds the rollout back ({}): the controller will \
                 not replace it; `kubectl sts-doctor -n {ns} rollout {} --fix` deletes it\n",
                ctx.style.yellow("warning:"),
                crate::rollout::TRAP_ISSUE,
                args.name
            ),
        )?;
    }
    if !watch {
        return report_status(ctx, &status, inputs.now, &mut doc.rollout);
    }
    let mut session = start(ctx, &rargs, inputs);
    let outcome = session.wait(until_complete).await;
    finish(ctx, &rargs, &mut session, outcome, &mut doc.rollout).await
}

/// Reads the rollout until the controller observed the undo (or [`OBSERVE_WAIT`] passed), so the
/// status judges the restored template, not the one before.
async fn observed(
    ctx: &Context,
    ns: &str,
    name: &str,
    server: &crate::cluster::server_time::ServerTime,
) -> Result<RolloutInputs> {
    let deadline = tokio::time::Instant::now() + OBSERVE_WAIT;
    loop {
        let inputs = ctx.cluster.rollout_inputs(ns, name, server).await?;
        if inputs.sts.spec_observed() || tokio::time::Instant::now() >= deadline {
            return Ok(inputs);
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// A failed precondition: the StatefulSet changed since the plan; nothing was changed.
fn changed(e: ApiError, name: &str) -> anyhow::Error {
    if e.is_conflict() {
        Outcome::Refused(format!(
            "statefulset {name} changed since the plan (its resourceVersion moved): nothing was changed; re-run to \
             plan again"
        ))
        .into()
    } else {
        let outcome = e.outcome("changed");
        anyhow::Error::new(e).context(outcome)
    }
}
