//! `--fix`: delete the pod that holds a rollout in the forced-rollback trap, with preconditions.

use anyhow::Result;

use super::session::{compute, until_complete};
use super::{Doc, finish, report_status, say, start, with_node_health};
use crate::apply::statefulsets::delete_trapped_pod;
use crate::cli::RolloutArgs;
use crate::cluster::ApiError;
use crate::cluster::revisions::RolloutInputs;
use crate::commands::Context;
use crate::error::{Exit, Outcome};
use crate::prompt;
use crate::rollout::report::{Action, ActionStatus, FixPlan, FixReport};
use crate::rollout::{self, Phase, RolloutStatus};

pub(super) async fn fix(
    ctx: &Context,
    args: &RolloutArgs,
    inputs: &RolloutInputs,
    status: RolloutStatus,
    watch: bool,
    doc: &mut Doc,
) -> Result<Exit> {
    let dry_run = args.confirm.dry_run;
    doc.status = Some(status.clone());
    doc.fix = Some(FixReport { plan: None, action: Action::new(ActionStatus::NotTaken, dry_run, "not started") });
    let result = run_fix(ctx, args, inputs, status, watch, doc).await;
    let report = doc.fix.as_mut().expect("set above");
    // Deleted (and what follows) and a failed precondition are recorded where they happen.
    if let Err(e) = &result
        && !matches!(report.action.status, ActionStatus::Deleted | ActionStatus::Conflict)
    {
        report.action = Action::new(ActionStatus::of_error(e), dry_run, crate::error::one_line(e));
    }
    result
}

async fn run_fix(
    ctx: &Context,
    args: &RolloutArgs,
    inputs: &RolloutInputs,
    status: RolloutStatus,
    watch: bool,
    doc: &mut Doc,
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
    let update_revision = status.statefulset.update_revision.as_ref().map(|r| r.name.clone());
    let update = update_revision.clone().unwrap_or_else(|| "-".into());
    doc.fix.as_mut().expect("set by fix").plan = Some(FixPlan {
        pod: row.pod.clone(),
        uid: uid.clone(),
        resource_version: resource_version.clone(),
        revision: row.revision_hash.clone(),
        update_revision,
    });
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
    let delete = async |dry_run, doc: &mut Doc| {
        let deleted = delete_trapped_pod(&ctx.cluster, &ns, &row.pod, &uid, &resource_version, dry_run).await;
        deleted.map_err(|e| {
            let conflict = e.is_conflict() || e.is_not_found();
            let e = changed(e, &row.pod);
            if conflict {
                let action = Action::new(ActionStatus::Conflict, dry_run, crate::error::one_line(&e));
                doc.fix.as_mut().expect("set by fix").action = action;
            }
            e
        })
    };
    if args.confirm.dry_run {
        delete(true, doc).await?;
        let done = format!("the server accepted the deletion of {}; nothing was changed", row.pod);
        say(ctx, &format!("dry run: {done}\n"))?;
        doc.fix.as_mut().expect("set by fix").action = Action::new(ActionStatus::DryRun, true, done);
        return Ok(Exit::Ok);
    }
    prompt::confirm(&format!("Delete pod {ns}/{}?", row.pod), args.confirm.yes)?;
    if !args.confirm.yes {
        // The answer may have taken minutes: judge again (a new template or partition changes what
        // the deletion does, though the pod may not have changed).
        let again = ctx.cluster.rollout_inputs(&ns, args.sts(), &inputs.server).await?;
        let again = compute(&again, args.follow.stuck_after.0);
        let still = rollout::still_trapped(&status, &again);
        doc.status = Some(again);
        still.map_err(Outcome::Refused)?;
    }
    delete(false, doc).await?;
    let done = format!("deleted pod {}: the controller recreates it from revision {update}", row.pod);
    say(ctx, &format!("{done}\n"))?;
    doc.fix.as_mut().expect("set by fix").action = Action::new(ActionStatus::Deleted, false, done);

    // Start from a fresh read: the watch must not see the deleted pod as still trapped.
    let inputs = ctx.cluster.rollout_inputs(&ns, args.sts(), &inputs.server).await?;
    if !watch {
        let status = compute(&inputs, args.follow.stuck_after.0);
        let status = with_node_health(ctx, &inputs, status, args).await;
        return report_status(ctx, &status, inputs.now, doc);
    }
    let mut session = start(ctx, args, inputs);
    let outcome = session.wait(until_complete).await;
    finish(ctx, args, &mut session, outcome, doc).await
}

/// A failed precondition means the pod is not the one judged any more (it changed, e.g. got
/// Ready, or was replaced): nothing was deleted. Any other failure says whether the delete may
/// still have been carried out.
fn changed(e: ApiError, pod: &str) -> anyhow::Error {
    if e.is_conflict() || e.is_not_found() {
        Outcome::Refused(format!(
            "pod {pod} changed since it was judged (its status moved, or it was deleted or replaced): nothing was \
             deleted; re-run to judge it again"
        ))
        .into()
    } else {
        let outcome = e.outcome("deleted");
        anyhow::Error::new(e).context(outcome)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::super::steps::tests::conflict;
    use crate::error::{Exit, exit_code_for};
    use crate::testing::mock_api;

    #[tokio::test]
    async fn the_fix_deletes_with_uid_and_resource_version_and_a_changed_pod_is_a_refusal() {
        let (cluster, handle) = mock_api::cluster();
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
        let err = crate::apply::statefulsets::delete_trapped_pod(&cluster, "shop", "web-2", "u-web-2", "41", false)
            .await
            .unwrap_err();
        let err = super::changed(err, "web-2");
        assert_eq!(exit_code_for(&err), Exit::Refused);
        assert!(err.to_string().starts_with("pod web-2 changed since it was judged"), "{err}");
    }
}
