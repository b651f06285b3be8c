//! Why a rollout that waits too long is stuck, or trapped (kubernetes#67250), in one line, with
//! the way out: a lost node, a finished pod, a blocked scale-down, a broken revision.

use crate::controller_rules::{Finished, SucceededPods};
use crate::duration::human;

use super::controller::Action;
use super::explain::{Verdict, state};
use super::trap::{broken_evidence, trap_cause, trap_explanation, why_never_replaced};
use super::{Phase, TRAP_ISSUE, View, Wants};

/// The issue (and fix) after which controllers recreate Succeeded pods, not only Failed ones.
pub(super) const SUCCEEDED_ISSUE: &str = "kubernetes/kubernetes#121389";

/// The controller waits for row `i` to be Ready before it replaces any pod, although it would
/// replace that very pod. OrderedReady waits for every pod before it replaces any; with Parallel
/// only the MaxUnavailableStatefulSet update waits, while too many pods (this one among them) are
/// unavailable.
pub(super) fn waits_to_replace(view: &View, i: usize, action: &Action) -> bool {
    let sts = view.sts;
    let row = &view.rows[i];
    (!sts.is_parallel() || view.update.max_unavailable.is_some())
        && !sts.is_on_delete()
        && row.in_range
        && row.exists
        && !row.terminating
        && row.index >= view.boundary
        && !row.on_update(sts)
        && action.waits_on() == Some(i)
}

/// The trap without waiting for --stuck-after: the controller waits for a pod it would replace,
/// and that pod shows it will not get Ready by itself (a crash loop, an image or configuration
/// error, restarts). It waits forever (kubernetes#67250), so there is no timer to wait out.
pub(super) fn trapped_now(view: &View, action: &Action) -> Option<usize> {
    let i = action.waits_on()?;
    (waits_to_replace(view, i, action) && broken_evidence(&view.rows[i]).is_some()).then_some(i)
}

/// Row `i` has been unready for longer than --stuck-after, or is trapped (see [`trapped_now`]).
pub(super) fn blocked(view: &View, i: usize, action: Action) -> Verdict {
    let sts = view.sts;
    let row = &view.rows[i];
    let update = sts.status.update_revision.clone().unwrap_or_default();
    let unready = row.unready_for(view.now).map(human).unwrap_or_default();
    let lost_node = row.node_health.as_ref().filter(|h| h.suspect_lost).map(|h| {
        format!(
            "its node {} looks lost ({}): a deletion does not finish until the node is back or the pod is \
             force-deleted (`kubectl sts-doctor -n {} force-delete {}`)",
            h.node,
            h.summary(view.now),
            sts.namespace,
            row.pod
        )
    });
    let stuck = |reason: String| {
        let mut v = Verdict::new(Phase::Stuck, reason, action.clone());
        v.blocking_pod = Some(row.pod.clone());
        v
    };
    if let Action::ScaleDownBlocked { condemned, waits_for } = action
        && waits_for == i
    {
        let c = &view.rows[condemned];
        let mut reason = format!(
            "scale-down is blocked: {} ({}) is unhealthy and not the lowest unhealthy pod, and OrderedReady removes \
             an unhealthy pod only when it is; the controller waits for {} ({}) to be Running and Ready, which it \
             has not been for {unready}; deleting {} by hand does what the scale-down would do",
            c.pod,
            state(c),
            row.pod,
            state(row),
            c.pod
        );
        if let Some(lost) = &lost_node {
            reason.push_str(&format!("; {} {lost}", row.pod));
        }
        return stuck(reason);
    }
    if let Some(finished) = row.finished.filter(|_| !row.terminating) {
        let delete = format!("kubectl delete pod {} -n {}", row.pod, sts.namespace);
        return stuck(match (finished, view.rules.succeeded) {
            (Finished::Failed, _) => format!(
                "{} has been Failed for {unready} and the controller has not deleted it to create it again: is \
                 kube-controller-manager running?",
                row.pod
            ),
            (Finished::Succeeded, SucceededPods::Kept) => format!(
                "{} has been Succeeded for {unready} (its containers exited, e.g. at a node shutdown): this \
                 controller recreates only Failed pods (Succeeded ones since 1.29, {SUCCEEDED_ISSUE}){}; delete it \
                 and the controller creates it again (`{delete}`)",
                row.pod,
                if view.rules.monotonic { " and with OrderedReady waits for it forever" } else { "" }
            ),
            (Finished::Succeeded, _) => format!(
                "{} has been Succeeded for {unready} (its containers exited, e.g. at a node shutdown) and the \
                 controller has not recreated it: controllers before 1.29 (and 1.27/1.28 patch releases without \
                 {SUCCEEDED_ISSUE}) recreate only Failed pods; delete it and the controller creates it again \
                 (`{delete}`)",
                row.pod
            ),
        });
    }
    if waits_to_replace(view, i, &action) {
        let evidence = broken_evidence(row);
        let cause = trap_cause(view, row);
        let (why, issue) = why_never_replaced(view, row);
        if evidence.is_none() {
            // Nothing shows the pod is broken: it may still get Ready, and the controller then goes on.
            let mut reason = format!(
                "{} has not been Ready for {unready} ({}) on revision {}, not the update revision {update}: the \
                 controller waits for it to be Running and Ready before it replaces any pod; nothing shows it is \
                 broken (no crash loop, image or configuration error, or restart), so it may still get Ready by \
                 itself; if it never does, this is the forced-rollback trap ({issue})",
                row.pod,
                state(row),
                row.revision_hash.as_deref().unwrap_or("-"),
            );
            if let Some(lost) = &lost_node {
                reason.push_str(&format!("; {lost}"));
            }
            let mut v = stuck(reason);
            let why = match issue {
                TRAP_ISSUE => format!(
                    "With podManagementPolicy OrderedReady the controller replaces a pod only after every pod is \
                     Running and Ready, so it replaces {} only once it gets Ready.",
                    row.pod
                ),
                _ => format!("{why} until it gets Ready ({issue})."),
            };
            v.explanation = Some(format!(
                "{} has not been Ready for {unready} ({}). {cause} {why} Nothing shows it will not (no crash loop, \
                 image or configuration error, or restart): `--fix` deletes it only on such evidence.",
                row.pod,
                state(row),
            ));
            return v;
        }
        let mut explanation = trap_explanation(view, row, &unready, &cause, evidence.as_deref().unwrap_or_default());
        let mut reason = format!(
            "{} is not Ready on revision {} (not the update revision {update}) and the controller waits for it \
             forever ({issue}); fix: delete it (`kubectl sts-doctor -n {} rollout {} --fix`)",
            row.pod,
            row.revision_hash.as_deref().unwrap_or("-"),
            sts.namespace,
            sts.name
        );
        if let Some(lost) = &lost_node {
            explanation.push_str(&format!(" Note: {lost}."));
            reason.push_str(&format!("; {lost}"));
        }
        let mut v = Verdict::new(Phase::Trapped, reason, action);
        v.blocking_pod = Some(row.pod.clone());
        v.explanation = Some(explanation);
        return v;
    }
    let rolling = sts.status.current_revision != sts.status.update_revision || sts.is_on_delete();
    let reason = match (&lost_node, row.terminating) {
        (Some(lost), true) => format!("{} is terminating (for {unready}) and {lost}", row.pod),
        (None, true) => format!(
            "{} has been terminating for {unready} past its grace period: its kubelet has not confirmed the deletion; \
             if its node is lost, see `kubectl sts-doctor -n {} force-delete {}`",
            row.pod, sts.namespace, row.pod
        ),
        // The node, not the revision, is to blame.
        (Some(lost), false) => format!("{} has not been Ready for {unready} ({}); {lost}", row.pod, state(row)),
        // No node yet: the scheduler cannot place it, which says nothing about the revision's image.
        (None, false) if row.node.is_none() && row.state == "Pending" => format!(
            "{} has not been scheduled to a node for {unready}: no node fits it (capacity, the revision's resource \
             requests, affinity, taints or its volumes' node affinity); see the FailedScheduling events in `kubectl \
             describe pod -n {} {}`",
            row.pod, sts.namespace, row.pod
        ),
        (None, false) if sts.is_on_delete() && row.in_range && !row.on_update(sts) => format!(
            "{} has not been Ready for {unready} ({}) on revision {}: with OnDelete the controller replaces it only \
             once it is deleted; deleting it recreates it from update revision {update} (`kubectl delete pod {} -n {}`)",
            row.pod,
            state(row),
            row.revision_hash.as_deref().unwrap_or("-"),
            row.pod,
            sts.namespace
        ),
        (None, false) if row.on_update(sts) && rolling => format!(
            "{} on update revision {update} has not been Ready for {unready} ({}): the new revision looks broken; fix \
             or revert the template (after a revert, see `kubectl sts-doctor -n {} rollout {} --fix`)",
            row.pod,
            state(row),
            sts.namespace,
            sts.name
        ),
        (None, false) if row.in_range && row.wants == Wants::Current && !row.on_current(sts) => format!(
            "{} has not been Ready for {unready} ({}) on revision {}, below the partition: the controller does not \
             replace it; deleting it recreates it from current revision {}",
            row.pod,
            state(row),
            row.revision_hash.as_deref().unwrap_or("-"),
            sts.status.current_revision.as_deref().unwrap_or("-")
        ),
        (None, false) => format!(
            "{} has not been Ready for {unready} ({}): the controller waits for it before it goes on",
            row.pod,
            state(row)
        ),
    };
    stuck(reason)
}
